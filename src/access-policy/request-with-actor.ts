import { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { IncomingMessage } from 'node:http';
import { rawRequest } from '../common/request-url.js';
import { Actor } from './actor.js';

/**
 * The Node.js request, as Nest middleware sees it under Fastify (@fastify/middie copies the
 * request id, the client address as TRUST_PROXY allows it, and the URL as received onto it).
 * Controllers, guards and GraphQL get Fastify's request, whose `raw` is this one:
 * `requestFromContext` and the GraphQL context hand on `raw`, so the actor the rate limiter
 * authenticated is the one the guard finds.
 */
export type RequestWithActor = IncomingMessage & {
  /** The client address (Fastify's `request.ip`, X-Forwarded-For only from TRUST_PROXY). */
  ip?: string;
  /** The URL as received, before a middleware mount path was cut off. */
  originalUrl?: string;
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
  return rawRequest(context.switchToHttp().getRequest<RequestWithActor | { raw: RequestWithActor }>());
}
