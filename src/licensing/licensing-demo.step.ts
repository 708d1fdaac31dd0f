import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Actor } from '../access-policy/actor.js';
import { AccessPolicyModule } from '../access-policy/access-policy.module.js';
import { ConfigHolderModule } from '../config/config-holder.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { SystemClock } from '../common/clock.js';
import type { DemoStep } from '../database/demo-step.js';
import { localDay } from './quota-day.js';
import { LicensingModule } from './licensing.module.js';
import { LicensingService } from './licensing.service.js';

/**
 * The demo researcher's licence, requested and approved through the same service (and audit)
 * as the API, so the README tour can run a licensed query at once: hotline-cases by district,
 * month, category level 2 and kind, for one year, 500 queries a day.
 */
export const licensingDemoStep: DemoStep = {
  name: 'a licence for the demo researcher',
  async run(ctx) {
    // The first principal of a role, by creation.
    const first = async (role: string) =>
      (
        await ctx.dataSource.query<{ id: string; role: string; organization_id: string }[]>(
          `SELECT id, role, organization_id FROM principal WHERE role = $1 ORDER BY created_at LIMIT 1`,
          [role],
        )
      )[0];
    const researcherRow = await first('researcher');
    const stewardRow = await first('steward');
    if (!researcherRow || !stewardRow) return;
    const actor = (row: { id: string; role: string; organization_id: string }): Actor => ({
      role: row.role as Actor['role'],
      principalId: row.id,
      organizationId: row.organization_id,
      authMethod: 'none',
      requestId: 'demo-seed',
    });

    @Module({
      imports: [
        ConfigHolderModule.register({ ...ctx.config, oidc: undefined }, new SystemClock()),
        TypeOrmModule.forRoot({
          ...ctx.dataSource.options,
          extra: { ...(ctx.dataSource.options.extra as Record<string, unknown>), max: 2 },
        }),
        AccessPolicyModule,
        AuditModule,
        LicensingModule,
      ],
    })
    class LicensingDemoModule {}

    const app = await NestFactory.createApplicationContext(LicensingDemoModule, { logger: false, abortOnError: false });
    try {
      const service = app.get(LicensingService);
      const today = localDay(new Date());
      const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
      const license = await service.request(actor(researcherRow), {
        purpose: 'Demo: repeat complaints about property management by district and month, 2021-2022',
        datasets: [
          {
            dataset: 'hotline-cases',
            dimensions: [
              { dimension: 'time', level: 'month' },
              { dimension: 'area', level: 'district' },
              { dimension: 'category', level: 'l2' },
              { dimension: 'kind', level: 'kind' },
            ],
          },
        ],
        validFrom: today,
        validTo: nextYear,
        dailyQuota: 500,
        acceptObligations: ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'],
      });
      await service.approve(actor(stewardRow), license.id, undefined);
      ctx.log(`demo: licence ${license.id} granted to the demo researcher`);
    } finally {
      await app.close();
    }
  },
};
