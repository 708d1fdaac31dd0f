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
          const operation = ctx.operation ? cachedOperationLabel(ctx.schema, ctx.operation) : 'invalid';
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

/**
 * Apollo keeps one parsed document per distinct query text, so the label of each of its operations
 * is worked out once (per schema: a schema is replaced, never changed).
 */
const labels = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, string>>();

function cachedOperationLabel(schema: GraphQLSchema, operation: OperationDefinitionNode): string {
  let bySchema = labels.get(schema);
  if (!bySchema) labels.set(schema, (bySchema = new WeakMap()));
  let label = bySchema.get(operation);
  if (label === undefined) bySchema.set(operation, (label = operationLabel(schema, operation)));
  return label;
}

/** The root field an operation asks for, if it is one field of the schema's root type. */
export function operationLabel(schema: GraphQLSchema, operation: OperationDefinitionNode): string {
  const root = schema.getRootType(operation.operation);
  const names = new Set(
    operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : ['other'])),
  );
  if (names.size !== 1) return names.size === 0 ? 'other' : 'multiple';
  const [name] = names;
  return root?.getFields()[name] || name === '__schema' || name === '__type' || name === '__typename' ? name : 'other';
}
