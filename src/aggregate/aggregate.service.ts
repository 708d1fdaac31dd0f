import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { AuditRecorder } from '../audit/audit-recorder.js';
import type { DatasetEntity } from '../datasets/dataset.entity.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { badUserInput, GatewayError, queryTooComplex } from '../common/gateway-error.js';
import { AggregateAccessService } from './aggregate-access.service.js';
import { AnalyticsStepService } from './analytics/analytics-step.service.js';
import { DisclosureOutcome, DisclosureService, RawRow, ReleasedRow } from '../disclosure/disclosure.service.js';
import { UNKNOWN_MEMBER } from '../catalog/member-directory.js';
import { MembersService } from '../datasets/members.service.js';
import { AggregateQuery, QueryPlan } from './query-plan.js';
import { MAX_RANKED_ROWS, MAX_RESULT_CELLS, planQuery } from './query-planner.js';
import { Sums } from '../catalog/registry.js';
import { ResultCache, RollupVersionMovedError } from './result-cache.js';
import { ReadRouter } from '../database/read-router.js';
import { markAudited } from './denial-audit.filter.js';
import { AggregateCaches, identityOf } from '../common/aggregate-caches.js';
import { compileSql, MAX_UNION_PARTS } from './sql-compiler.js';
import { orderReleased } from './row-order.js';

export const AGGREGATE_CACHE_ENABLED = Symbol('AGGREGATE_CACHE_ENABLED');

export interface AggregateRowResult {
  keys: string[];
  labels: string[];
  labelsEn: string[];
  cells: { measure: string; value: number | null; flags: string[] }[];
}

export interface AggregateOutcome {
  dataset: string;
  columns: string[];
  rows: AggregateRowResult[];
  disclosure: Omit<DisclosureOutcome, 'rows'>;
  licenseId: string | null;
  /**
   * The audit event's id, once it is durably stored. Nothing of this outcome may be sent before it
   * resolves; if it rejects (SERVICE_UNAVAILABLE), nothing may be sent at all.
   */
  auditEventId: Promise<string>;
  citation: string;
  /** The rollup version every row of this answer was read at (`cases:12,traffic:3`). */
  dataVersion: string;
}

type DbRow = Record<string, string | number | string[] | null>;

/**
 * The aggregate engine: plan (validate against the catalog), authorize (access step), compile to
 * one SQL statement over a rollup, run (cached per rollup version), apply disclosure control
 * (disclosure step), audit, then release. Every call is audited, allowed or denied; the allowed
 * event commits while the result is built, and nothing is sent before it is stored.
 */
