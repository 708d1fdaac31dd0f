import { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import type { RequestWithActor } from '../access-policy/request-with-actor.js';
import { AUDIT_UNAVAILABLE_MESSAGE, AuditRecorder } from './audit-recorder.js';

type Context = { req?: RequestWithActor };

/**
 * The last step before a GraphQL response leaves: it waits until every audit event of the request
 * is durably stored. Resolvers may therefore start their audit write and finish building the
 * result while it commits (the write overlaps the rest of the request instead of adding to it).
 * If any of the request's audit writes failed, the whole response is replaced by
 * SERVICE_UNAVAILABLE with `data: null`: nothing unaudited is released. Otherwise the response's
 * `extensions.auditEventIds` lists the events the request stored (the portal shows a steward the
 * event of each licence decision this way; stewards may not read the log itself).
 */
@Plugin()
export class AuditBarrierPlugin implements ApolloServerPlugin<Context> {
  constructor(private readonly audit: AuditRecorder) {}

  requestDidStart(): Promise<GraphQLRequestListener<Context>> {
    return Promise.resolve({
      willSendResponse: async ({ contextValue, response }) => {
        const actor = contextValue.req?.actor;
        if (!actor) return;
        if (await this.audit.settleBeforeResponse(actor)) {
          const ids = this.audit.storedIds(actor);
          if (ids.length > 0 && response.body.kind === 'single') {
            // A new result object: the executor's result may be frozen (e.g. a remembered error).
            const result = response.body.singleResult;
            response.body = {
              kind: 'single',
              singleResult: { ...result, extensions: { ...result.extensions, auditEventIds: ids } },
            };
          }
          return;
        }
        response.body = {
          kind: 'single',
          singleResult: {
            data: null,
            errors: [{ message: AUDIT_UNAVAILABLE_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }],
          },
        };
      },
    });
  }
}
