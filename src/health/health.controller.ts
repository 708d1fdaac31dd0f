import { Controller, Get, HttpCode, Res, UseFilters } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Allow } from '../access-policy/allow.decorator.js';
import { RouteDenialAuditFilter } from '../audit/route-denial-audit.filter.js';
import { ReadRouter } from '../database/read-router.js';
import { withTimeout } from '../common/with-timeout.js';

@Controller()
@UseFilters(RouteDenialAuditFilter)
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reads: ReadRouter,
  ) {}

  /** The process is up. */
  @Get('healthz')
  @Allow('read:Health')
  @HttpCode(200)
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /**
   * The database answers and every migration is applied. With read replicas, "degraded" (still
   * 200: the service answers) while any of them is left out and the primary serves its reads.
   */
  @Get('readyz')
  @Allow('read:Health')
  async readyz(@Res() res: FastifyReply): Promise<void> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 2_000);
      const pending = await withTimeout(this.dataSource.showMigrations(), 2_000);
      if (pending) {
        void res.status(503).send({ status: 'not ready', reason: 'migrations pending; run `hotline-gateway migrate`' });
        return;
      }
      const replicas = this.reads.status();
      const down = replicas.filter((r) => !r.up);
      if (down.length > 0) {
        void res.status(200).send({
          status: 'degraded',
          reason: `read replica(s) not answering: ${down.map((r) => r.name).join(', ')}; the primary serves their reads`,
          replicas,
        });
        return;
      }
      void res.status(200).send(replicas.length > 0 ? { status: 'ready', replicas } : { status: 'ready' });
    } catch {
      void res.status(503).send({ status: 'not ready', reason: 'database unreachable' });
    }
  }
}
