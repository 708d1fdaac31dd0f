import { ApolloServerPlugin, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { Logger } from '@nestjs/common';
import { FieldNode, GraphQLError, Kind } from 'graphql';
import type { Actor } from '../access-policy/actor.js';
import { auditActorOf, type RequestWithActor } from '../access-policy/request-with-actor.js';
import { AuditService } from './audit.service.js';

/** Error codes that mean "refused by policy": each such refusal is an audited access. */
export const DENIAL_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'LICENSE_REQUIRED',
  'LICENSE_INACTIVE',
  'OUT_OF_LICENSE_SCOPE',
  'QUOTA_EXCEEDED',
]);

/** At most this many denied root fields recorded per request (aliases could repeat one field). */
const MAX_PER_REQUEST = 10;

type Context = { req?: RequestWithActor };

/**
 * Records refusals that no resolver recorded: the global guard throws FORBIDDEN or
 * UNAUTHENTICATED before any resolver runs, and services may throw licence and quota
 * errors. One event per denied root field, and a single event for an unauthenticated
 * request however many fields it asked for, so a flood adds one line per request.
 * Runs before the response is sent.
 */
@Plugin()
export class AuditDenialsPlugin implements ApolloServerPlugin<Context> {
  private readonly logger = new Logger(AuditDenialsPlugin.name);

  constructor(private readonly audit: AuditService) {}

  requestDidStart(): Promise<GraphQLRequestListener<Context>> {
    return Promise.resolve({
      didEncounterErrors: (ctx) => this.recordDenials(ctx),
    });
  }

  private async recordDenials(ctx: GraphQLRequestContext<Context>): Promise<void> {
    const denials = new Map<string, GraphQLError>();
    for (const err of ctx.errors ?? []) {
      const code = err.extensions?.code;
      if (typeof code !== 'string' || !DENIAL_CODES.has(code) || !err.path || err.path.length === 0) continue;
      const field = this.rootFieldName(ctx, String(err.path[0]));
      if (!denials.has(field)) denials.set(field, err);
    }
    if (denials.size === 0) return;
    const req = ctx.contextValue.req;
    const requestId = req?.id === undefined ? undefined : String(req.id);
    // The request's own actor object (never its client-chosen X-Request-Id) ties together the
    // denials already recorded in this request, so each is recorded once and none is skipped.
    const actor: Actor = auditActorOf(req) ?? {
      role: 'public',
      authMethod: 'none',
      requestId,
      clientAddress: req?.ip,
    };
    const already = this.audit.takeRecordedDenials(actor);
    const operationType = ctx.operation?.operation ?? 'query';
    const fields = [...denials.keys()];
    const entries = [...denials.entries()].filter(([field]) => !already.has(field));
    const unauthenticated = entries.find(([, e]) => e.extensions?.code === 'UNAUTHENTICATED');
    const toRecord = unauthenticated ? [unauthenticated] : entries.slice(0, MAX_PER_REQUEST);
    try {
      await Promise.all(
        toRecord.map(([field, err]) =>
          this.audit.record(actor, {
            operation: field,
            decision: 'denied',
            reason: `${String(err.extensions?.code)}: ${err.message}`,
            query: { operationType, deniedFields: fields },
          }),
        ),
      );
    } catch {
      // The response is already a refusal and carries no data; the failure is logged by the service.
      this.logger.error(`denial of ${fields.join(', ')} not recorded (request ${requestId ?? '?'})`);
    }
  }

  /** The field name behind a response key (an alias names the key, not the field). */
  private rootFieldName(ctx: GraphQLRequestContext<Context>, responseKey: string): string {
    const selection = ctx.operation?.selectionSet.selections.find(
      (s): s is FieldNode => s.kind === Kind.FIELD && (s.alias?.value ?? s.name.value) === responseKey,
    );
    return selection?.name.value ?? responseKey;
  }
}
