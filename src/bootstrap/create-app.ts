import { BadRequestException, INestApplication, Type, ValidationError } from '@nestjs/common';
import { RememberingValidationPipe } from '../common/remembering-validation.pipe.js';
import { AggregateCaches } from '../common/aggregate-caches.js';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module.js';
import { Clock } from '../common/clock.js';
import { BODY_LIMIT } from '../common/http-limits.js';
import { AppConfig } from '../config/app-config.js';
import { badUserInput } from '../common/gateway-error.js';
import { requestIdOf } from '../logging/logging.module.js';
import { metricsEndpoint } from '../metrics/metrics-endpoint.js';
import { securityHeaders } from './security-headers.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { startTracing, tracingEnabled, tracingMiddleware } from '../tracing/tracing.js';

/** Builds the Nest application the same way for `npm start` and for the e2e tests. */
export async function createApp(
  config: AppConfig,
  dataSource: DataSource,
  options: { extraModules?: Type[]; clock?: Clock } = {},
): Promise<INestApplication> {
  if (config.otlpEndpoint !== undefined) await startTracing();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ config, dataSource, ...options }), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // First of all middleware, so the request's span covers the others (tracing on: OTEL_EXPORTER_OTLP_ENDPOINT).
  if (tracingEnabled()) app.use(tracingMiddleware(requestIdOf));
  // X-Forwarded-For only from the proxies named in TRUST_PROXY (default none, loopback included):
  // otherwise any client could choose the address that is audited and rate-limited.
  app.set('trust proxy', config.trustProxy.length > 0 ? config.trustProxy : false);
  app.disable('x-powered-by');
  // GraphQL answers carry a fresh auditEventId each time, so an ETag could never match: not hashed.
  app.disable('etag');
  // Helmet's headers, computed once at startup and set on every response (security-headers.ts).
  app.use(
    securityHeaders({
      // GraphQL clients in browsers need no inline scripts from us; keep the strict defaults.
      crossOriginEmbedderPolicy: false,
    }),
  );
  // Before the guard and the rate limits: Prometheus presents METRICS_TOKEN, not an API key.
  app.use('/metrics', metricsEndpoint(config, app.get(MetricsService)));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
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
  return app;
}
