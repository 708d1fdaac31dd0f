import { Module } from '@nestjs/common';
import { AggregateCaches } from '../common/aggregate-caches.js';
import { aggregateCachesOn } from '../config/diagnostic-switch.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { LicensingModule } from '../licensing/licensing.module.js';
import { AggregateAccessService } from './aggregate-access.service.js';
import { AGGREGATE_CACHE_ENABLED, AggregateService } from './aggregate.service.js';
import { AggregateResolver } from './aggregate.resolver.js';
import { AnalyticsStepService } from './analytics/analytics-step.service.js';
import { DisclosureService } from '../disclosure/disclosure.service.js';
import { ExportController } from './export.controller.js';
import { refreshRollupsOnRecordsChanged } from './rollups-on-records-changed.js';

// Rollups follow the records wherever this module is loaded (the server, tests, tools).
refreshRollupsOnRecordsChanged();

@Module({
  imports: [DatasetsModule, LicensingModule],
  controllers: [ExportController],
  providers: [
    AggregateResolver,
    AggregateService,
    AggregateAccessService,
    DisclosureService,
    AnalyticsStepService,
    // `HGW_AGGREGATE_CACHE=off` turns every cache of the aggregate path off (benchmarks, tests).
    { provide: AGGREGATE_CACHE_ENABLED, useFactory: aggregateCachesOn },
    {
      provide: AggregateCaches,
      useFactory: (enabled: boolean) => new AggregateCaches(enabled),
      inject: [AGGREGATE_CACHE_ENABLED],
    },
  ],
  exports: [AggregateService],
})
export class AggregateModule {}
