import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { GqlContextType } from '@nestjs/graphql';
import { Request, Response } from 'express';
import { ErrorCode, GatewayError, httpStatusFor } from './gateway-error.js';
import { classifyInfrastructureError } from './infrastructure-errors.js';
import { BODY_LIMIT } from './http-limits.js';

const GENERIC_FAILURE = 'Something went wrong on our side; retry later.';
const ROUTES = 'POST or GET /graphql (GraphQL), GET /healthz, GET /readyz, GET /metrics';

/** What body-parser and Express report, in words a caller can act on. */
function describeHttpError(exception: HttpException, req: Request): { code: ErrorCode; message: string } {
  const status = exception.getStatus();
  const type = (exception.cause as { type?: unknown } | undefined)?.type;
  switch (type) {
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
      message: `There is nothing at ${req.method} ${req.path}; the API offers ${ROUTES}.`,
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
    return { code: 'BAD_USER_INPUT', message: 'The URL contains an invalid percent-encoding (%XX); fix the path.' };
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
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    if (res.headersSent) return undefined;
    const infrastructure = classifyInfrastructureError(exception);
    if (exception instanceof GatewayError || infrastructure) {
      const error = infrastructure ?? (exception as GatewayError);
      return send(req, res, httpStatusFor(error.code), error.code, error.message);
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const { code, message } = describeHttpError(exception, req);
      return send(req, res, exception.getStatus(), code, message);
    }
    this.logger.error(exception instanceof Error ? exception : String(exception));
    return send(req, res, 503, 'SERVICE_UNAVAILABLE', GENERIC_FAILURE);
  }
}

/** One error response, GraphQL-shaped on the GraphQL endpoint. */
export function send(
  req: Request,
  res: Response,
  status: number,
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): undefined {
  if (isGraphqlPath(req)) {
    res.status(status).json({ errors: [{ message, extensions: { ...details, code } }] });
  } else {
    res.status(status).json({ error: { ...details, code, message } });
  }
  return undefined;
}

export function isGraphqlPath(req: Request): boolean {
  return (req.originalUrl ?? req.url ?? '').split('?')[0].replace(/\/+$/, '') === '/graphql';
}
