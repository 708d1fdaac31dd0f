import { subject } from '@casl/ability';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { CaslAbilityFactory } from '../access-policy/casl-ability.factory.js';
import { ROLES, roleDefinition } from '../access-policy/roles.js';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { DatasetEntity } from '../datasets/dataset.entity.js';
import { badUserInput, forbidden, GatewayError } from '../common/gateway-error.js';
import { LicenseNarrowingInput } from './dto/license-decision.input.js';
import { LicenseDatasetScopeInput } from './dto/license-scope.input.js';
import { LicenseType } from './dto/license.type.js';
import { RequestLicenseInput } from './dto/request-license.input.js';
import { LicenseEntity, LicenseStatus } from './license.entity.js';
import { effectiveStatus, toLicenseType } from './license-mapper.js';
import {
  allowsFineDetail,
  DatasetScope,
  formatLicenseId,
  OBLIGATIONS,
  parseLicenseId,
  validateScope,
  wideningsOf,
} from './license-scope.js';
import { localDay } from './quota-day.js';

const MAX_VALIDITY_DAYS = 3 * 366;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The licence lifecycle: request, approve (narrowing only), reject, suspend, reinstate, revoke. */
@Injectable()
export class LicensingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly abilities: CaslAbilityFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async request(actor: Actor, input: RequestLicenseInput): Promise<LicenseType> {
    if (!actor.principalId || !this.abilities.createForActor(actor).can('request', 'License')) {
      const requesters = ROLES.filter((role) => roleDefinition(role).licenceKind !== undefined);
      throw forbidden(`Only these roles request licences: ${requesters.join(', ')}.`, {
        missingPermission: 'request:License',
      });
    }
    const missing = OBLIGATIONS.filter((o) => !input.acceptObligations.includes(o));
    if (missing.length > 0) {
      throw badUserInput(`A licence needs every obligation accepted; add ${missing.join(', ')} to acceptObligations.`, {
        validChoices: OBLIGATIONS,
      });
    }
    this.checkValidity(input.validFrom, input.validTo);
    const scopes = await this.toScopes(input.datasets);
    const acceptedAt = this.clock.now().toISOString();
    const license = await this.dataSource.transaction(async (em) => {
      const row = em.create(LicenseEntity, {
        principalId: actor.principalId,
        organizationId: actor.organizationId ?? null,
        requestedById: actor.principalId,
        kind: roleDefinition(actor.role).licenceKind ?? 'research',
        purpose: input.purpose.trim(),
        scopes,
        validFrom: input.validFrom,
        validTo: input.validTo,
        obligations: OBLIGATIONS.map((code) => ({ code, acceptedAt })),
        dailyQuota: input.dailyQuota,
        status: 'requested',
        statusChangedAt: this.clock.now(),
      });
      const saved = await em.save(row);
      // Audited before commit: if the audit write fails, the request is rolled back.
      await this.audit.record(actor, {
        operation: 'requestLicense',
        decision: 'allowed',
        licenseId: formatLicenseId(saved.id),
        target: `license:${formatLicenseId(saved.id)}`,
        query: { datasets: scopes, validFrom: input.validFrom, validTo: input.validTo, dailyQuota: input.dailyQuota },
      });
      return saved;
    });
    return toLicenseType(license, this.clock.now(), { today: 0, total: 0 });
  }

  /**
   * Approves a request (four eyes: never by a steward who requested it, created its requester or
   * minted the requester's keys). Where LICENSE_SECOND_APPROVAL asks for two stewards, the first
   * approval is recorded and the licence stays requested until a different steward approves too.
   */
  async approve(actor: Actor, id: string, narrowing: LicenseNarrowingInput | undefined): Promise<LicenseType> {
    return this.decide(actor, id, 'approveLicense', ['requested'], async (license, em) => {
      await this.checkFourEyes(em, actor, license);
      const changes: Partial<LicenseEntity> = { status: 'active', statusReason: null };
      if (narrowing?.datasets) {
        const narrowed = await this.toScopes(narrowing.datasets);
        const problems: string[] = [];
        for (const scope of narrowed) {
          const requested = license.scopes.find((s) => s.dataset === scope.dataset);
          if (!requested) {
            problems.push(`${scope.dataset}: was not requested`);
            continue;
          }
          const definition = await this.definitionOf(scope.dataset);
          problems.push(...wideningsOf(requested, scope, definition));
        }
        if (problems.length > 0) {
          throw badUserInput(`Approval may narrow a request, never widen it: ${problems.join('; ')}.`);
        }
        changes.scopes = narrowed;
      }
      if (narrowing?.validTo !== undefined) {
        if (narrowing.validTo > license.validTo || narrowing.validTo < license.validFrom) {
          throw badUserInput(`validTo may only move earlier, within ${license.validFrom} to ${license.validTo}.`);
        }
        changes.validTo = narrowing.validTo;
      }
      if (narrowing?.dailyQuota !== undefined) {
        if (narrowing.dailyQuota > license.dailyQuota) {
          throw badUserInput(`dailyQuota may only be lowered, to at most the requested ${license.dailyQuota}.`);
        }
        changes.dailyQuota = narrowing.dailyQuota;
      }
      const granted = changes.scopes ?? license.scopes;
      const needed = await this.approvalsNeeded(granted);
      const note: Record<string, unknown> = narrowing ? { narrowed: narrowing } : {};
      if (needed === 2) {
        const label = formatLicenseId(license.id);
        if (license.firstApprovedById === null) {
          // First of two: recorded, the licence stays requested.
          Object.assign(changes, {
            status: 'requested',
            firstApprovedById: actor.principalId ?? null,
            firstApprovedAt: this.clock.now(),
          });
          return { changes, note: { ...note, approvals: 1, approvalsNeeded: 2 }, keepDecider: true };
        }
        if (license.firstApprovedById === actor.principalId) {
          throw forbidden(
            `Licence ${label} allows fine detail and needs a second steward's approval; you gave the first. Ask another steward.`,
            { missingPermission: 'decide:License (a second, different steward)' },
          );
        }
        return {
          changes,
          note: { ...note, approvals: 2, approvalsNeeded: 2, firstApprovedById: license.firstApprovedById },
        };
      }
      return { changes, note: narrowing ? note : undefined };
    });
  }

  /** 2 when LICENSE_SECOND_APPROVAL covers this grant (all licences, or those allowing fine detail). */
  private async approvalsNeeded(scopes: DatasetScope[]): Promise<1 | 2> {
    const rule = this.config.licenseSecondApproval;
    if (rule === 'off') return 1;
    if (rule === 'all') return 2;
    for (const scope of scopes) {
      if (allowsFineDetail(scope, await this.definitionOf(scope.dataset))) return 2;
    }
    return 1;
  }

  /**
   * Four eyes: a steward who created the licensee, minted one of its API keys, or requested the
   * licence could grant data to an identity it controls; such a steward may not approve it.
   */
  private async checkFourEyes(em: EntityManager, actor: Actor, license: LicenseEntity): Promise<void> {
    const label = formatLicenseId(license.id);
    const me = actor.principalId;
    if (!me) return;
    const ids = [...new Set([license.principalId, license.requestedById])].filter((id) => UUID.test(id));
    if (ids.length === 0) return;
    const [row] = await em.query<{ created: boolean; keyed: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM principal WHERE id = ANY($1::uuid[]) AND created_by_id::text = $2) AS created,
              EXISTS (SELECT 1 FROM api_key WHERE principal_id = ANY($1::uuid[]) AND created_by_id::text = $2) AS keyed`,
      [ids, me],
    );
    if (row.created || row.keyed) {
      throw forbidden(
        `You may not approve licence ${label}: you ${row.created ? 'created the account' : 'issued an API key'} of its licensee, so another steward must approve it (four eyes).`,
        { missingPermission: 'decide:License (four eyes: not for an account you created or keyed)' },
      );
    }
  }

  reject(actor: Actor, id: string, reason: string): Promise<LicenseType> {
    return this.decide(actor, id, 'rejectLicense', ['requested'], async () => ({
      changes: { status: 'rejected', statusReason: reason.trim() },
    }));
  }

  suspend(actor: Actor, id: string, reason: string): Promise<LicenseType> {
    return this.decide(actor, id, 'suspendLicense', ['active'], async () => ({
      changes: { status: 'suspended', statusReason: reason.trim() },
    }));
  }

  reinstate(actor: Actor, id: string, reason: string): Promise<LicenseType> {
    return this.decide(actor, id, 'reinstateLicense', ['suspended'], async () => ({
      changes: { status: 'active', statusReason: reason.trim() },
    }));
  }

  revoke(actor: Actor, id: string, reason: string): Promise<LicenseType> {
    return this.decide(actor, id, 'revokeLicense', ['active', 'suspended'], async () => ({
      changes: { status: 'revoked', statusReason: reason.trim() },
    }));
  }

  async list(actor: Actor, status: string | undefined): Promise<LicenseType[]> {
    if (
      status !== undefined &&
      !['requested', 'active', 'rejected', 'suspended', 'revoked', 'expired'].includes(status)
    ) {
      throw badUserInput(`Unknown status "${status}".`, {
        validChoices: ['requested', 'active', 'rejected', 'suspended', 'revoked', 'expired'],
      });
    }
    const qb = this.dataSource.getRepository(LicenseEntity).createQueryBuilder('l').orderBy('l.id', 'ASC');
    if (!this.seesAll(actor)) qb.andWhere('l.principal_id = :me', { me: actor.principalId ?? '' });
    const today = localDay(this.clock.now());
    if (status === 'expired') {
      qb.andWhere(`l.status = 'expired' OR (l.status = 'active' AND l.valid_to < :today)`, { today });
    } else if (status === 'active') {
      qb.andWhere(`l.status = 'active' AND l.valid_to >= :today`, { today });
    } else if (status !== undefined) {
      qb.andWhere('l.status = :status', { status });
    }
    const rows = await qb.getMany();
    return this.withUsage(rows);
  }

  async findOne(actor: Actor, id: string): Promise<LicenseType | null> {
    const numeric = parseLicenseId(id);
    if (numeric === undefined) throw badUserInput(`"${id}" is not a licence id; licence ids look like L-12.`);
    const row = await this.dataSource.getRepository(LicenseEntity).findOneBy({ id: numeric });
    if (!row || (!this.seesAll(actor) && row.principalId !== actor.principalId)) return null;
    const [mapped] = await this.withUsage([row]);
    return mapped;
  }

  private seesAll(actor: Actor): boolean {
    // Stewards and auditors hold read:License without conditions; licensees only their own rows.
    return this.abilities.createForActor(actor).can('read', subject('License', { principalId: '\u0000nobody' }));
  }

  private async withUsage(rows: LicenseEntity[]): Promise<LicenseType[]> {
    if (rows.length === 0) return [];
    const now = this.clock.now();
    const usage = await this.dataSource.query<{ license_id: string; today: string; total: string }[]>(
      `SELECT license_id, COALESCE(SUM(queries) FILTER (WHERE day = $2), 0) AS today, SUM(queries) AS total
         FROM license_usage WHERE license_id = ANY($1::bigint[]) GROUP BY license_id`,
      [rows.map((r) => r.id), localDay(now)],
    );
    const byId = new Map(usage.map((u) => [String(u.license_id), { today: Number(u.today), total: Number(u.total) }]));
    return rows.map((r) => toLicenseType(r, now, byId.get(String(r.id)) ?? { today: 0, total: 0 }));
  }

  /**
   * One governance decision: loads the licence under a row lock, checks separation of duties and
   * the allowed transition, applies the change and writes the audit event in the same transaction.
   */
  private async decide(
    actor: Actor,
    id: string,
    operation: string,
    from: LicenseStatus[],
    apply: (
      license: LicenseEntity,
      em: EntityManager,
    ) => Promise<{ changes: Partial<LicenseEntity>; note?: Record<string, unknown>; keepDecider?: boolean }>,
  ): Promise<LicenseType> {
    const numeric = parseLicenseId(id);
    if (numeric === undefined) throw badUserInput(`"${id}" is not a licence id; licence ids look like L-12.`);
    const label = formatLicenseId(numeric);
    const saved = await this.dataSource.transaction(async (em: EntityManager) => {
      const license = await em
        .getRepository(LicenseEntity)
        .findOne({ where: { id: numeric }, lock: { mode: 'pessimistic_write' } });
      if (!license) throw badUserInput(`There is no licence ${label}.`);
      const ability = this.abilities.createForActor(actor);
      if (
        license.requestedById === actor.principalId ||
        license.principalId === actor.principalId ||
        !ability.can(
          'decide',
          subject('License', { principalId: license.principalId, requestedById: license.requestedById }),
        )
      ) {
        throw forbidden(
          `You may not decide licence ${label}: nobody decides a licence they requested or hold; ask another steward.`,
          {
            missingPermission: 'decide:License (separation of duties)',
          },
        );
      }
      const current = effectiveStatus(license, this.clock.now());
      if (!from.includes(current)) {
        throw new GatewayError(
          'BAD_USER_INPUT',
          `Licence ${label} is ${current}; ${operation} applies only to a licence that is ${from.join(' or ')}.`,
        );
      }
      const { changes, note, keepDecider } = await apply(license, em);
      Object.assign(
        license,
        changes,
        keepDecider ? {} : { statusChangedAt: this.clock.now(), decidedById: actor.principalId ?? null },
      );
      const result = await em.save(license);
      await this.audit.record(actor, {
        operation,
        decision: 'allowed',
        licenseId: label,
        target: `license:${label}`,
        reason: changes.statusReason ?? undefined,
        query: { from: current, to: changes.status, ...(note ?? {}) },
      });
      return result;
    });
    const [mapped] = await this.withUsage([saved]);
    return mapped;
  }

  private checkValidity(validFrom: string, validTo: string): void {
    const from = Date.parse(validFrom);
    const to = Date.parse(validTo);
    if (Number.isNaN(from) || Number.isNaN(to))
      throw badUserInput('validFrom and validTo must be real dates like 2027-01-31.');
    if (to < from) throw badUserInput(`validTo ${validTo} is before validFrom ${validFrom}.`);
    if ((to - from) / 86_400_000 > MAX_VALIDITY_DAYS)
      throw badUserInput('A licence may run for at most 3 years; choose an earlier validTo.');
    if (validTo < localDay(this.clock.now())) throw badUserInput(`validTo ${validTo} is already past.`);
  }

  private async toScopes(inputs: LicenseDatasetScopeInput[]): Promise<DatasetScope[]> {
    const problems: string[] = [];
    const scopes: DatasetScope[] = [];
    const seen = new Set<string>();
    for (const input of inputs) {
      if (seen.has(input.dataset)) problems.push(`${input.dataset}: named twice`);
      seen.add(input.dataset);
      const dataset = await this.dataSource
        .getRepository(DatasetEntity)
        .findOneBy({ slug: input.dataset, published: true });
      if (!dataset) {
        const all = await this.dataSource
          .getRepository(DatasetEntity)
          .find({ where: { published: true }, order: { slug: 'ASC' } });
        problems.push(`unknown dataset "${input.dataset}" (valid: ${all.map((d) => d.slug).join(', ')})`);
        continue;
      }
      if (dataset.classification === 'open') {
        problems.push(`${input.dataset} is open data and needs no licence`);
        continue;
      }
      const scope: DatasetScope = {
        dataset: input.dataset,
        dimensions: Object.fromEntries(input.dimensions.map((d) => [d.dimension, d.level])),
        ...(input.cities ? { cities: [...new Set(input.cities)] } : {}),
        ...(input.departments ? { departments: [...new Set(input.departments)] } : {}),
        ...(input.periodFrom ? { periodFrom: input.periodFrom } : {}),
        ...(input.periodTo ? { periodTo: input.periodTo } : {}),
      };
      if (input.dimensions.length !== Object.keys(scope.dimensions).length)
        problems.push(`${input.dataset}: a dimension is named twice`);
      problems.push(...validateScope(scope, dataset.definition));
      scopes.push(scope);
    }
    if (problems.length > 0) throw badUserInput(`The licence scope has problems: ${problems.join('; ')}.`);
    return scopes;
  }

  private async definitionOf(slug: string) {
    const dataset = await this.dataSource.getRepository(DatasetEntity).findOneByOrFail({ slug });
    return dataset.definition;
  }
}
