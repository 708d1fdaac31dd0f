import { GraphQLError } from 'graphql';

/** The public error codes (docs/aggregate.md, "Errors"; docs/security.md). Clients branch on these; the message says what to do next. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'LICENSE_REQUIRED',
  'LICENSE_INACTIVE',
  'OUT_OF_LICENSE_SCOPE',
  'QUOTA_EXCEEDED',
  'QUERY_TOO_COMPLEX',
  'SERVICE_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** HTTP status that goes with each code when the error happens outside GraphQL execution. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
    case 'LICENSE_REQUIRED':
    case 'LICENSE_INACTIVE':
    case 'OUT_OF_LICENSE_SCOPE':
      return 403;
    case 'BAD_USER_INPUT':
    case 'QUERY_TOO_COMPLEX':
      return 400;
    case 'QUOTA_EXCEEDED':
      return 429;
    case 'SERVICE_UNAVAILABLE':
      return 503;
  }
}

/**
 * An error a user can act on. `details` go into `extensions` (e.g. `validChoices`,
 * `resetsAt`, `missingPermission`) and must never hold internal names, SQL or personal data.
 */
export class GatewayError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...details, code } });
    this.name = 'GatewayError';
  }
}

export const unauthenticated = (
  message = 'The credentials are not valid. Send a valid API key as "Authorization: Bearer hgw_..." or no header for public access.',
) => new GatewayError('UNAUTHENTICATED', message);

export const forbidden = (message: string, details: Record<string, unknown> = {}) =>
  new GatewayError('FORBIDDEN', message, details);

export const badUserInput = (message: string, details: Record<string, unknown> = {}) =>
  new GatewayError('BAD_USER_INPUT', message, details);

export const queryTooComplex = (message: string, details: Record<string, unknown> = {}) =>
  new GatewayError('QUERY_TOO_COMPLEX', message, details);

export const serviceUnavailable = (message = 'The service is temporarily unavailable; retry in a few seconds.') =>
  new GatewayError('SERVICE_UNAVAILABLE', message);
