import { GraphQLFormattedError } from 'graphql';
import { GatewayError, isErrorCode } from '../common/gateway-error.js';
import { classifyInfrastructureError, rootCause } from '../common/infrastructure-errors.js';
import { documentOverLimit, tokenLimitMessage } from './query-limits.js';

/** Apollo's own codes for requests that never reached a resolver: all the caller's to fix. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_FOUND',
]);

/** Apollo's transport messages that name the server software, reworded. */
const REWORDED: [RegExp, string][] = [
  [/^Apollo Server supports only GET\/POST requests\.$/, 'Only GET and POST are allowed on /graphql.'],
  [
    /^Operation batching disabled\.$/,
    'Batched operations (a JSON array body) are not accepted; send one operation per request.',
  ],
  [
    /^Apollo [Ss]erver received an operation that uses incremental delivery.*/s,
    'Incremental delivery (@defer, @stream) is not supported; remove those directives.',
  ],
];

function reword(message: string): string {
  for (const [pattern, replacement] of REWORDED) if (pattern.test(message)) return replacement;
  return withoutSuggestions(message);
}

/** "Did you mean ...?" reveals schema names: removed for everyone, on every error. */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '').trim();
}

function fromGatewayError(error: GatewayError, formatted: GraphQLFormattedError): GraphQLFormattedError {
  const { stacktrace: _s, exception: _e, http: _h, ...rest } = (error.extensions ?? {}) as Record<string, unknown>;
  return {
    message: error.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { ...rest, code: error.code },
  };
}

/**
 * Every error leaves with one of the public error codes (src/common/gateway-error.ts) and nothing internal: no stack, no SQL,
 * no class names, no field suggestions. Database failures are mapped in one place
 * (`classifyInfrastructureError`); other unexpected errors become SERVICE_UNAVAILABLE
 * with a generic message; the log keeps the detail under the request id.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const cause = rootCause(error);
  // Apollo rewraps validation-rule errors (graphql-armor's QUERY_TOO_COMPLEX) as GRAPHQL_VALIDATION_FAILED.
  if (cause instanceof GatewayError) return fromGatewayError(cause, formatted);
  const infrastructure = classifyInfrastructureError(error);
  if (infrastructure) return fromGatewayError(infrastructure, formatted);
  const tokenLimit = tokenLimitMessage(formatted.message);
  if (tokenLimit) return fromGatewayError(documentOverLimit(tokenLimit), formatted);

  const code = formatted.extensions?.code;
  if (isErrorCode(code)) {
    const { stacktrace: _s, exception: _e, ...rest } = formatted.extensions ?? {};
    return {
      message: withoutSuggestions(formatted.message),
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...rest, code },
    };
  }
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    return {
      message: reword(formatted.message),
      locations: formatted.locations,
      extensions: { code: 'BAD_USER_INPUT' },
    };
  }
  return {
    message: 'Something went wrong on our side; retry, and quote the X-Request-Id response header if it persists.',
    path: formatted.path,
    extensions: { code: 'SERVICE_UNAVAILABLE' },
  };
}
