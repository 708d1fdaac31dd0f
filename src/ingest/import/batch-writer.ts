import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { QueryRunner } from 'typeorm';
import { encodeCases } from './copy-encoding.js';
import { selectRows } from './select-rows.js';
import { holdInBatch, testPauseFromEnv } from './test-pause.js';
import { analyseBatchText } from '../text-analytics/text-analytics.js';
import { HOTLINE_TIME_ZONE } from '../../records/records.constants.js';
import { ensureMonthPartitions, monthsOf } from '../../records/month-partitions.js';
import type { CaseInput, NewReferenceRows, TrafficInput } from './case-input.js';

/** Progress of one batch: how far into the file it reaches and what it counted. */
export interface BatchCounts {
  /** Records of the file (data rows) processed once this batch commits. */
  committedRecords: number;
  rejected: number;
}

/** What a batch hook is told about the cases one batch stored. */
export interface StoredCaseBatch {
  /** `import_batch.id` of the import. */
  importBatchId: string;
  /**
   * The batch's new cases are `case_record` rows with `import_batch_id = importBatchId` and
   * `id >= firstCaseId` (null when the batch stored none: all duplicates or rejects).
   */
  firstCaseId: string | null;
  /** How many new cases the batch stored. */
  inserted: number;
}

/**
 * Work that must commit or roll back with a batch of cases (e.g. detection over the new
 * rows): runs inside the batch's transaction on `tx`, after the cases are stored and linked
 * and before the import's progress is checkpointed. It is called for every batch, also one
 * that stored nothing, and again for a batch rerun after a crash; it must not commit.
 */
export type CaseBatchHook = (tx: QueryRunner, batch: StoredCaseBatch) => Promise<void>;

const TZ = HOTLINE_TIME_ZONE;

/** Staging table for one batch: text COPY in, set-based INSERT out; emptied at each commit. */
const STAGE = 'hgw_import_case_stage';
export const STAGE_COLUMNS = [
  'source text',
  'case_number text',
  'received_at float8',
  'dispatched_at float8',
  'closed_at float8',
  'channel text',
  'kind text',
  'category_l1 text',
  'category_l2 text',
  'category_l3 text',
  'province_code text',
  'city_code text',
  'district_code text',
  'street_code text',
  'department_code text',
  'outcome text',
  'satisfaction text',
  'dissatisfaction_reason text',
  'request_text text',
  'reply_text text',
  'reply_fingerprint text',
  'caller_pseudonym text',
  'record_key int',
  'ord int',
];

/**
 * The free text, only where it is younger than the retention ($2 days): the keywords (taken here
 * from the rows in memory) and the reply fingerprint are all the analytics read, so by default
 * (0 days) none of it is stored. Less to store, less to leak.
 */
export const KEPT_TEXT = ['dissatisfaction_reason', 'request_text', 'reply_text']
  .map((c) => `CASE WHEN to_timestamp(received_at) >= now() - $2::int * interval '1 day' THEN ${c} END`)
  .join(', ');

/**
 * The staged cases whose case number the source has not stored yet, once each (the first in the
 * file), in file order. `case_record` is partitioned by month, so its unique constraint holds
 * received_at too and cannot see a case number again at another time: this does, and the
 * per-source lock (sourceLocks) keeps two imports from storing one case number at once.
 */
export function newStagedCases(stage: string): string {
  return `
  SELECT * FROM (
    SELECT DISTINCT ON (s.source, s.case_number) s.* FROM ${stage} s
    WHERE NOT EXISTS (SELECT 1 FROM case_record c WHERE c.source = s.source AND c.case_number = s.case_number)
    ORDER BY s.source, s.case_number, s.ord
  ) d ORDER BY d.ord`;
}

/** Transaction-scoped locks on the staged cases' sources, in a fixed order (no deadlock between imports). */
export function sourceLocks(stage: string): string {
  return `SELECT pg_advisory_xact_lock(hashtext('hgw-case-source:' || source))
  FROM (SELECT DISTINCT source FROM ${stage} ORDER BY 1) s`;
}

/**
 * Writes one batch in one transaction: new reference rows, the records (COPY of the batch
 * into a temporary staging table, then one `INSERT … SELECT` of the cases whose case number is
 * new (newStagedCases), so re-imports add nothing and duplicates are the difference of the
 * counts), repeat-chain
 * links, the touched days into rollup_dirty_day, the batch hooks, and the import batch's
 * progress. A kill at any point leaves either all of it or none of it.
 */
