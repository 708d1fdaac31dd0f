import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError } from '../common/gateway-error.js';
import { AccessGuard } from './access.guard.js';
import { Actor } from './actor.js';
import { Allow } from './allow.decorator.js';
import { AuthenticationService } from './authentication.service.js';
import { CaslAbilityFactory } from './casl-ability.factory.js';

class Handlers {
  undeclared(): void {}
  @Allow('manage:Principal')
  stewardsOnly(): void {}
  @Allow('read:Me', 'manage:Principal')
  eitherPermission(): void {}
}

function contextFor(handler: keyof Handlers, authorization?: string): ExecutionContext {
  const req = { headers: { authorization } };
  return {
    getType: () => 'http',
    getHandler: () => Handlers.prototype[handler],
    getClass: () => Handlers,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return err instanceof GatewayError ? err.code : 'OTHER';
  }
}

describe(AccessGuard.name, () => {
  const authentication = new AuthenticationService();
  const tokens: Record<string, Actor> = {
    steward: { role: 'steward', principalId: 's', authMethod: 'api-key' },
    researcher: { role: 'researcher', principalId: 'r', authMethod: 'api-key' },
  };
  authentication.register({ verify: async (token) => tokens[token] });
  const sut = new AccessGuard(new Reflector(), authentication, new CaslAbilityFactory());

  it('denies a handler without @Allow to everyone, stewards included', async () => {
    expect(await codeOf(sut.canActivate(contextFor('undeclared', 'Bearer steward')))).toBe('FORBIDDEN');
    expect(await codeOf(sut.canActivate(contextFor('undeclared')))).toBe('FORBIDDEN');
  });

  it('denies a role without the permission and names the missing permission', async () => {
    await expect(sut.canActivate(contextFor('stewardsOnly', 'Bearer researcher'))).rejects.toThrow(
      /researcher.*needs the permission manage:Principal/,
    );
  });

  it('treats several permissions as OR', async () => {
    expect(await sut.canActivate(contextFor('eitherPermission', 'Bearer researcher'))).toBe(true);
    expect(await sut.canActivate(contextFor('stewardsOnly', 'Bearer steward'))).toBe(true);
  });

  it('rejects unknown tokens and malformed headers as UNAUTHENTICATED before looking at permissions', async () => {
    expect(await codeOf(sut.canActivate(contextFor('undeclared', 'Bearer nobody')))).toBe('UNAUTHENTICATED');
    expect(await codeOf(sut.canActivate(contextFor('stewardsOnly', 'Basic c3Rld2FyZA==')))).toBe('UNAUTHENTICATED');
  });
});

describe(`${AccessGuard.name} messages`, () => {
  const authentication = new AuthenticationService();
  authentication.register({
    verify: async (token) =>
      token === 'scoped'
        ? { role: 'steward', principalId: 's', authMethod: 'api-key', scopes: ['read:Me'] }
        : undefined,
  });
  const sut = new AccessGuard(new Reflector(), authentication, new CaslAbilityFactory());

  it('tells a scoped key that its scopes, not its role, are missing the permission', async () => {
    await expect(sut.canActivate(contextFor('stewardsOnly', 'Bearer scoped'))).rejects.toThrow(
      /API key is limited to its scopes; it needs the permission manage:Principal/,
    );
  });

  it('tells the public to send credentials', async () => {
    await expect(sut.canActivate(contextFor('stewardsOnly'))).rejects.toThrow(/public may not do this.*Bearer hgw_/);
  });
});
