import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { GqlContextType } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rawRequest, requestPath } from './request-url.js';
import { ErrorCode, GatewayError, httpStatusFor } from './gateway-error.js';
import { classifyInfrastructureError } from './infrastructure-errors.js';
import { BODY_LIMIT } from './http-limits.js';

const GENERIC_FAILURE = 'Something went wrong on our side; retry later.';
const ROUTES = 'POST or GET /graphql (GraphQL), GET /healthz, GET /readyz, GET /metrics';

/** A request as the filters get it: Fastify's, or the Node.js one (from middleware). */
export type AnyRequest = FastifyRequest | (IncomingMessage & { originalUrl?: string });
/** A response as the filters and middleware get it: Fastify's reply, or the Node.js one. */
export type AnyResponse = FastifyReply | ServerResponse;

/**
 * The body parsers' and Fastify's refusals, by their codes (FST_ERR_*, src/bootstrap/http-body.ts),
 * as the kinds of failure body-parser named before (`type`).
 */
const FASTIFY_FAILURES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'entity.too.large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'entity.parse.failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'entity.parse.failed',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.size.invalid',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'media.unsupported',
  FST_ERR_CTP_INVALID_TYPE: 'media.unsupported',
  FST_ERR_CTP_EMPTY_TYPE: 'media.unsupported',
  FST_ERR_BAD_URL: 'url.invalid',
};

/** The kind of a body or URL failure, from body-parser's `type`, a FastifyError's code or a JSON SyntaxError. */
function failureType(exception: unknown): string | undefined {
  const cause = (exception instanceof HttpException ? exception.cause : exception) as
    { type?: unknown; code?: unknown; name?: unknown; statusCode?: unknown } | undefined;
  if (!cause || typeof cause !== 'object') return undefined;
  if (typeof cause.type === 'string') return cause.type;
  if (typeof cause.code === 'string' && cause.code in FASTIFY_FAILURES) return FASTIFY_FAILURES[cause.code];
  if (typeof cause.code === 'string' && cause.code.startsWith('FST_ERR_CTP_')) return 'body.unreadable';
  // Fastify's JSON parser (secure-json-parse): invalid JSON, or a __proto__ / constructor.prototype key.
  if (cause.name === 'SyntaxError' && cause.statusCode === 400) return 'entity.parse.failed';
  return undefined;
}

/** A URL the router cannot decode: what the caller is told (here and by the router's own error handler). */
export const INVALID_URL_MESSAGE = 'The URL contains an invalid percent-encoding (%XX); fix the path.';

/** What the body parsers and the router report, in words a caller can act on. */
function describeHttpError(exception: HttpException, req: AnyRequest): { code: ErrorCode; message: string } {
  const status = exception.getStatus();
  const type = failureType(exception);
  switch (type) {
    case 'url.invalid':
      return { code: 'BAD_USER_INPUT', message: INVALID_URL_MESSAGE };
    case 'media.unsupported':
      return {
        code: 'BAD_USER_INPUT',
        message: 'Unsupported Content-Type; send the body as application/json.',
      };
    case 'entity.too.large':
      return {
        code: 'QUERY_TOO_COMPLEX',
        message: `The request body is larger than ${BODY_LIMIT}; send a shorter query and pass long lists as variables.`,
      };
    case 'entity.parse.failed':
      return {
        code: 'BAD_USER_INPUT',
        message:
          'The request body is not valid JSON; send {"query": "...", "variables": {...}} with Content-Type: application/json.',
      };
    case 'charset.unsupported':
      return { code: 'BAD_USER_INPUT', message: 'Unsupported charset; send the body as UTF-8.' };
    case 'encoding.unsupported':
      return {
        code: 'BAD_USER_INPUT',
        message: 'Unsupported Content-Encoding; send the body uncompressed, gzip or deflate.',
      };
    case 'request.aborted':
    case 'request.size.invalid':
      return { code: 'BAD_USER_INPUT', message: 'The request body was incomplete; send it again.' };
    default:
      break;
  }
  if (status === 404) {
    return {
      code: 'BAD_USER_INPUT',
      message: `There is nothing at ${req.method} ${pathOf(req)}; the API offers ${ROUTES}.`,
    };
  }
  if (status === 405) {
    return { code: 'BAD_USER_INPUT', message: `Method ${req.method} is not allowed here; the API offers ${ROUTES}.` };
  }
  if (typeof type === 'string') {
    // Other body-parser failures (e.g. a corrupt gzip body): the parser's text names internals.
    return { code: 'BAD_USER_INPUT', message: 'The request body could not be read; check its encoding and length.' };
  }
  if (/^Failed to decode param/.test(exception.message)) {
    return { code: 'BAD_USER_INPUT', message: INVALID_URL_MESSAGE };
  }
  if (exception.message === 'Bad Request') {
    return { code: 'BAD_USER_INPUT', message: 'The request could not be read; check its body, encoding and headers.' };
  }
  return { code: 'BAD_USER_INPUT', message: exception.message };
}

