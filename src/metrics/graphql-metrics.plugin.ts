import { ApolloServerPlugin } from '@apollo/server';
import { MetricsService } from './metrics.service.js';

/** Counts and times every GraphQL operation, labelled by operation name and outcome. */
export function graphqlMetricsPlugin(metrics: MetricsService): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(ctx) {
          const operation = metrics.operationLabel(ctx.operationName ?? ctx.request.operationName);
          const type = ctx.operation?.operation ?? 'invalid';
          const errors =
            ctx.errors ?? (ctx.response.body.kind === 'single' ? ctx.response.body.singleResult.errors : undefined);
          const outcome =
            errors && errors.length > 0
              ? typeof errors[0].extensions?.code === 'string'
                ? errors[0].extensions.code
                : 'ERROR'
              : 'ok';
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.graphqlOperations.inc({ operation, type, outcome });
          metrics.graphqlDuration.observe({ operation, type }, seconds);
        },
      };
    },
  };
}
