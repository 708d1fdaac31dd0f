import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { CaslAbilityFactory } from '../access-policy/casl-ability.factory.js';
import { roleDefinition } from '../access-policy/roles.js';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { badUserInput, forbidden, unauthenticated } from '../common/gateway-error.js';
import { CreatePrincipalInput, NewOrganizationInput } from './dto/create-principal.input.js';
import { MeType } from './dto/me.type.js';
import { PrincipalType } from './dto/principal.type.js';
import { OrganizationType } from './dto/organization.type.js';
import { mapOrganization, mapPrincipal } from './principal-actor.js';
import { OrganizationEntity, OrganizationKind } from './organization.entity.js';
import { PrincipalEntity } from './principal.entity.js';

/** Organizations and principals: who exists, in which organization, with which role. */
@Injectable()
export class PrincipalsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly abilities: CaslAbilityFactory,
    private readonly audit: AuditRecorder,
  ) {}

  async me(actor: Actor): Promise<MeType> {
    const principal = await this.dataSource.getRepository(PrincipalEntity).findOne({
      where: { id: actor.principalId ?? '00000000-0000-0000-0000-000000000000' },
      relations: { organization: true },
    });
    // The guard authenticated this principal during this request; gone now means it was just removed.
    if (!principal?.organization) throw unauthenticated();
    return {
      principal: mapPrincipal(principal, principal.organization),
      authMethod: actor.authMethod,
      apiKeyId: actor.apiKeyId ?? null,
      scopes: actor.scopes ? [...actor.scopes] : null,
      permissions: this.abilities.permissionsOf(actor),
    };
  }

  /**
   * The organization the actor acts for (kind, names, department code), or null for the
   * public. For filtering, prefer `actor.organizationId` and `actor.departmentCode`, which
   * the guard sets without a query.
   */
  async organizationOf(actor: Actor): Promise<OrganizationType | null> {
    if (!actor.organizationId) return null;
    const org = await this.dataSource.getRepository(OrganizationEntity).findOneBy({ id: actor.organizationId });
    return org ? mapOrganization(org) : null;
  }

  /**
   * Principals by id, with their organization, role, and created and disabled dates: what an
   * auditor needs to read `principalId` in the log. Unknown ids are left out. The lookup is
   * itself audited, like reading the log.
   */
  async principals(actor: Actor, ids: string[]): Promise<PrincipalType[]> {
    const wanted = uniqueIds(ids, 'ids');
    const rows = await this.dataSource.getRepository(PrincipalEntity).find({
      where: { id: In(wanted) },
      relations: { organization: true },
      order: { createdAt: 'ASC' },
    });
    await this.audit.record(actor, {
      operation: 'principals',
      decision: 'allowed',
      query: { ids: wanted },
      resultSize: rows.length,
    });
    return rows.filter((p) => p.organization).map((p) => mapPrincipal(p, p.organization!));
  }

  /** Organizations by id (`organizationId` in the log and on licences); unknown ids are left out. Audited. */
  async organizations(actor: Actor, ids: string[]): Promise<OrganizationType[]> {
    const wanted = uniqueIds(ids, 'ids');
    const rows = await this.dataSource.getRepository(OrganizationEntity).find({ where: { id: In(wanted) } });
    await this.audit.record(actor, {
      operation: 'organizations',
      decision: 'allowed',
      query: { ids: wanted },
      resultSize: rows.length,
    });
    return rows.map(mapOrganization);
  }

  /** Creates a principal (and its organization, if new). Audited in the same transaction. */
  async createPrincipal(actor: Actor, input: CreatePrincipalInput): Promise<PrincipalType> {
    if ((input.organizationId === undefined) === (input.organization === undefined)) {
      throw badUserInput('Give exactly one of organizationId (an existing organization) or organization (a new one).');
    }
    if (input.organization) assertOrganizationShape(input.organization);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const organization = input.organization
          ? await insertOrganization(manager, input.organization)
          : await manager.findOneBy(OrganizationEntity, { id: input.organizationId as string });
        if (!organization) {
          throw badUserInput(
            `No organization with id ${input.organizationId}; use an id from Principal.organization.id or give organization to create one.`,
          );
        }
        if (roleDefinition(input.role).actsForDepartment && organization.kind !== 'department') {
          throw badUserInput(
            `A principal with role ${input.role} must belong to a department organization (this one is ${organization.kind}).`,
          );
        }
        const principal = await insertPrincipal(manager, {
          name: input.name,
          role: input.role as PrincipalEntity['role'],
          organizationId: organization.id,
          oidcSubject: input.oidcSubject ?? null,
          createdById: asPrincipalId(actor.principalId),
        });
        await this.audit.record(actor, {
          operation: 'createPrincipal',
          decision: 'allowed',
          target: `principal:${principal.id}`,
          query: {
            role: principal.role,
            organizationId: organization.id,
            newOrganization: input.organization !== undefined,
            oidcSubjectSet: principal.oidcSubject !== null,
          },
        });
        return mapPrincipal(principal, organization);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'principal_oidc_subject_key')) {
        throw badUserInput(
          'Another principal already signs in with this oidcSubject; each OIDC subject maps to one principal.',
        );
      }
      throw err;
    }
  }

  disable(actor: Actor, id: string, reason?: string): Promise<PrincipalType> {
    return setPrincipalDisabled(this.dataSource, this.audit, actor, id, true, reason);
  }

  enable(actor: Actor, id: string, reason?: string): Promise<PrincipalType> {
    return setPrincipalDisabled(this.dataSource, this.audit, actor, id, false, reason);
  }
}

