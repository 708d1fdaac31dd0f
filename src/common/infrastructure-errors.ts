import { GraphQLError } from 'graphql';
import { GatewayError } from './gateway-error.js';

/**
 * SQLSTATEs and socket errors that mean "the database is not there right now": the request
 * may succeed if retried, so they become SERVICE_UNAVAILABLE. Class 08 is "connection exception".
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '57P05', // idle_session_timeout
  '53300', // too_many_connections
  '40001', // serialization_failure: retrying helps
  '40P01', // deadlock_detected: retrying helps
]);
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** pg and pg-pool report these without a code. */
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /Client has encountered a connection error/i,
  /Connection is not established/i,
  /Client was closed/i,
];
/** String data the database cannot store (NUL bytes, bad encoding): the caller's to fix. */
const INPUT_SQLSTATES = new Set(['22021', '22P05']);

export const QUERY_CANCELED = '57014';

/** Follows GraphQL and TypeORM wrappers down to the error that was first thrown. */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 10; i += 1) {
    if (current instanceof GatewayError) return current;
    if (current instanceof GraphQLError && current.originalError) {
      current = current.originalError;
      continue;
    }
    const driverError = (current as { driverError?: unknown } | null)?.driverError;
    if (driverError && driverError !== current) {
      current = driverError;
      continue;
    }
    break;
  }
  return current;
}

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 4) return;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    // Node's happy-eyeballs connect failures arrive as an AggregateError of socket errors.
    // (Duck-typed: errors made by Node core are not `instanceof` another realm's classes.)
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const item of inner) visit(item, depth + 1);
    visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(error, 0);
  return codes;
}

/**
 * The one place that turns database and network failures into the public error codes (errors.ts), wherever
 * they surface (resolvers, guards, REST controllers, middleware). Returns undefined for
 * anything else, which the caller masks as it sees fit.
 */
export function classifyInfrastructureError(error: unknown): GatewayError | undefined {
  const cause = rootCause(error);
  if (cause instanceof GatewayError) return undefined;
  const codes = codesOf(cause);
  if (codes.includes(QUERY_CANCELED)) {
    return new GatewayError(
      'QUERY_TOO_COMPLEX',
      'The query ran longer than allowed and was cancelled. Narrow it (fewer groupings, a shorter period, a coarser level) and retry.',
    );
  }
  if (codes.some((c) => INPUT_SQLSTATES.has(c))) {
    return new GatewayError(
      'BAD_USER_INPUT',
      'A text value in the request cannot be stored or compared (for example it contains a NUL character). Remove control characters and retry.',
    );
  }
  const message = typeof (cause as { message?: unknown } | null)?.message === 'string' ? (cause as Error).message : '';
  if (
    codes.some((c) => UNAVAILABLE_SQLSTATES.has(c) || c.startsWith('08') || UNAVAILABLE_SOCKET_CODES.has(c)) ||
    UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))
  ) {
    return new GatewayError(
      'SERVICE_UNAVAILABLE',
      'The database is unavailable at the moment; retry in a few seconds.',
      { retryable: true },
    );
  }
  return undefined;
}
