import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { LicensingModule } from '../licensing/licensing.module.js';
import { AggregateAccessService } from './access-step.service.js';
import { AGGREGATE_CACHE_ENABLED, AggregateService } from './aggregate.service.js';
import { AggregateResolver } from './aggregate.resolver.js';
import { AnalyticsStepService } from './analytics/analytics-step.service.js';
import { DisclosureService } from './disclosure-step.service.js';
import { ExportController } from './export.controller.js';

/**
 * `HGW_AGGREGATE_CACHE=off` turns the result cache off (benchmarks of the uncached path).
 * Read here rather than in AppConfig because it is a diagnostic switch, not a deployment setting.
 */
function cacheEnabled(): boolean {
  const raw = (process.env.HGW_AGGREGATE_CACHE ?? 'on').trim().toLowerCase();
  if (raw === 'on' || raw === '') return true;
  if (raw === 'off') return false;
  throw new Error(`HGW_AGGREGATE_CACHE: expected on or off, got "${raw}"`);
}

@Module({
  imports: [DatasetsModule, LicensingModule],
  controllers: [ExportController],
  providers: [
    AggregateResolver,
    AggregateService,
    AggregateAccessService,
    DisclosureService,
    AnalyticsStepService,
    { provide: AGGREGATE_CACHE_ENABLED, useFactory: cacheEnabled },
  ],
  exports: [AggregateService],
})
export class AggregateModule {}