export class BatchWriter {
  private staged = false;
  /** Month partitions known to exist, per table. */
  private readonly months = { case_record: new Set<string>(), call_traffic: new Set<string>() };
  /** Months this writer was given rows of, per table (their statistics are renewed after the import). */
  readonly wroteInto = { case_record: new Set<string>(), call_traffic: new Set<string>() };
  /** Test-only (src/ingest/import/test-pause.ts): null unless HGW_TEST_PAUSE_IN_BATCH is set. */
  private readonly pause = testPauseFromEnv();
  private caseBatches = 0;

  constructor(
    private readonly runner: QueryRunner,
    private readonly client: PoolClient,
    private readonly batchId: string,
    private readonly hooks: readonly CaseBatchHook[] = [],
    /** Days the scrubbed free text is kept (FREE_TEXT_RETENTION_DAYS); 0 stores none of it. */
    private readonly freeTextRetentionDays = 0,
  ) {}

  private note(table: 'case_record' | 'call_traffic', months: string[]): string[] {
    for (const m of months) this.wroteInto[table].add(m);
    return months;
  }

  async writeCases(rows: CaseInput[], refs: NewReferenceRows | null, counts: BatchCounts): Promise<number> {
    // Encoded before the transaction opens, so the transaction is as short as the database needs.
    const copyText = rows.length > 0 ? encodeCases(rows) : null;
    if (copyText !== null && !this.staged) {
      await this.runner.query(
        `CREATE TEMPORARY TABLE IF NOT EXISTS ${STAGE} (${STAGE_COLUMNS.join(', ')}) ON COMMIT DELETE ROWS`,
      );
      this.staged = true;
    }
    // Months without a partition get one first, each in a short transaction of its own.
    if (rows.length > 0)
      await ensureMonthPartitions(
        this.runner,
        'case_record',
        this.note(
          'case_record',
          await monthsOf(
            this.runner,
            rows.map((r) => r.receivedAt),
          ),
        ),
        this.months.case_record,
      );
    return this.transaction(async () => {
      if (refs) await this.writeReferences(refs);
      let inserted = 0;
      let firstCaseId: string | null = null;
      if (copyText !== null) {
        await pipeline(Readable.from([copyText]), this.client.query(copyFrom(`COPY ${STAGE} FROM STDIN`)));
        await this.runner.query(sourceLocks(STAGE));
        const result = await selectRows<{ inserted: number; min_id: string | null }>(
          this.runner,
          `WITH ins AS (
             INSERT INTO case_record (source, case_number, received_at, dispatched_at, closed_at, channel, kind,
               category_l1, category_l2, category_l3, province_code, city_code, district_code, street_code,
               department_code, outcome, satisfaction, dissatisfaction_reason, request_text, reply_text,
               reply_fingerprint, caller_pseudonym, record_key, import_batch_id)
             SELECT source, case_number, to_timestamp(received_at), to_timestamp(dispatched_at), to_timestamp(closed_at),
               channel, kind, category_l1, category_l2, category_l3, province_code, city_code, district_code,
               street_code, department_code, outcome, satisfaction, ${KEPT_TEXT}, reply_fingerprint, caller_pseudonym,
               record_key, $1::bigint
             FROM (${newStagedCases(STAGE)}) n
             ON CONFLICT DO NOTHING
             RETURNING id, received_at
           ), dirty AS (
             INSERT INTO rollup_dirty_day (series, day)
             SELECT DISTINCT 'cases', (received_at AT TIME ZONE '${TZ}')::date FROM ins
             ON CONFLICT DO NOTHING
           )
           SELECT count(*)::int AS inserted, min(id)::text AS min_id FROM ins`,
          [this.batchId, this.freeTextRetentionDays],
        );
        inserted = result[0].inserted;
        firstCaseId = result[0].min_id;
        if (this.pause && ++this.caseBatches === this.pause.batch) {
          const [{ pid }] = await selectRows<{ pid: number }>(this.runner, `SELECT pg_backend_pid() AS pid`);
          await holdInBatch(this.pause, { inserted, sessionPid: pid });
        }
        if (inserted > 0 && rows.some((r) => r.callerPseudonym !== null))
          await linkRepeats(this.runner, this.batchId, firstCaseId as string);
        // Keywords and template replies (docs/analytics-topics.md) need the rows' text, so not a hook.
        if (inserted > 0) await analyseBatchText(this.runner, rows, this.batchId, firstCaseId as string);
      }
      for (const hook of this.hooks) await hook(this.runner, { importBatchId: this.batchId, firstCaseId, inserted });
      await this.advance(counts, inserted, rows.length - inserted);
      return inserted;
    });
  }

