import { ApolloDriverConfig } from '@nestjs/apollo';
import { graphqlMetricsPlugin } from '../metrics/graphql-metrics.plugin.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { formatError } from './format-error.js';

/** Apollo options: code-first schema in memory, errors masked, metrics on every operation. */
export function graphqlOptions(metrics: MetricsService): Omit<ApolloDriverConfig, 'driver'> {
  return {
    autoSchemaFile: true,
    sortSchema: true,
    path: '/graphql',
    playground: false,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    formatError,
    context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
    plugins: [graphqlMetricsPlugin(metrics)],
  };
}
