import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestPath } from '../common/request-url.js';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule implements NestModule {
  constructor(private readonly metrics: MetricsService) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void) => {
        // Read now: the URL as received (middleware may see it with a mount path cut off).
        const path = requestPath(req);
        res.on('finish', () => {
          const route = ['/graphql', '/healthz', '/readyz', '/metrics'].includes(path) ? path : 'other';
          this.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
        });
        next();
      })
      .forRoutes('*path');
  }
}
