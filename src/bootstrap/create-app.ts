import { BadRequestException, INestApplication, Logger as NestLogger, Type, ValidationError } from '@nestjs/common';
import { RememberingValidationPipe } from '../common/remembering-validation.pipe.js';
import { AggregateCaches } from '../common/aggregate-caches.js';
import { NestFactory } from '@nestjs/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module.js';
import { Clock } from '../common/clock.js';
import { BODY_LIMIT_BYTES } from '../common/http-limits.js';
import { AppConfig } from '../config/app-config.js';
import { badUserInput } from '../common/gateway-error.js';
import { INVALID_URL_MESSAGE, send } from '../common/gateway-exception.filter.js';
import { incomingRequestId, requestIdOf } from '../logging/logging.module.js';
import { metricsEndpoint } from '../metrics/metrics-endpoint.js';
import { registerBodyParsers } from './http-body.js';
import { securityHeaders } from './security-headers.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { startTracing, tracingEnabled, tracingMiddleware } from '../tracing/tracing.js';

/**
 * Builds the Nest application the same way for `npm start` and for the e2e tests: on Fastify,
 * initialized and ready (routes registered), so a caller may listen or hand the server to
 * supertest at once.
 */
export async function createApp(
  config: AppConfig,
  dataSource: DataSource,
  options: { extraModules?: Type[]; clock?: Clock } = {},
): Promise<INestApplication> {
  if (config.otlpEndpoint !== undefined) await startTracing();
  const headers = securityHeaders({
    // GraphQL clients in browsers need no inline scripts from us; keep the strict defaults.
    crossOriginEmbedderPolicy: false,
  });
  const adapter = new FastifyAdapter({
    // X-Forwarded-For only from the proxies named in TRUST_PROXY (default none, loopback included):
    // otherwise any client could choose the address that is audited and rate-limited.
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Node's own timeouts, which Express kept and Fastify changes (it waits for a request body
    // without limit, 0): a client trickling a request is cut off after 5 minutes, an idle
    // kept-alive connection after 5 s.
    requestTimeout: 300_000,
    keepAliveTimeout: 5_000,
    // The request id the logs, traces and audit events share (logging.module.ts).
    genReqId: incomingRequestId,
    // Routes match as they did on Express: in any case, with or without a trailing slash.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    // Requests Node cannot parse (e.g. headers over its limit): answered as Node answers them
    // when no framework intervenes, a bare status line and a closed connection.
    clientErrorHandler: answerLikeNode,
    // A URL the router cannot decode: the gateway's error, with its headers (no hook has run).
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      reply.raw.setHeader('X-Request-Id', request.id);
      headers(request.raw, reply.raw, () => undefined);
      const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 400;
      const message =
        error.code === 'FST_ERR_BAD_URL'
          ? INVALID_URL_MESSAGE
          : 'The request could not be read; check its URL, body, encoding and headers.';
      send(request.raw, reply, status, 'BAD_USER_INPUT', message);
    },
  });
  const fastify = adapter.getInstance();
  const logger = new NestLogger('HTTP');
  // Set once the application exists; no request arrives before then.
  let metrics: ReturnType<typeof metricsEndpoint> = () => false;
  const tracing = tracingEnabled() ? tracingMiddleware(requestIdOf) : undefined;
  // Before Nest middleware (the request log, the rate limits, the portal: @fastify/middie's hook,
  // which NestFactory.create adds, comes after this one) and body parsing. No
  // X-Powered-By and no ETag: Fastify sends neither (GraphQL answers carry a fresh auditEventId
  // each time, so an ETag could never match).
  fastify.addHook('onRequest', (request, reply, done) => {
    const req = request.raw;
    const res = reply.raw;
    // The request id (incomingRequestId), on the request for the logs and traces, and in the answer.
    (req as typeof req & { id?: string }).id = request.id;
    res.setHeader('X-Request-Id', request.id);
    // Helmet's headers, computed once at startup and set on every response (security-headers.ts).
    headers(req, res, () => undefined);
    const next = () => {
      // Before the guard and the rate limits: Prometheus presents METRICS_TOKEN, not an API key.
      const answered = metrics(req, res, (err) => {
        logger.error(err instanceof Error ? err : String(err));
        send(req, res, 503, 'SERVICE_UNAVAILABLE', 'Something went wrong on our side; retry later.');
      });
      if (answered) reply.hijack();
      else done();
    };
    // Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT): the request's span covers everything after this.
    if (tracing) tracing(req, res, next);
    else next();
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, dataSource, ...options }),
    adapter,
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  metrics = metricsEndpoint(config, app.get(MetricsService));
  registerBodyParsers(fastify);
  // Apollo's Fastify route takes GET, POST and OPTIONS; on Express it saw every method and
  // answered the others itself (405 with Allow: GET, POST, in GraphQL's shape): so it does again.
  fastify.addHook('onRoute', (route) => {
    if (route.url === '/graphql' && Array.isArray(route.method) && route.method.includes('POST')) {
      route.method = [...new Set([...route.method, 'PUT', 'DELETE', 'PATCH'])];
    }
  });
  app.useGlobalPipes(
    new RememberingValidationPipe(app.get(AggregateCaches, { strict: false }), {
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => {
        // Nested inputs (@ValidateNested) carry their problems in `children`.
        const collect = (list: ValidationError[]): string[] =>
          list.flatMap((e) => [...Object.values(e.constraints ?? {}), ...collect(e.children ?? [])]);
        const problems = collect(errors);
        return problems.length > 0 ? badUserInput(`Invalid input: ${problems.join('; ')}`) : new BadRequestException();
      },
    }),
  );
  await app.init();
  await fastify.ready();
  return app;
}

/**
 * What Node's HTTP server answers a request it cannot parse when nothing handles `clientError`
 * (Express left it to Node; Fastify would answer with a JSON body of its own): a bare status line
 * and a closed connection, when no answer is on its way. When one is (the request before the
 * unparsable bytes, e.g. a DELETE whose unframed body follows it, answered at once), the
 * connection closes after that answer rather than cutting it off.
 */
function answerLikeNode(err: Error & { code?: string }, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (inFlight?.headersSent) {
    if (inFlight.writableFinished) socket.end();
    else inFlight.once('finish', () => socket.end());
    return;
  }
  if (socket.writable) {
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
          ? 413
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 408
            : 400;
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy(err);
}
