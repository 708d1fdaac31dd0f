import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessPolicyModule } from './access-policy/access-policy.module.js';
import { ApiKeysModule } from './principals/api-keys.module.js';
import { AggregateModule } from './aggregate/aggregate.module.js';
import { AuditModule } from './audit/audit.module.js';
import { CatalogMetadataModule } from './catalog-metadata/catalog-metadata.module.js';
import { Clock, SystemClock } from './common/clock.js';
import { GatewayExceptionFilter } from './common/gateway-exception.filter.js';
import { AppConfig } from './config/app-config.js';
import { ConfigHolderModule } from './config/config-holder.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DatasetsModule } from './datasets/datasets.module.js';
import { graphqlOptions } from './graphql/graphql-options.js';
import { HealthModule } from './health/health.module.js';
import { LicensingModule } from './licensing/licensing.module.js';
import { DisclosureModule } from './disclosure/disclosure.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MetricsService } from './metrics/metrics.service.js';
import { PortalModule } from './portal/portal.module.js';
import { PrincipalsModule } from './principals/principals.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  /** An initialized, migrated DataSource: the app never migrates or synchronizes by itself. */
  dataSource: DataSource;
  /** The time source; tests pass a FixedClock. */
  clock?: Clock;
  /** Extra modules, for tests only (e.g. a resolver that runs deliberately slow SQL). */
  extraModules?: Type[];
}

/** The feature modules; each feature adds itself here. */
// One per line, so features added on different branches merge cleanly.
const FEATURE_MODULES = [
  HealthModule, // /healthz, /readyz
  AuditModule, // tamper-evident audit log
  DisclosureModule, // suppression, perturbation, budgets
  DatasetsModule, // catalog
  LicensingModule, // data-use licences
  PrincipalsModule,
  ApiKeysModule,
  AggregateModule,
  CatalogMetadataModule, // DCAT catalog, CSVW metadata
  PortalModule, // web portal and GraphQL explorer at / and /explorer
];

@Module({})
export class AppModule {
  static register({ config, dataSource, clock, extraModules = [] }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigHolderModule.register(config, clock ?? new SystemClock()),
        LoggingModule.register(config),
        MetricsModule,
        DatabaseModule, // read replicas, rollup change announcements
        RateLimitModule,
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSource.options,
          dataSourceFactory: async () => dataSource,
        }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService) => graphqlOptions(metrics, config),
        }),
        AccessPolicyModule,
        ...FEATURE_MODULES,
        ...extraModules,
      ],
      providers: [{ provide: APP_FILTER, useClass: GatewayExceptionFilter }],
    };
  }
}
