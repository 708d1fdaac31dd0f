import { INestApplication } from '@nestjs/common';
import type { Actor } from '../../src/access-policy/actor.js';
import { AuthenticationService } from '../../src/access-policy/authentication.service.js';

/**
 * Registers fixed bearer tokens for tests that need principals before the identity
 * feature's API keys exist: `token -> actor`. Unknown tokens stay UNAUTHENTICATED.
 */
export function registerTestActors(app: INestApplication, actors: Record<string, Omit<Actor, 'authMethod'>>): void {
  app.get(AuthenticationService).register({
    verify: async (token) => {
      const actor = actors[token];
      return actor ? { ...actor, authMethod: 'api-key' } : undefined;
    },
  });
}