@Injectable()
export class AggregateService {
  private readonly cache: ResultCache<RawRow[]>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly datasets: DatasetsService,
    private readonly members: MembersService,
    private readonly access: AggregateAccessService,
    private readonly disclosure: DisclosureService,
    private readonly analytics: AnalyticsStepService,
    private readonly audit: AuditRecorder,
    private readonly reads: ReadRouter,
    /** The plans and results caches (src/common/aggregate-caches.ts): values in them are frozen. */
    private readonly caches: AggregateCaches,
  ) {
    this.cache = new ResultCache(dataSource, caches);
  }

  /**
   * `download` names the format when the answer leaves as a file (`GET /export/aggregate.csv`):
   * the audit event then says `operation: export` and the format, not `aggregate`.
   */
  async aggregate(actor: Actor, query: AggregateQuery, download?: ExportFormat): Promise<AggregateOutcome> {
    // An answer that reads several rollup results reads them all at one version; if a rebuild
    // committed between its reads, it is built again from the start, at the new version.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.aggregateOnce(actor, query, download);
      } catch (err) {
        if (!(err instanceof RollupVersionMovedError) || attempt >= 3) throw err;
      }
    }
  }

  private async aggregateOnce(actor: Actor, query: AggregateQuery, download?: ExportFormat): Promise<AggregateOutcome> {
    const operation = download ? 'export' : 'aggregate';
    const withFormat = (q: Record<string, unknown>) => (download ? { format: download, ...q } : q);
    let plan: QueryPlan | undefined;
    let licenseId = query.licenseId ?? undefined;
    try {
      const dataset = await this.dataset(actor, query.dataset);
      // One snapshot of the members for planning and for the labels of the result.
      const directory = await this.members.directory();
      // Plans and statements are pure functions of their inputs, which do not change while they
      // live (a new member snapshot or dataset version is a new object): each is built once.
      const planned = this.caches.plan(
        `plan\u0000${identityOf(dataset)}\u0000${identityOf(directory)}\u0000${JSON.stringify(query)}`,
        () => planQuery(dataset, query, directory),
      );
      plan = planned;
      const access = await this.access.authorize(actor, dataset, planned, licenseId);
      licenseId = access.licenseId;
      let dataVersion: string | undefined;
      const load = async (p: QueryPlan) => {
        const scope =
          access.rowScope.length === 0 && !access.period ? '' : JSON.stringify([access.rowScope, access.period]);
        const compile = () => {
          const { sql, params } = compileSql(p, access.rowScope, access.period);
          return { sql, params, cacheKey: `${sql}\u0000${JSON.stringify(params)}` };
        };
        // The answer's own plan is kept, so its statement is; a plan built for this answer alone (an
        // analysis's monthly plan) is compiled each time.
        const compiled =
          p === planned ? this.caches.plan(`sql\u0000${identityOf(p)}\u0000${scope}`, compile) : compile();
        const loaded = await this.cache.getOrLoad(
          compiled.cacheKey,
          async (minVersion) => {
            const read = await this.reads.readRollups<DbRow>(compiled.sql, compiled.params, minVersion);
            return { value: this.toRaw(p, read.rows), version: read.version };
          },
          dataVersion,
        );
        dataVersion = loaded.version;
        return loaded.value;
      };
      const loaded = await load(planned);
      if (loaded.length > planned.loadRows) throw this.tooManyCells(planned);
      // Every row is released first; only released values are ordered and cut, so neither the order
      // nor a top-N says anything about true values.
      let released = await this.disclosure.apply(actor, dataset, planned, access, loaded);
      if (planned.measures.some((m) => m.analysis)) {
        released = await this.analytics.complete(actor, dataset, planned, access, released, load);
      } else if (planned.orderBy.length > 0 || planned.limit !== undefined) {
        const unordered = released.rows;
        // A release that is reused (every method but differential privacy) is ordered once.
        const rows = reusable(released)
          ? this.caches.release(`order\u0000${identityOf(unordered)}\u0000${identityOf(planned)}`, () =>
              orderReleased(planned, unordered),
            )
          : orderReleased(planned, unordered);
        released = { ...released, rows, suppressedCells: suppressedIn(rows) };
      }
      // Not awaited here: the write commits while the result is labelled and serialized, and the
      // response barrier (AuditBarrierPlugin, or the export's own await) holds the response until it
      // is stored. If it fails, the request answers SERVICE_UNAVAILABLE with no data.
      const auditEventId = this.audit
        .record(actor, {
          operation,
          decision: 'allowed',
          datasetSlug: dataset.slug,
          licenseId,
          query: withFormat(plan.normalized),
          resultSize: released.rows.length,
          cellsSuppressed: released.suppressedCells,
        })
        .then((r) => r.id);
      auditEventId.catch(() => undefined);
      const releasedRows = released.rows;
      const labelReused = reusable(released) && !planned.measures.some((m) => m.analysis);
      const label = () =>
        releasedRows.map((r) => {
          const labels = planned.groups.map((g, i) => directory.label(g.level, r.keys[i]));
          return {
            keys: r.keys,
            labels: labels.map((l) => l[0]),
            labelsEn: labels.map((l) => l[1]),
            cells: r.cells,
          };
        });
      return {
        dataset: dataset.slug,
        columns: [...planned.groups.map((g) => g.column), ...planned.measures.map((m) => m.code)],
        // Released rows that are themselves reused (not analysed afresh) are labelled once.
        rows: labelReused
          ? this.caches.release(`labels\u0000${identityOf(releasedRows)}\u0000${identityOf(directory)}`, label)
          : label(),
        disclosure: {
          method: released.method,
          threshold: released.threshold,
          suppressedCells: released.suppressedCells,
          budgetRemaining: released.budgetRemaining,
          budgetScope: released.budgetScope,
          note: released.note,
        },
        licenseId: licenseId ?? null,
        auditEventId,
        citation: citation(dataset, licenseId),
        dataVersion: dataVersion ?? '',
      };
    } catch (err) {
      if (err instanceof GatewayError && err.code !== 'SERVICE_UNAVAILABLE') {
        await this.audit.record(actor, {
          operation,
          decision: 'denied',
          reason: `${err.code}: ${err.message}`,
          datasetSlug: query.dataset,
          licenseId,
          query: withFormat(plan?.normalized ?? { dataset: query.dataset, measures: query.measures }),
        });
        throw markAudited(err);
      }
      throw err;
    }
  }

  /** A published dataset this caller may see; otherwise BAD_USER_INPUT naming the ones it may. */
  private async dataset(actor: Actor, slug: string): Promise<DatasetEntity> {
    const visible = await this.datasets.visibleEntities(actor);
    const found = visible.find((d) => d.slug === slug);
    if (!found) {
      const slugs = visible.map((d) => d.slug);
      throw badUserInput(`There is no dataset "${slug}" you can query. Use one of: ${slugs.join(', ')}.`, {
        validChoices: slugs,
      });
    }
    return found;
  }

  /**
   * Rows as the database returns them (in key order, then part order) to result rows: the summed
   * base columns of each part (one part, unless the query's cells are unions).
   */
  private toRaw(plan: QueryPlan, dbRows: DbRow[]): RawRow[] {
    if (plan.unions.length > 0 && dbRows.length > MAX_UNION_PARTS) {
      throw queryTooComplex(
        `This query's filters list more members or periods than can be combined (${MAX_UNION_PARTS} parts); filter to fewer members, or group by the dimension instead.`,
      );
    }
    const rows: RawRow[] = [];
    let last: RawRow | undefined;
    let lastId = '';
    for (const r of dbRows) {
      const sums: Sums = {};
      for (const [k, v] of Object.entries(r)) {
        if (!k.startsWith('b_')) continue;
        if (k === 'b_hist') sums.hist = ((v as string[] | null) ?? []).map(Number);
        else sums[k.slice(2)] = v === null ? 0 : Number(v);
      }
      const keys = plan.groups.map((_, i) => {
        const key = r[`k${i}`] as string | null;
        return key === null || key === '' ? UNKNOWN_MEMBER : key;
      });
      const id = keys.join('\u0000');
      if (last && plan.unions.length > 0 && id === lastId) last.parts.push(sums);
      else rows.push((last = { keys, parts: [sums] }));
      lastId = id;
    }
    // A total over nothing is still a total (of zero records), as without a union.
    if (plan.groups.length === 0 && rows.length === 0) rows.push({ keys: [], parts: [{}] });
    return rows;
  }

  private tooManyCells(plan: QueryPlan): GatewayError {
    const finest = plan.groups.find((g) => g.dimension.levels.length > 1 && g.level !== g.dimension.levels[0]);
    const advice = [
      'filter to fewer members (e.g. one city or one year)',
      finest
        ? `group ${finest.dimension.code} at a coarser level than ${finest.level.code}`
        : 'group by fewer dimensions',
      // Analyses across rows read every row before any limit, so a limit does not help them.
      plan.measures.some((m) => m.analysis)
        ? 'or ask for fewer measures (each analysis reads every row before ordering and limit)'
        : plan.limit === undefined
          ? `or set limit (at most ${plan.maxRows}) with orderBy for a top-N`
          : `(a top-N ranks at most ${MAX_RANKED_ROWS} rows)`,
    ];
    const what =
      plan.limit === undefined
        ? `would return more than ${MAX_RESULT_CELLS} cells (${plan.maxRows} rows x ${plan.measures.length} measure(s) at most)`
        : `would rank more than ${MAX_RANKED_ROWS} rows for its top ${plan.limit}`;
    return queryTooComplex(`This query ${what}. To fix it: ${advice.join('; ')}.`, {
      maxCells: MAX_RESULT_CELLS,
      maxRows: plan.maxRows,
    });
  }
}