/**
 * Disables or enables a principal (stewards). A disabled principal's API keys and OIDC tokens fail
 * from the next request on, on every instance: both verifiers read `disabled_at` on each request
 * and nothing caches an authenticated principal. Audited in the same transaction; a steward may not
 * disable itself (someone must be left to undo it).
 */
export async function setPrincipalDisabled(
  dataSource: DataSource,
  audit: AuditRecorder,
  actor: Actor,
  id: string,
  disabled: boolean,
  reason: string | undefined,
): Promise<PrincipalType> {
  const operation = disabled ? 'disablePrincipal' : 'enablePrincipal';
  if (!UUID.test(id)) throw badUserInput(`"${id}" is not a principal id; principal ids are UUIDs (see Principal.id).`);
  if (disabled && id === actor.principalId) {
    throw forbidden('You may not disable yourself; ask another steward.', {
      missingPermission: 'manage:Principal (not on oneself)',
    });
  }
  return dataSource.transaction(async (manager) => {
    const principal = await manager.findOne(PrincipalEntity, {
      where: { id },
      relations: { organization: true },
      lock: { mode: 'pessimistic_write', tables: ['principal'] },
    });
    if (!principal?.organization)
      throw badUserInput(`No principal with id ${id}; use an id returned by createPrincipal.`);
    const was = principal.disabledAt;
    if ((was !== null) !== disabled) {
      principal.disabledAt = disabled ? new Date() : null;
      await manager.update(PrincipalEntity, { id }, { disabledAt: principal.disabledAt });
    }
    await audit.record(actor, {
      operation,
      decision: 'allowed',
      target: `principal:${id}`,
      reason: reason?.trim() || undefined,
      query: { role: principal.role, wasDisabled: was !== null, disabled },
    });
    return mapPrincipal(principal, principal.organization);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** At most this many ids per lookup. */
export const MAX_LOOKUP_IDS = 100;

function uniqueIds(ids: string[], field: string): string[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0 || unique.length > MAX_LOOKUP_IDS) {
    throw badUserInput(`${field}: give 1 to ${MAX_LOOKUP_IDS} ids, got ${unique.length}.`);
  }
  const bad = unique.find((id) => !UUID.test(id));
  if (bad !== undefined)
    throw badUserInput(`${field}: "${bad}" is not an id; ids are UUIDs (principalId, organizationId).`);
  return unique;
}

/** A stored principal id, or null for actors that are no stored principal (the console, tests' stand-ins). */
export function asPrincipalId(id: string | undefined): string | null {
  return id !== undefined && UUID.test(id) ? id : null;
}

export function assertOrganizationShape(org: NewOrganizationInput): void {
  if (org.kind === 'department' && !org.departmentCode) {
    throw badUserInput(
      'A department organization needs organization.departmentCode (its department.code, e.g. 320500-housing).',
    );
  }
  if (org.kind !== 'department' && org.departmentCode) {
    throw badUserInput('Only department organizations have a departmentCode; leave it out for this kind.');
  }
}

export async function insertOrganization(
  manager: EntityManager,
  org: NewOrganizationInput,
): Promise<OrganizationEntity> {
  const entity = manager.create(OrganizationEntity, {
    id: randomUUID(),
    kind: org.kind as OrganizationKind,
    nameZh: org.nameZh,
    nameEn: org.nameEn,
    departmentCode: org.departmentCode ?? null,
  });
  return manager.save(entity);
}

export async function insertPrincipal(
  manager: EntityManager,
  p: Pick<PrincipalEntity, 'name' | 'role' | 'organizationId' | 'oidcSubject'> & { createdById?: string | null },
): Promise<PrincipalEntity> {
  return manager.save(manager.create(PrincipalEntity, { id: randomUUID(), disabledAt: null, createdById: null, ...p }));
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const driverError =
    err instanceof QueryFailedError ? (err.driverError as { code?: string; constraint?: string }) : {};
  return driverError.code === '23505' && driverError.constraint === constraint;
}
