import { GraphQLFormattedError } from 'graphql';
import { isErrorCode } from './errors.js';

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

/**
 * Every error leaves with a CONTRACT.md code and nothing internal: no stack, no SQL,
 * no class names. Unexpected errors become SERVICE_UNAVAILABLE with a generic message;
 * the log keeps the detail under the request id.
 */
export function formatError(formatted: GraphQLFormattedError, _error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (isErrorCode(code)) {
    const { stacktrace: _s, exception: _e, ...rest } = formatted.extensions ?? {};
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...rest, code },
    };
  }
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    return {
      message: formatted.message,
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