/** Differential privacy draws fresh noise for every answer: nothing built from its release is reused. */
function reusable(released: { method: string }): boolean {
  return released.method !== 'differential-privacy';
}

function suppressedIn(rows: ReleasedRow[]): number {
  let n = 0;
  for (const r of rows) for (const c of r.cells) if (c.flags.includes('suppressed')) n++;
  return n;
}

/**
 * "Title / 标题. Publisher, data YYYY-MM-DD to YYYY-MM-DD, version YYYY-MM-DD. Dataset "slug"[, licence L].
 * hotline-gateway, retrieved YYYY-MM-DD." The period the data cover and the version are separate:
 * a version dated 2022-01-01 may hold data for 2021-2022.
 */
/** The formats of `GET /export/aggregate.<format>`. */
export type ExportFormat = 'csv' | 'json';

export function citation(dataset: DatasetEntity, licenseId: string | undefined): string {
  const retrieved = new Date().toISOString().slice(0, 10);
  const period = dataset.definition.period;
  const covers = period ? `data ${period.from} to ${period.to}, ` : '';
  return (
    `${dataset.titleEn} / ${dataset.titleZh}. ${dataset.publisher}, ${covers}version ${dataset.versionDate}. ` +
    `Dataset "${dataset.slug}"${licenseId ? `, licence ${licenseId}` : ''}. hotline-gateway, retrieved ${retrieved}.`
  );
}
