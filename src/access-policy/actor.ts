import type { Permission } from './permissions.js';
import type { Role } from './roles.js';

/** The roles are defined in one place, `roles.ts` (docs/identity.md, "Roles"); `public` is anyone without credentials. */
export { ROLES } from './roles.js';
export type { PrincipalRole, Role } from './roles.js';

/**
 * Who is acting. Services take it as their first argument so that authorization
 * and audit always know who acted.
 */
export interface Actor {
  role: Role;
  /** Undefined for the public. */
  principalId?: string;
  principalName?: string;
  organizationId?: string;
  /** The API key used, if any; a key can only narrow what its principal has. */
  apiKeyId?: string;
  /**
   * The key's scopes, when the key is limited to some permissions: the ability is the
   * role's rules intersected with these. Undefined means everything the role has.
   */
  scopes?: readonly Permission[];
  /** How the caller proved who it is. */
  authMethod: 'none' | 'api-key' | 'oidc';
  /** For the department role: the department code (department.code) whose own cases it sees in detail. */
  departmentCode?: string;
  /**
   * The principal's licences, when its credential's verifier read them in the same statement as the
   * credential (the API key lookup: on the primary, for this request, nothing kept beyond it). The
   * licence check then needs no read of its own; undefined means it reads the licence itself.
   */
  licences?: readonly HeldLicence[];
  /** Request id and client address of the request this actor made, for the audit log. */
  requestId?: string;
  clientAddress?: string;
}

/** A licence as the licence check needs it (licensing's LicenseEntity, the columns it reads). */
export interface HeldLicence {
  /** The numeric id (`L-12` is `12`). */
  id: string;
  principalId: string;
  status: string;
  statusReason: string | null;
  /** YYYY-MM-DD, Asia/Shanghai days, as the `date` columns read. */
  validFrom: string;
  validTo: string;
  /** The licence's dataset scopes (licensing's DatasetScope[]). */
  scopes: readonly { dataset: string }[];
  dailyQuota: number;
}

export const PUBLIC_ACTOR: Actor = Object.freeze<Actor>({ role: 'public', authMethod: 'none' });
