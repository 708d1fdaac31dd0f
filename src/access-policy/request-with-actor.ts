import { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { Request } from 'express';
import { Actor } from './actor.js';

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
