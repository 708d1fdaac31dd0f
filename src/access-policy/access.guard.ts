import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden } from '../common/gateway-error.js';
import { ALLOW_KEY } from './allow.decorator.js';
import { AuthenticationService } from './authentication.service.js';
import { CaslAbilityFactory } from './casl-ability.factory.js';
import { Permission, splitPermission } from './permissions.js';
import { requestFromContext } from './request-with-actor.js';
import { roleDefinition } from './roles.js';

/** The one global guard: authenticates, then denies whatever the handler does not explicitly allow. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
    private readonly abilities: CaslAbilityFactory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<Permission[] | undefined>(ALLOW_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const actor = await this.authentication.authenticateRequest(requestFromContext(context));
    if (!required || required.length === 0) {
      throw forbidden('This operation is not available to anyone.', { missingPermission: 'none declared' });
    }
    const ability = this.abilities.createForActor(actor);
    if (required.some((p) => ability.can(...splitPermission(p)))) return true;
    const needs = `it needs the permission ${required.join(' or ')}`;
    let message = `Your role (${actor.role}) may not do this; ${needs}.`;
    if (!roleDefinition(actor.role).account) {
      message = `The public may not do this; ${needs}. Send an API key as "Authorization: Bearer hgw_...".`;
    } else if (actor.scopes) {
      const roleAbility = this.abilities.createForActor({ ...actor, scopes: undefined });
      if (required.some((p) => roleAbility.can(...splitPermission(p)))) {
        message = `This API key is limited to its scopes; ${needs}. Use a key whose scopes include it.`;
      }
    }
    throw forbidden(message, { missingPermission: required.join(' | ') });
  }
}
