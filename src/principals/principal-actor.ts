import type { Actor, HeldLicence } from '../access-policy/actor.js';
import type { Permission } from '../access-policy/permissions.js';
import { roleDefinition } from '../access-policy/roles.js';
import { OrganizationType } from './dto/organization.type.js';
import { PrincipalType } from './dto/principal.type.js';
import type { OrganizationEntity } from './organization.entity.js';
import type { PrincipalEntity } from './principal.entity.js';

/** Principal and organization columns as one joined row (see PRINCIPAL_COLUMNS). */
export interface PrincipalRow {
  principal_id: string;
  principal_name: string;
  principal_role: PrincipalEntity['role'];
  principal_disabled_at: Date | null;
  organization_id: string;
  organization_kind: string;
  department_code: string | null;
  /** Every licence of the principal, whatever its status, in id order (see PRINCIPAL_COLUMNS). */
  licences: HeldLicence[];
}

/**
 * Select list for `principal p JOIN organization o`, producing a PrincipalRow. It carries the
 * principal's licences (the columns the licence check reads, all of them: a named licence that is
 * suspended, revoked or expired must be refused as such), so that a request under a licence reads
 * its credential, principal and licence in one statement: the licence is still read from the
 * primary on every request, with the credential, and a suspension applies to the next request.
 */
export const PRINCIPAL_COLUMNS = `p.id AS principal_id, p.name AS principal_name, p.role AS principal_role,
  p.disabled_at AS principal_disabled_at, o.id AS organization_id, o.kind AS organization_kind,
  o.department_code AS department_code, ${heldLicencesOf('p.id::text')} AS licences`;

/**
 * Every licence of the principal whose id (text) `principalIdSql` gives, as one JSON array of
 * HeldLicence in id order ('[]' for none): the one way the licence check's licences are read.
 */
function heldLicencesOf(principalIdSql: string): string {
  return `(SELECT coalesce(json_agg(json_build_object('id', l.id::text, 'principalId', l.principal_id, 'status', l.status,
            'statusReason', l.status_reason, 'validFrom', l.valid_from, 'validTo', l.valid_to, 'scopes', l.scopes,
            'dailyQuota', l.daily_quota) ORDER BY l.id), '[]'::json)
     FROM license l WHERE l.principal_id = ${principalIdSql})`;
}

/**
 * The principal's licences, read the same way as PRINCIPAL_COLUMNS reads them with a credential:
 * for an actor whose credential's verifier did not read them (Actor.licences undefined).
 */
export async function readHeldLicences(
  run: { query<T>(sql: string, parameters?: unknown[]): Promise<T> },
  principalId: string,
): Promise<HeldLicence[]> {
  const rows = await run.query<{ licences: HeldLicence[] }[]>(`SELECT ${heldLicencesOf('$1')} AS licences`, [
    principalId,
  ]);
  return rows[0].licences;
}

/**
 * The actor for an authenticated principal. The department code comes from the
 * organization and is set for roles that act for a department only (roles.ts, `actsForDepartment`).
 */
export function actorForPrincipal(
  row: PrincipalRow,
  credential: { authMethod: 'api-key' | 'oidc'; apiKeyId?: string; scopes?: readonly Permission[] },
): Actor {
  return {
    role: row.principal_role,
    principalId: row.principal_id,
    principalName: row.principal_name,
    organizationId: row.organization_id,
    departmentCode: roleDefinition(row.principal_role).actsForDepartment
      ? (row.department_code ?? undefined)
      : undefined,
    authMethod: credential.authMethod,
    apiKeyId: credential.apiKeyId,
    scopes: credential.scopes,
    licences: row.licences,
  };
}

export function mapOrganization(o: OrganizationEntity): OrganizationType {
  return { id: o.id, kind: o.kind, nameZh: o.nameZh, nameEn: o.nameEn, departmentCode: o.departmentCode };
}

export function mapPrincipal(p: PrincipalEntity, o: OrganizationEntity): PrincipalType {
  return {
    id: p.id,
    name: p.name,
    role: p.role,
    organization: mapOrganization(o),
    oidcSubject: p.oidcSubject,
    createdAt: p.createdAt,
    disabledAt: p.disabledAt,
  };
}
