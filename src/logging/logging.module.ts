import { randomUUID } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../config/app-config.js';
import { logDestination } from './log-format.js';
import { scrubPersonalData } from './scrub.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Logs (pino): JSON lines, or coloured lines for people (LOG_FORMAT, log-format.ts). Every line of
 * a request carries its id; the Authorization header, cookies, bodies and query strings are never
 * logged, in either format.
 */
@Module({})
export class LoggingModule {
  static register(config: AppConfig): DynamicModule {
    const destination = logDestination(config.logFormat);
    const options = pinoHttpOptions(config);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : options })],
    };
  }
}

/**
 * The request's id: a well-formed incoming X-Request-Id, else a new UUID; echoed in the response
 * header. Kept on the request, so the logs and the traces (src/tracing/) use the same id.
 */
export function requestIdOf(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const id = incomingRequestId(req);
  res.setHeader('X-Request-Id', id);
  req.id = id;
  return id;
}

/** A well-formed incoming X-Request-Id, else a new UUID (Fastify's `genReqId`). */
export function incomingRequestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The pino-http options: request ids, serializers and redaction, the same for both formats. */
export function pinoHttpOptions(config: Pick<AppConfig, 'logLevel'>): Options {
  return {
    level: config.logLevel,
    genReqId: requestIdOf,
    customAttributeKeys: { reqId: 'requestId' },
    // The serializers below read the request and response themselves: pino-std-serializers' wrappers
    // would first copy every header, the query and the socket address into an object per request,
    // only for these to keep three fields of it.
    wrapSerializers: false,
    serializers: {
      // Only what an operator needs; never headers (Authorization), bodies or query strings.
      req: (req: { id?: string; method?: string; url?: string; originalUrl?: string; path?: unknown }) => {
        // As pino-std-serializers reads it: Express's originalUrl, else a path, else the raw URL.
        const url = req.originalUrl || (typeof req.path === 'string' ? req.path : req.url);
        return {
          id: req.id,
          method: req.method,
          path: typeof url === 'string' ? url.split('?')[0] : undefined,
        };
      },
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error) => ({
        type: err.name,
        message: scrubPersonalData(err.message),
        stack: err.stack?.split('\n').slice(0, 8).join('\n'),
      }),
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.apiKey',
        '*.password',
        '*.token',
      ],
      censor: '[redacted]',
    },
    hooks: {
      // Last line of defence: strip anything shaped like personal data from log messages.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? scrubPersonalData(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
}
