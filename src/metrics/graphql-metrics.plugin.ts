import { ApolloServerPlugin } from '@apollo/server';
import { GraphQLSchema, Kind, OperationDefinitionNode } from 'graphql';
import { MetricsService } from './metrics.service.js';

/**
 * Counts and times every GraphQL operation, labelled by the root field it asks for (`aggregate`,
 * `approveLicense`, ...), type and outcome. The label is a field of the schema or `multiple`,
 * `other` or `invalid`: never the client's operation name, which a caller could vary without end.
 */
export function graphqlMetricsPlugin(metrics: MetricsService): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(ctx) {
          const operation = ctx.operation ? operationLabel(ctx.schema, ctx.operation) : 'invalid';
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

/** The root field an operation asks for, if it is one field of the schema's root type. */
export function operationLabel(schema: GraphQLSchema, operation: OperationDefinitionNode): string {
  // One pass, no allocation: every request is labelled.
  let name: string | undefined;
  for (const s of operation.selectionSet.selections) {
    const field = s.kind === Kind.FIELD ? s.name.value : 'other';
    if (name !== undefined && field !== name) return 'multiple';
    name = field;
  }
  if (name === undefined) return 'other';
  const root = schema.getRootType(operation.operation);
  return root?.getFields()[name] || name === '__schema' || name === '__type' || name === '__typename' ? name : 'other';
}
