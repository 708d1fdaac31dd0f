import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessPolicyModule } from '../access-policy/access-policy.module.js';
import { ApiKeysModule } from './api-keys.module.js';
import { ConfigHolderModule } from '../config/config-holder.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { SystemClock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { PrincipalsModule } from './principals.module.js';

/**
 * The identity services without HTTP, for the CLI (`bootstrap`) and the demo seeder: the
 * same services, the same audit recorder, on the database of an already-migrated DataSource.
 */
export async function withIdentityContext<T>(
  config: AppConfig,
  dataSource: DataSource,
  fn: (ctx: INestApplicationContext) => Promise<T>,
): Promise<T> {
  @Module({
    imports: [
      ConfigHolderModule.register({ ...config, oidc: undefined }, new SystemClock()),
      // Its own small pool on the same database: closing the context closes only that pool.
      TypeOrmModule.forRoot({
        ...dataSource.options,
        extra: { ...(dataSource.options.extra as Record<string, unknown>), max: 2 },
      }),
      AccessPolicyModule,
      AuditModule,
      PrincipalsModule,
      ApiKeysModule,
    ],
  })
  class IdentityContextModule {}

  const ctx = await NestFactory.createApplicationContext(IdentityContextModule, { logger: false, abortOnError: false });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