/**
 * Outside GraphQL execution (body parsing, unknown routes, health, metrics) errors become JSON
 * with the same codes GraphQL uses: `{"errors":[{message, extensions:{code}}]}` on /graphql, so
 * GraphQL clients can read them, `{"error":{code, message}}` elsewhere. Inside GraphQL, errors
 * pass through to Apollo's formatError (database failures already mapped).
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() === 'graphql') {
      // What we return becomes the resolver's error: map database failures here, where they
      // surface, and never hand graphql-js something that is not an Error (it would be "data").
      return (
        classifyInfrastructureError(exception) ??
        (exception instanceof Error ? exception : new GatewayError('SERVICE_UNAVAILABLE', GENERIC_FAILURE))
      );
    }
    const http = host.switchToHttp();
    const res = http.getResponse<AnyResponse>();
    const req = http.getRequest<AnyRequest>();
    if (headersSent(res)) return undefined;
    const infrastructure = classifyInfrastructureError(exception);
    if (exception instanceof GatewayError || infrastructure) {
      const error = infrastructure ?? (exception as GatewayError);
      return send(req, res, httpStatusFor(error.code), error.code, error.message);
    }
    const http4xx = asHttpException(exception);
    if (http4xx) {
      const { code, message } = describeHttpError(http4xx, req);
      return send(req, res, http4xx.getStatus(), code, message);
    }
    this.logger.error(exception instanceof Error ? exception : String(exception));
    return send(req, res, 503, 'SERVICE_UNAVAILABLE', GENERIC_FAILURE);
  }
}

/** A client error: an HttpException under 500, or an error a parser marked with a 4xx status. */
function asHttpException(exception: unknown): HttpException | undefined {
  if (exception instanceof HttpException) return exception.getStatus() < 500 ? exception : undefined;
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (exception instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpException(exception.message, status, { cause: exception });
  }
  return undefined;
}

function isReply(res: AnyResponse): res is FastifyReply {
  return 'raw' in res && typeof res.code === 'function';
}

function headersSent(res: AnyResponse): boolean {
  return isReply(res) ? res.sent || res.raw.headersSent : res.headersSent;
}

/** One error response, GraphQL-shaped on the GraphQL endpoint. */
export function send(
  req: AnyRequest,
  res: AnyResponse,
  status: number,
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): undefined {
  const body = JSON.stringify(
    isGraphqlPath(req)
      ? { errors: [{ message, extensions: { ...details, code } }] }
      : { error: { ...details, code, message } },
  );
  if (isReply(res)) {
    void res.code(status).header('Content-Type', 'application/json; charset=utf-8').send(body);
  } else {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }
  return undefined;
}

export function isGraphqlPath(req: AnyRequest): boolean {
  return pathOf(req).replace(/\/+$/, '') === '/graphql';
}

/** The path of the request as received, whether Fastify's request or the Node.js one. */
function pathOf(req: AnyRequest): string {
  return requestPath(rawRequest<IncomingMessage & { originalUrl?: string }>(req));
}
