import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Request } from 'express';
import { forbidden } from '../common/gateway-error.js';
import { Actor } from './actor.js';
import { ALLOW_KEY } from './allow.decorator.js';
import { AuthenticationService } from './authentication.service.js';
import { CaslAbilityFactory } from './casl-ability.factory.js';
import { Permission, splitPermission } from './permissions.js';
import { roleDefinition } from './roles.js';

export type RequestWithActor = Request & {
  actor?: Actor;
  id?: string | number;
  /**
   * Who the audit log records when the request's credentials were refused: the public role, with
   * the request id, the address and the presented key's lookup id. One object per request, so every
   * recorder of the request's denials sees the same actor and none records a denial twice.
   */
  refusedActor?: Actor;
};

/** The actor a request's audit events are recorded under (the refused one when its credentials were refused). */
export function auditActorOf(req: RequestWithActor | undefined): Actor | undefined {
  return req?.actor ?? req?.refusedActor;
}

export function requestFromContext(context: ExecutionContext): RequestWithActor {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: RequestWithActor }>().req;
  }
  return context.switchToHttp().getRequest<RequestWithActor>();
}

/** Authenticates the request once (later calls reuse `req.actor`); throws UNAUTHENTICATED. */
export async function authenticateRequest(
  req: RequestWithActor,
  authentication: AuthenticationService,
): Promise<Actor> {
  if (!req.actor) {
    let authenticated: Actor;
    try {
      authenticated = await authentication.authenticate(req.headers?.authorization);
    } catch (err) {
      req.refusedActor ??= {
        role: 'public',
        authMethod: 'none',
        apiKeyId: authentication.presentedKeyId(req.headers?.authorization),
        requestId: req.id === undefined ? undefined : String(req.id),
        clientAddress: req.ip,
      };
      throw err;
    }
    req.actor = {
      ...authenticated,
      requestId: req.id === undefined ? undefined : String(req.id),
      clientAddress: req.ip,
    };
  }
  return req.actor;
}

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
    const actor = await authenticateRequest(requestFromContext(context), this.authentication);
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
