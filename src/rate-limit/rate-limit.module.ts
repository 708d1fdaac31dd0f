import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { RateLimitMiddleware } from './rate-limit.middleware.js';
import { RateLimitService } from './rate-limit.service.js';

/** Rate limits per principal and per client address, on every route but the probes. */
@Module({ providers: [RateLimitService], exports: [RateLimitService] })
export class RateLimitModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RateLimitMiddleware).forRoutes('*path');
  }
}
