import { INestApplication } from '@nestjs/common';
import type { Actor, Role } from '../../src/access-policy/actor.js';
import { AuthenticationService } from '../../src/access-policy/authentication.service.js';
import { roleDefinition, ROLES } from '../../src/access-policy/roles.js';

const ROLE_PATTERN = ROLES.join('|');

type TestActor = Omit<Actor, 'authMethod'>;

/**
 * Test-only bearer tokens, for exercising role rules without going through API-key issuance
 * (never registered outside tests). Three forms:
 * - `test-<role>[-<suffix>]`, e.g. `test-steward`, `test-department-320500-housing`: principal
 *   `test-<role>[-<suffix>]`, organization `org-<role>`; a department's code is the suffix;
 * - `test:<role>:<principalId>[:<departmentCode>]`: that principal, organization
 *   `org-<principalId>`; a department without a code is `320500-housing`;
 * - the tokens of `named` (`token -> actor`), for tests that need particular actors.
 * Any other token stays UNAUTHENTICATED.
 */
export function registerTestCredentials(app: INestApplication, named: Record<string, TestActor> = {}): void {
  app.get(AuthenticationService).register({
    verify: async (token: string): Promise<Actor | undefined> => {
      const actor = Object.hasOwn(named, token) ? named[token] : (byRole(token) ?? byPrincipal(token));
      return actor ? { ...actor, authMethod: 'api-key' } : undefined;
    },
  });
}

function byRole(token: string): TestActor | undefined {
  const m = new RegExp(`^test-(${ROLE_PATTERN})(?:-(.+))?$`).exec(token);
  if (!m) return undefined;
  const role = m[1] as Role;
  return {
    role,
    principalId: `test-${role}${m[2] ? `-${m[2]}` : ''}`,
    organizationId: `org-${role}`,
    departmentCode: roleDefinition(role).actsForDepartment ? m[2] : undefined,
  };
}

function byPrincipal(token: string): TestActor | undefined {
  const m = new RegExp(`^test:(${ROLE_PATTERN}):([\\w-]+)(?::([\\w-]+))?$`).exec(token);
  if (!m) return undefined;
  return {
    role: m[1] as Role,
    principalId: m[2],
    organizationId: `org-${m[2]}`,
    departmentCode: roleDefinition(m[1]).actsForDepartment ? (m[3] ?? '320500-housing') : undefined,
  };
}

/** The actor a `test:<role>:<principalId>[:<departmentCode>]` token stands for, for direct service calls. */
export const testActor = (role: Role, principalId: string, departmentCode?: string): Actor => ({
  role,
  principalId,
  organizationId: `org-${principalId}`,
  departmentCode,
  authMethod: 'api-key',
});
