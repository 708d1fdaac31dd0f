import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule implements NestModule {
  constructor(private readonly metrics: MetricsService) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => {
        res.on('finish', () => {
          const path = req.originalUrl.split('?')[0];
          const route = ['/graphql', '/healthz', '/readyz', '/metrics'].includes(path) ? path : 'other';
          this.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
        });
        next();
      })
      .forRoutes('*path');
  }
}