  async writeTraffic(rows: TrafficInput[], counts: BatchCounts): Promise<number> {
    if (rows.length > 0)
      await ensureMonthPartitions(
        this.runner,
        'call_traffic',
        this.note(
          'call_traffic',
          await monthsOf(
            this.runner,
            rows.map((r) => r.hourStart),
          ),
        ),
        this.months.call_traffic,
      );
    return this.transaction(async () => {
      let inserted = 0;
      if (rows.length > 0) {
        const result = await selectRows<{ inserted: number }>(
          this.runner,
          `WITH ins AS (
             INSERT INTO call_traffic (city_code, hour_start, source, calls_offered, calls_answered, calls_abandoned)
             SELECT c, to_timestamp(h), s, o, a, b FROM unnest($1::text[], $2::float8[], $3::text[], $4::int[], $5::int[], $6::int[])
               AS u(c, h, s, o, a, b)
             ON CONFLICT (city_code, hour_start) DO NOTHING
             RETURNING hour_start
           ), dirty AS (
             INSERT INTO rollup_dirty_day (series, day)
             SELECT DISTINCT 'traffic', (hour_start AT TIME ZONE '${TZ}')::date FROM ins
             ON CONFLICT DO NOTHING
           )
           SELECT count(*)::int AS inserted FROM ins`,
          [
            rows.map((r) => r.cityCode),
            rows.map((r) => r.hourStart / 1000),
            rows.map((r) => r.source),
            rows.map((r) => r.callsOffered),
            rows.map((r) => r.callsAnswered),
            rows.map((r) => r.callsAbandoned),
          ],
        );
        inserted = result[0].inserted;
      }
      await this.advance(counts, inserted, rows.length - inserted);
      return inserted;
    });
  }

  private async writeReferences(refs: NewReferenceRows): Promise<void> {
    await writeReferences(this.runner, refs);
  }

  private async advance(counts: BatchCounts, accepted: number, duplicates: number): Promise<void> {
    await this.runner.query(
      `UPDATE import_batch SET committed_lines = $2, accepted = accepted + $3, duplicates = duplicates + $4,
         rejected = rejected + $5 WHERE id = $1`,
      [this.batchId, counts.committedRecords, accepted, duplicates, counts.rejected],
    );
  }

  private async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.runner.startTransaction();
    try {
      const result = await fn();
      await this.runner.commitTransaction();
      return result;
    } catch (e) {
      await this.runner.rollbackTransaction().catch(() => undefined);
      throw e;
    }
  }
}

/**
 * Links each new case with a caller to that caller's latest earlier case on the same issue
 * (same level-1 and level-2 category) within 90 days, including cases of this batch.
 */
export async function linkRepeats(runner: QueryRunner, batchId: string, minId: string): Promise<void> {
  await runner.query(
    `UPDATE case_record c SET repeat_of_id = m.prev
     FROM (
       SELECT x.id, (
         SELECT p.id FROM case_record p
         WHERE p.caller_pseudonym = x.caller_pseudonym
           AND p.received_at < x.received_at AND p.received_at >= x.received_at - interval '90 days'
           AND p.category_l1 = x.category_l1 AND p.category_l2 IS NOT DISTINCT FROM x.category_l2
         ORDER BY p.received_at DESC, p.id DESC LIMIT 1
       ) AS prev
       FROM case_record x
       WHERE x.id >= $2::bigint AND x.import_batch_id = $1::bigint AND x.caller_pseudonym IS NOT NULL
     ) m
     -- The range on c too: otherwise the planner may read all of case_record to join 5,000 rows.
     WHERE c.id = m.id AND c.id >= $2::bigint AND m.prev IS NOT NULL`,
    [batchId, minId],
  );
}

/** Reference rows (areas, categories, departments) the batch's cases name and the database lacks. */
export async function writeReferences(runner: QueryRunner, refs: NewReferenceRows): Promise<void> {
  if (refs.areas.length) {
    await runner.query(
      `INSERT INTO area (code, level, parent_code, name_zh, name_en)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) ON CONFLICT DO NOTHING`,
      [
        refs.areas.map((a) => a.code),
        refs.areas.map((a) => a.level),
        refs.areas.map((a) => a.parentCode),
        refs.areas.map((a) => a.nameZh),
        refs.areas.map((a) => a.nameEn),
      ],
    );
  }
  if (refs.categories.length) {
    await runner.query(
      `INSERT INTO category (code, level, parent_code, name_zh, name_en)
       SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[]) ON CONFLICT DO NOTHING`,
      [
        refs.categories.map((c) => c.code),
        refs.categories.map((c) => c.level),
        refs.categories.map((c) => c.parentCode),
        refs.categories.map((c) => c.nameZh),
        refs.categories.map((c) => c.nameEn),
      ],
    );
  }
  if (refs.departments.length) {
    await runner.query(
      `INSERT INTO department (code, name_zh, name_en, area_code)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [
        refs.departments.map((d) => d.code),
        refs.departments.map((d) => d.nameZh),
        refs.departments.map((d) => d.nameEn),
        refs.departments.map((d) => d.areaCode),
      ],
    );
  }
}
