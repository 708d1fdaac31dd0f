import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriverConfig } from '@nestjs/apollo';
import { diagnosticSwitch } from '../config/diagnostic-switch.js';
import { graphqlMetricsPlugin } from '../metrics/graphql-metrics.plugin.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CompiledExecutor } from './compiled-executor.js';
import { formatError } from './format-error.js';
import { inputHygienePlugin } from './input-hygiene.plugin.js';
import { PARSE_OPTIONS, QUERY_LIMITS, queryLimitProtection } from './query-limits.js';
import type { AppConfig } from '../config/app-config.js';

/**
 * Apollo options: code-first schema in memory, errors masked, query limits (graphql-armor),
 * no batching, CSRF prevention, metrics on every operation. Apollo's cache-control plugin is off:
 * nothing here sets cache hints (responses are per caller and audited), and its per-field hook costs
 * time on every cell of an aggregate result.
 */
export function graphqlOptions(
  metrics: MetricsService,
  config: Pick<AppConfig, 'graphqlIntrospection'>,
): Omit<ApolloDriverConfig, 'driver'> {
  const limits = queryLimitProtection();
  // The rows and cells of aggregate results are plain data: read inline, not resolved per field.
  // `HGW_GRAPHQL_EXECUTOR=interpreted` executes with graphql-js (benchmarks compare the two; a
  // fallback should graphql-jit ever misbehave).
  const compiled = diagnosticSwitch('HGW_GRAPHQL_EXECUTOR', 'compiled', 'interpreted')
    ? new CompiledExecutor(['AggregateRow', 'AggregateCell'])
    : undefined;
  return {
    ...(compiled ? { transformSchema: compiled.captureSchema, gateway: compiled } : {}),
    autoSchemaFile: true,
    sortSchema: true,
    path: '/graphql',
    playground: false,
    // The schema is the open-data catalog's public contract; GRAPHQL_INTROSPECTION=false hides it.
    introspection: config.graphqlIntrospection,
    includeStacktraceInErrorResponses: false,
    // GET and simple POSTs need a preflight-forcing header (e.g. `apollo-require-preflight: 1`).
    csrfPrevention: true,
    // An array body is one request doing many operations: it would bypass per-request limits.
    allowBatchedHttpRequests: false,
    parseOptions: PARSE_OPTIONS,
    validationRules: limits.validationRules,
    // graphql-js stops validating after this many errors: a document of 10,000 mistakes costs no more.
    validationOptions: { maxErrors: QUERY_LIMITS.maxValidationErrors },
    formatError,
    // Apollo's Fastify integration passes Fastify's request and reply: resolvers, guards and plugins
    // get the Node.js request (`raw`), the one the rate limiter authenticated (request-with-actor.ts).
    context: (request: { raw: unknown }, reply: unknown) => ({ req: request.raw, res: reply }),
    plugins: [
      ...limits.plugins,
      inputHygienePlugin(),
      graphqlMetricsPlugin(metrics),
      ApolloServerPluginCacheControlDisabled(),
    ],
  };
}
