import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessPolicyModule } from './access-policy/access-policy.module.js';
import { AggregateModule } from './aggregate/aggregate.module.js';
import { AuditModule } from './audit/audit.module.js';
import { GatewayExceptionFilter } from './common/gateway-exception.filter.js';
import { AppConfig } from './config/app-config.js';
import { APP_CONFIG } from './config/config.tokens.js';
import { DatasetsModule } from './datasets/datasets.module.js';
import { graphqlOptions } from './graphql/graphql-options.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MetricsService } from './metrics/metrics.service.js';

export interface AppModuleOptions {
  config: AppConfig;
  /** An initialized, migrated DataSource: the app never migrates or synchronizes by itself. */
  dataSource: DataSource;
}

@Global()
@Module({})
export class ConfigHolderModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ConfigHolderModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}

/** The feature modules; each feature adds itself here. */
const FEATURE_MODULES = [HealthModule, AuditModule, DatasetsModule, AggregateModule];

@Module({})
export class AppModule {
  static register({ config, dataSource }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigHolderModule.register(config),
        LoggingModule.register(config),
        MetricsModule,
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSource.options,
          dataSourceFactory: async () => dataSource,
        }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [MetricsService],
          useFactory: (metrics: MetricsService) => graphqlOptions(metrics),
        }),
        AccessPolicyModule,
        ...FEATURE_MODULES,
      ],
      providers: [{ provide: APP_FILTER, useClass: GatewayExceptionFilter }],
    };
  }
}
