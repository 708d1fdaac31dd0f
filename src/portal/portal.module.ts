import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PortalMiddleware } from './portal.middleware.js';

/** The web portal and the GraphQL explorer, served from this process (see web/ and PortalMiddleware). */
@Module({})
export class PortalModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PortalMiddleware).forRoutes('{*path}');
  }
}
