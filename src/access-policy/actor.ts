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
  /** Request id and client address of the request this actor made, for the audit log. */
  requestId?: string;
  clientAddress?: string;
}

export const PUBLIC_ACTOR: Actor = Object.freeze<Actor>({ role: 'public', authMethod: 'none' });
