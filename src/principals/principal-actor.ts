import type { Actor } from '../access-policy/actor.js';
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
}

/** Select list for `principal p JOIN organization o`, producing a PrincipalRow. */
export const PRINCIPAL_COLUMNS = `p.id AS principal_id, p.name AS principal_name, p.role AS principal_role,
  p.disabled_at AS principal_disabled_at, o.id AS organization_id, o.kind AS organization_kind,
  o.department_code AS department_code`;

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
