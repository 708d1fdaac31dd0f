import { Controller, Get, Header, Query, Res, UseFilters } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyReply } from 'fastify';
import type { Actor } from '../access-policy/actor.js';
import { Allow } from '../access-policy/allow.decorator.js';
import { CurrentActor } from '../access-policy/current-actor.decorator.js';
import { badUserInput } from '../common/gateway-error.js';
import { AggregateOutcome, AggregateService } from './aggregate.service.js';
import { DenialAuditFilter } from './denial-audit.filter.js';
import { AggregateQueryInput } from './dto/aggregate-query.input.js';

/**
 * Downloads of an aggregate: `GET /export/aggregate.csv?query=<url-encoded JSON AggregateQueryInput>`
 * and `.json`. Same credentials, access checks, disclosure control and audit as the GraphQL query.
 */
@Controller('export')
@UseFilters(DenialAuditFilter)
export class ExportController {
  constructor(private readonly service: AggregateService) {}

  @Get('aggregate.csv')
  @Allow('query:Aggregate')
  @Header('Cache-Control', 'no-store')
  async csv(@CurrentActor() actor: Actor, @Query('query') raw: unknown, @Res() res: FastifyReply): Promise<void> {
    const result = await released(await this.service.aggregate(actor, await parseQuery(raw), 'csv'));
    // CSVW: the column descriptions of this download (src/catalog-metadata/csvw-metadata.ts).
    void res
      .header('Link', `<aggregate.csv-metadata.json?query=${encodeURIComponent(raw as string)}>; rel="describedby"`)
      .status(200)
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', contentDisposition(`${result.dataset}-aggregate.csv`))
      .send(toCsv(result));
  }

  @Get('aggregate.json')
  @Allow('query:Aggregate')
  @Header('Cache-Control', 'no-store')
  async json(@CurrentActor() actor: Actor, @Query('query') raw: unknown, @Res() res: FastifyReply): Promise<void> {
    const result = await released(await this.service.aggregate(actor, await parseQuery(raw), 'json'));
    void res
      .status(200)
      .type('application/json; charset=utf-8')
      .header('Content-Disposition', contentDisposition(`${result.dataset}-aggregate.json`))
      .send(JSON.stringify({ ...result, notes: notes(result) }, null, 2));
  }
}

/** An outcome whose audit event is stored (this awaits it; a failed write rejects): only then is it sent. */
export type ReleasedOutcome = Omit<AggregateOutcome, 'auditEventId'> & { auditEventId: string };
async function released(outcome: AggregateOutcome): Promise<ReleasedOutcome> {
  return { ...outcome, auditEventId: await outcome.auditEventId };
}

const EXAMPLE = '{"dataset":"hotline-cases-open","groupBy":[{"dimension":"area","level":"city"}],"measures":["cases"]}';

export async function parseQuery(raw: unknown): Promise<AggregateQueryInput> {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw badUserInput(`Pass the query as ?query=<url-encoded JSON>, e.g. ?query=${encodeURIComponent(EXAMPLE)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badUserInput(`The query parameter is not valid JSON; send an AggregateQueryInput object such as ${EXAMPLE}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badUserInput(`The query parameter must be a JSON object such as ${EXAMPLE}`);
  }
  const input = plainToInstance(AggregateQueryInput, parsed);
  const errors = await validate(input, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const problems = errors.flatMap(function walk(e): string[] {
      return [...Object.values(e.constraints ?? {}), ...(e.children ?? []).flatMap(walk)];
    });
    throw badUserInput(`Invalid query: ${problems.join('; ')}`);
  }
  return input;
}

/** The citation and disclosure notes that travel with every download. */
export function notes(result: ReleasedOutcome): string[] {
  const d = result.disclosure;
  return [
    `citation: ${result.citation}`,
    `disclosure: method ${d.method}, threshold ${d.threshold}, suppressed cells ${d.suppressedCells}` +
      (d.budgetRemaining === null ? '' : `, budget remaining ${d.budgetRemaining}`),
    `disclosure note: ${d.note}`,
    'withheld values are empty and flagged "suppressed" with the reason; rows under the threshold are not listed; values are anonymized aggregates, never records',
    `licence: ${result.licenseId ?? 'none (open data or your own role)'}`,
    `audit event: ${result.auditEventId}`,
    `data version: ${result.dataVersion}`,
  ];
}

const FORMULA_START = /^[=+\-@\t\r]/;

function field(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The CSV's columns: each key with its Chinese and English labels, each measure with its flags. */
export function csvColumns(result: { columns: string[]; rows: { cells: unknown[] }[] }): {
  keyColumns: string[];
  measureColumns: string[];
  header: string[];
} {
  const measureCount = result.rows[0]?.cells.length ?? result.columns.length;
  const keyColumns = result.columns.slice(0, result.columns.length - measureCount);
  const measureColumns = result.columns.slice(keyColumns.length);
  const header = [
    ...keyColumns.flatMap((c) => [c, `${c}.labelZh`, `${c}.labelEn`]),
    ...measureColumns.flatMap((m) => [m, `${m}.flags`]),
  ];
  return { keyColumns, measureColumns, header };
}

/** CSV: `#` comment lines with the notes, a header, then one line per row; flags in `<measure>.flags`. */
export function toCsv(result: ReleasedOutcome): string {
  const { header } = csvColumns(result);
  const lines = [
    ...notes(result).map((n) => `# ${n.replace(/[\r\n]+/g, ' ')}`),
    header.map(field).join(','),
    ...result.rows.map((r) =>
      [
        ...r.keys.flatMap((k, i) => [k, r.labels[i], r.labelsEn[i]]),
        ...r.cells.flatMap((c) => [c.value === null ? '' : String(c.value), c.flags.join(';')]),
      ]
        .map(field)
        .join(','),
    ),
  ];
  return lines.join('\n') + '\n';
}
