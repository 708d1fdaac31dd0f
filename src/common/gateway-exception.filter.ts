import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { GqlContextType } from '@nestjs/graphql';
import { Response } from 'express';
import { GatewayError, httpStatusFor } from '../graphql/errors.js';

/**
 * Outside GraphQL (health, metrics, downloads), errors become JSON with the same
 * codes GraphQL uses. Inside GraphQL, errors pass through to Apollo's formatError.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() === 'graphql') return exception;
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof GatewayError) {
      res.status(httpStatusFor(exception.code)).json({ error: { code: exception.code, message: exception.message } });
      return undefined;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = status === 404 ? 'NOT_FOUND' : status >= 500 ? 'SERVICE_UNAVAILABLE' : 'BAD_USER_INPUT';
      res.status(status >= 500 ? 503 : status).json({ error: { code, message: exception.message } });
      return undefined;
    }
    this.logger.error(exception instanceof Error ? exception : String(exception));
    res
      .status(503)
      .json({ error: { code: 'SERVICE_UNAVAILABLE', message: 'Something went wrong on our side; retry later.' } });
    return undefined;
  }
}
