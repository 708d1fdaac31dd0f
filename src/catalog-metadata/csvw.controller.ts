import { Controller, Get, Header, Inject, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { AggregateService } from '../aggregate/aggregate.service.js';
import { DenialAuditFilter } from '../aggregate/denial-audit.filter.js';
import { parseQuery } from '../aggregate/export.controller.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { serviceUnavailable } from '../common/gateway-error.js';
import { requestBaseUrl } from './base-url.js';
import { csvwMetadata } from './csvw-metadata.js';

/**
 * `GET /export/aggregate.csv-metadata.json?query=…`: the CSVW description of the CSV export of the
 * same query (the CSV links to it with `Link: rel="describedby"`). The query runs through the
 * aggregate engine exactly as the export does: same access checks, licence scope and quota,
 * disclosure control and audit event; only the columns' description is returned, never a row.
 */
@Controller('export')
@UseFilters(DenialAuditFilter)
export class CsvwController {
  constructor(
    private readonly aggregate: AggregateService,
    private readonly datasets: DatasetsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('aggregate.csv-metadata.json')
  @Allow('query:Aggregate')
  @Header('Cache-Control', 'no-store')
  async metadata(
    @CurrentActor() actor: Actor,
    @Query('query') raw: unknown,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const outcome = await this.aggregate.aggregate(actor, await parseQuery(raw));
    // Nothing is sent before the audit event is stored; a failed write rejects (SERVICE_UNAVAILABLE).
    const auditEventId = await outcome.auditEventId;
    const dataset = await this.datasets.findOne(actor, outcome.dataset);
    if (!dataset) throw serviceUnavailable('The dataset was unpublished while the query ran; retry.');
    // Only the rows' shape goes on: the number of cells, not a key or a value.
    const shape = outcome.rows.slice(0, 1).map((r) => ({ cells: r.cells.map(() => null) }));
    const csvUrl = `${requestBaseUrl(req, this.config)}/export/aggregate.csv?query=${encodeURIComponent(raw as string)}`;
    const body = csvwMetadata({ ...outcome, auditEventId, rows: shape }, dataset, csvUrl);
    void res
      .status(200)
      .type('application/csvm+json; charset=utf-8')
      .send(JSON.stringify(body, null, 2));
  }
}
