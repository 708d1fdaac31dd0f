import { INestApplication } from '@nestjs/common';
import { Actor } from '../../src/access-policy/actor.js';
import { AuthenticationService } from '../../src/access-policy/authentication.service.js';

/**
 * Test-only credentials until identity lands: `test-steward`, `test-researcher`, `test-auditor`,
 * `test-department-<department code>` (e.g. `test-department-320500-housing`).
 */
export function registerRoleTestActors(app: INestApplication): void {
  app.get(AuthenticationService).register({
    verify: async (token: string): Promise<Actor | undefined> => {
      const m = /^test-(steward|researcher|auditor|department)(?:-(.+))?$/.exec(token);
      if (!m) return undefined;
      const role = m[1] as Actor['role'];
      return {
        role,
        principalId: `test-${role}${m[2] ? `-${m[2]}` : ''}`,
        organizationId: `org-${role}`,
        authMethod: 'api-key',
        departmentCode: role === 'department' ? m[2] : undefined,
      };
    },
  });
}
