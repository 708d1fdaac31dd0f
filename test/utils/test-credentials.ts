import { INestApplication } from '@nestjs/common';
import type { Actor, Role } from '../../src/access-policy/actor.js';
import { AuthenticationService } from '../../src/access-policy/authentication.service.js';

/**
 * Test-only bearer tokens `test:<role>:<principalId>[:<departmentCode>]`, for exercising
 * role rules without going through API-key issuance. Never registered outside tests.
 */
export function registerTestCredentials(app: INestApplication): void {
  app.get(AuthenticationService).register({
    verify: async (token: string): Promise<Actor | undefined> => {
      const m = /^test:(steward|department|researcher|auditor):([\w-]+)(?::([\w-]+))?$/.exec(token);
      if (!m) return undefined;
      return {
        role: m[1] as Role,
        principalId: m[2],
        organizationId: `org-${m[2]}`,
        departmentCode: m[1] === 'department' ? (m[3] ?? '320500-housing') : undefined,
        authMethod: 'api-key',
      };
    },
  });
}

export const testActor = (role: Role, principalId: string, departmentCode?: string): Actor => ({
  role,
  principalId,
  organizationId: `org-${principalId}`,
  departmentCode,
  authMethod: 'api-key',
});
