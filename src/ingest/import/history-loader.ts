import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';
import { HOTLINE_TIME_ZONE } from '../../records/records.constants.js';
import { existingMonths, monthPartitionName, PARTITION_LOCK_SQL } from '../../records/month-partitions.js';
import { KeywordExtractor } from '../text-analytics/keyword-extractor.js';
import {
  addCountsToReplyForms,
  flagEarlierTemplateCases,
  LOCK_REPLY_FORMS,
  replyFormCounts,
  templatesAfterCounts,
} from '../text-analytics/template-replies.js';
import { encodeHistoryStage, textKeptFrom } from './copy-encoding.js';
import {
  KEPT_TEXT,
  sourceLocks,
  STAGE_COLUMNS,
  writeReferences,
  type BatchCounts,
  type CaseBatchHook,
} from './batch-writer.js';
import type { CaseInput, NewReferenceRows } from './case-input.js';
import { selectRows } from './select-rows.js';
import {
  buildMonthsInLoad,
  DetachedMonths,
  dropLeftoverLoadTables,
  indexDefinitions,
  shareMonths,
  type MonthRows,
} from './load-months.js';

const TZ = HOTLINE_TIME_ZONE;
/** One chunk of the file's cases as staged (temporary: no WAL, private to the load's transaction). */
const STAGE = 'hgw_history_stage';
/**
 * The cases to store, added chunk by chunk: new case numbers once each (the first in the file: the
 * same rule as newStagedCases), with their ids in file order, local month and time.
 */
const NEW = 'hgw_history_new';
/** The repeat link of each staged case that has one. */
const LINKS = 'hgw_history_links';
/** The load's cases counted by reply form (replyFormCounts). */
const FORMS = 'hgw_history_forms';
/** The staged cases whose reply is a template once the load's replies are counted. */
const TEMPLATED = 'hgw_history_templated';
const TEMP_BUFFERS = '256MB';

const CASE_COLUMNS = `id, source, case_number, received_at, dispatched_at, closed_at, channel, kind, category_l1,
  category_l2, category_l3, province_code, city_code, district_code, street_code, department_code, outcome,
  satisfaction, dissatisfaction_reason, request_text, reply_text, reply_fingerprint, caller_pseudonym, record_key,
  import_batch_id, repeat_of_id, template_reply`;
const CASE_VALUES = `id, source, case_number, to_timestamp(received_at), to_timestamp(dispatched_at), to_timestamp(closed_at),
  channel, kind, category_l1, category_l2, category_l3, province_code, city_code, district_code, street_code,
  department_code, outcome, satisfaction, ${KEPT_TEXT}, reply_fingerprint, caller_pseudonym, record_key, $1::bigint,
  repeat_of_id, template_reply`;
/** The cases to store with their repeat links and template flags (found before they are stored). */
const STORED = `(SELECT n.*, l.repeat_of_id, t.id IS NOT NULL AS template_reply
  FROM ${NEW} n LEFT JOIN ${LINKS} l ON l.id = n.id LEFT JOIN ${TEMPLATED} t ON t.id = n.id) s`;

/**
 * A caller's issue, for grouping only: in byte order, which groups the same rows as the columns'
 * collation and sorts several times faster (abbreviated keys).
 */
const ISSUE = ['caller_pseudonym', 'category_l1', 'category_l2'].map((c) => `${c} COLLATE "C"`).join(', ');

/**
 * Each new case's latest earlier case of the same caller on the same issue within 90 days, as
 * linkRepeats finds it once the cases are stored: among the cases stored before and those of the
 * load, the latest by (received_at, id) received strictly before it. One sort of the load's cases
 * (with the stored cases that can precede them) instead of a lookup per case: in each caller's
 * issue, ordered by (time, id), the case before a case is its predecessor unless both have the
 * same time; then the predecessor is the one before the first case of that time.
 */
const REPEAT_LINKS = `
  WITH bounds AS (SELECT min(received_ts) - interval '90 days' AS lo, max(received_ts) AS hi FROM ${NEW}),
  candidates AS (
    SELECT id, caller_pseudonym, category_l1, category_l2, received_ts AS ts, true AS new
    FROM ${NEW} WHERE caller_pseudonym IS NOT NULL
    UNION ALL
    SELECT p.id, p.caller_pseudonym, p.category_l1, p.category_l2, p.received_at, false
    FROM case_record p, bounds b
    WHERE p.received_at >= b.lo AND p.received_at < b.hi AND p.caller_pseudonym IS NOT NULL
      AND p.caller_pseudonym IN (SELECT caller_pseudonym FROM ${NEW})
  ),
  before AS (
    SELECT id, new, ts, caller_pseudonym, category_l1, category_l2,
      lag(id) OVER issue AS lag_id, lag(ts) OVER issue AS lag_ts
    FROM candidates WINDOW issue AS (PARTITION BY ${ISSUE} ORDER BY ts, id)
  ),
  earlier AS (
    SELECT id, new, ts, first_value(lag_id) OVER same_time AS prev_id, first_value(lag_ts) OVER same_time AS prev_ts
    FROM before WINDOW same_time AS (PARTITION BY ${ISSUE}, ts ORDER BY id)
  )
  SELECT id, prev_id AS repeat_of_id FROM earlier
  WHERE new AND prev_id IS NOT NULL AND prev_ts >= ts - interval '90 days'`;

/** What a history load stored: months loaded detached and attached, and months that already had cases. */
export interface HistoryLoadResult {
  inserted: number;
  attachedMonths: string[];
  insertedMonths: string[];
}

/**
 * `import FILE --history`: a file of past months loaded whole. The import stages every case of
 * the file (COPY into a temporary table while it reads on, the rows mapped in worker threads:
 * parallel-mapping.ts), then in one transaction keeps the new case numbers once each (the same
 * rule as a day-to-day import), finds their repeat links and template replies as a day-to-day
 * batch does once its cases are stored, and writes each month that has no case yet into a table
 * of its own with no index, complete, builds that table's indexes once (a sorted build instead of
 * one index insertion per row) and attaches it as the month's partition: most of those months on
 * a second connection while this one writes the reply forms (load-months.ts). Months that already
 * have cases take the day-to-day INSERT. Then the batch hooks, the dirty days and the import's
 * progress. A kill before the commit leaves no case; the rerun starts the file again (and drops
 * the month tables a kill may have left unattached).
 */
export class HistoryLoader {
  private staged = 0;
  /** The load's transaction is open (from its first staged cases to finish or abort). */
  private open = false;
  private busy: Promise<void> = Promise.resolve();
  private readonly refs: NewReferenceRows = { areas: [], categories: [], departments: [] };
  private counts: BatchCounts = { committedRecords: 0, rejected: 0 };
  private rejected = 0;

  constructor(
    private readonly runner: QueryRunner,
    private readonly client: PoolClient,
    private readonly batchId: string,
    private readonly hooks: readonly CaseBatchHook[] = [],
    private readonly freeTextRetentionDays = 0,
    now = Date.now(),
    /** Where a second connection comes from, to build the load's empty months beside it (load-months.ts). */
    private readonly dataSource: DataSource | null = null,
  ) {
    this.textFrom = textKeptFrom(freeTextRetentionDays, now);
  }

  /** Free text is staged only for cases received from then on (epoch ms): older text would not be stored. */
  readonly textFrom: number;

  /** Stages one batch of the file (no transaction of the import's own: nothing is stored yet). */
  async stage(rows: CaseInput[], refs: NewReferenceRows | null, counts: BatchCounts): Promise<number> {
    if (rows.length === 0) {
      await this.stageCopy(null, 0, refs, counts);
      return 0;
    }
    const extractor = KeywordExtractor.instance();
    const ords = rows.map((_, i) => this.staged + i);
    const keywords = rows.map((r) => extractor.extract(r.requestText));
    await this.stageCopy(
      Buffer.from(encodeHistoryStage(rows, ords, keywords, this.textFrom)),
      rows.length,
      refs,
      counts,
    );
    return rows.length;
  }

  /**
   * Stages cases already encoded (encodeHistoryStage; by a mapping worker): `rows` of them, whose
   * ords follow those staged before in file order.
   */
  async stageCopy(
    copy: Buffer | null,
    rows: number,
    refs: NewReferenceRows | null,
    counts: BatchCounts,
  ): Promise<void> {
    const staging = this.stageNow(copy, rows, refs, counts);
    this.busy = staging.catch(() => undefined);
    return staging;
  }

  private async stageNow(
    copy: Buffer | null,
    rows: number,
    refs: NewReferenceRows | null,
    counts: BatchCounts,
  ): Promise<void> {
    if (refs) {
      this.refs.areas.push(...refs.areas);
      this.refs.categories.push(...refs.categories);
      this.refs.departments.push(...refs.departments);
    }
    this.counts = counts;
    this.rejected += counts.rejected;
    if (copy === null || rows === 0) return;
    if (!this.open) await this.begin();
    await pipeline(Readable.from([copy]), this.client.query(copyFrom(`COPY ${STAGE} FROM STDIN`)));
    // The chunk's new case numbers get their ids (in file order) and their keywords now, while the
    // next chunks are mapped; the rest waits for the whole file (finish).
    await this.runner.query(sourceLocks(STAGE));
    await this.runner.query(
      `WITH added AS (
         INSERT INTO ${NEW}
         SELECT nextval('case_record_id_seq')::bigint,
           to_char(to_timestamp(n.received_at) AT TIME ZONE '${TZ}', 'YYYY-MM'), to_timestamp(n.received_at), n.*
         FROM (
           SELECT * FROM (
             SELECT DISTINCT ON (s.source, s.case_number) s.* FROM ${STAGE} s
             WHERE NOT EXISTS (SELECT 1 FROM case_record c WHERE c.source = s.source AND c.case_number = s.case_number)
               AND NOT EXISTS (SELECT 1 FROM ${NEW} w WHERE w.source = s.source AND w.case_number = s.case_number)
             ORDER BY s.source, s.case_number, s.ord
           ) d ORDER BY d.ord
         ) n
         RETURNING id, keywords
       )
       INSERT INTO case_keyword (case_id, keyword)
       SELECT a.id, k.keyword FROM added a CROSS JOIN LATERAL unnest(string_to_array(a.keywords, ' ')) AS k(keyword)
       WHERE a.keywords IS NOT NULL`,
    );
    await this.runner.query(`TRUNCATE ${STAGE}`);
    this.staged += rows;
  }

  /**
   * Opens the load's one transaction at its first cases: the staging tables live in it, the cases'
   * source stays locked until the commit (as a day-to-day batch locks it for its transaction).
   */
  private async begin(): Promise<void> {
    const r = this.runner;
    // The whole file goes through temporary tables, which live in the session's own buffers (8 MB
    // by default). A session that used a temporary table before cannot change it: then it stays.
    await r.query(`SET temp_buffers = '${TEMP_BUFFERS}'`).catch(() => undefined);
    await r.query(`DROP TABLE IF EXISTS ${STAGE}, ${NEW}, ${LINKS}, ${FORMS}, ${TEMPLATED}`);
    await r.startTransaction();
    this.open = true;
    // Index builds of a month take longer than the pool's per-statement ceiling (as a rollup build
    // does), and the transaction waits for the file's rows between statements.
    await r.query(`SET LOCAL statement_timeout = 0`);
    await r.query(`SET LOCAL idle_in_transaction_session_timeout = '10min'`);
    await r.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    // The file's cases are sorted (new case numbers, months, index builds) in memory rather than on disk.
    await r.query(`SET LOCAL work_mem = '256MB'`);
    await r.query(`CREATE TEMPORARY TABLE ${STAGE} (${STAGE_COLUMNS.join(', ')}, keywords text) ON COMMIT DROP`);
    await r.query(
      `CREATE TEMPORARY TABLE ${NEW} ON COMMIT DROP AS
       SELECT 0::bigint AS id, ''::text AS month, now() AS received_ts, s.* FROM ${STAGE} s WITH NO DATA`,
    );
    await r.query(`CREATE INDEX ON ${NEW} (source, case_number)`);
  }

  /** Rolls back what was staged (an import that fails or is stopped before finish). */
  async abort(): Promise<void> {
    // A chunk still being staged (the import failed while reading on) finishes first.
    await this.busy;
    if (!this.open) return;
    this.open = false;
    await this.runner.rollbackTransaction().catch(() => undefined);
  }

  /** Stores what was staged, in one transaction. */
  async finish(): Promise<HistoryLoadResult> {
    if (!this.open) await this.runner.startTransaction();
    this.open = false;
    try {
      const result = this.staged > 0 ? await this.store() : { inserted: 0, attachedMonths: [], insertedMonths: [] };
      if (this.refs.areas.length + this.refs.categories.length + this.refs.departments.length > 0)
        await writeReferences(this.runner, this.refs);
      const firstCaseId = result.inserted > 0 ? await this.minId() : null;
      for (const hook of this.hooks)
        await hook(this.runner, { importBatchId: this.batchId, firstCaseId, inserted: result.inserted });
      await this.runner.query(
        `UPDATE import_batch SET committed_lines = $2, accepted = accepted + $3, duplicates = duplicates + $4,
           rejected = rejected + $5 WHERE id = $1`,
        [this.batchId, this.counts.committedRecords, result.inserted, this.staged - result.inserted, this.rejected],
      );
      await this.runner.commitTransaction();
      return result;
    } catch (e) {
      await this.runner.rollbackTransaction().catch(() => undefined);
      // Months built beside the load and committed, whose attachment was just rolled back.
      await dropLeftoverLoadTables(this.runner).catch(() => undefined);
      throw e;
    } finally {
      await this.runner
        .query(`DROP TABLE IF EXISTS ${STAGE}, ${NEW}, ${LINKS}, ${FORMS}, ${TEMPLATED}`)
        .catch(() => undefined);
    }
  }

  private async minId(): Promise<string> {
    const [row] = await selectRows<{ id: string }>(this.runner, `SELECT min(id)::text AS id FROM ${NEW}`);
    return row.id;
  }

  private async store(): Promise<HistoryLoadResult> {
    const r = this.runner;
    await r.query(PARTITION_LOCK_SQL);
    // Repeat links and template replies before the cases are stored: each case is written once,
    // complete, rather than stored and then updated (a second version of most rows and their index entries).
    // The planner's estimate of the load's callers decides how the stored cases that may precede
    // them are found (a hash of the callers, or a lookup per caller).
    await r.query(`ANALYZE ${NEW} (caller_pseudonym)`);
    await r.query(`CREATE TEMPORARY TABLE ${LINKS} ON COMMIT DROP AS ${REPEAT_LINKS}`);
    await r.query(`CREATE INDEX ON ${LINKS} (id)`);
    // Its size, so that the load's cases are joined to their links by a hash, not sorted by id to merge.
    await r.query(`ANALYZE ${LINKS}`);
    // The load's cases by reply form, counted once: for the template flags now, for the forms later.
    await r.query(
      `CREATE TEMPORARY TABLE ${FORMS} ON COMMIT DROP AS
       ${replyFormCounts(`SELECT n.reply_fingerprint, l.repeat_of_id FROM ${NEW} n LEFT JOIN ${LINKS} l ON l.id = n.id`)}`,
    );
    // The forms that are templates once the load's cases are added, read before they are written
    // (the months are built meanwhile), with other imports' writes to the forms held back.
    await r.query(LOCK_REPLY_FORMS);
    await r.query(
      `CREATE TEMPORARY TABLE ${TEMPLATED} ON COMMIT DROP AS
       SELECT n.id FROM ${NEW} n WHERE n.reply_fingerprint IN (${templatesAfterCounts(`SELECT * FROM ${FORMS}`)})`,
    );
    await r.query(`CREATE INDEX ON ${TEMPLATED} (id)`);
    // Each month's cases are read by month, their links and flags looked up in hashes (the
    // planner, knowing the sizes, would otherwise sort each month by id to merge them).
    await r.query(`CREATE INDEX ON ${NEW} (month)`);
    await r.query(`ANALYZE ${NEW} (month), ${TEMPLATED}`);
    const months = (await selectRows<{ month: string }>(r, `SELECT DISTINCT month FROM ${NEW} ORDER BY 1`)).map(
      (m) => m.month,
    );
    const have = new Set(await existingMonths(r, 'case_record'));
    const empty: string[] = [];
    const filled: string[] = [];
    for (const month of months) {
      const name = monthPartitionName('case_record', month);
      if (!have.has(month)) empty.push(month);
      else {
        const [{ any }] = await selectRows<{ any: boolean }>(r, `SELECT EXISTS (SELECT 1 FROM "${name}") AS any`);
        (any ? filled : empty).push(month);
      }
    }
    const replacesEmpty = new Set(empty.filter((m) => have.has(m)));
    const defs = await indexDefinitions(r);
    const rows: MonthRows = {
      columns: CASE_COLUMNS,
      sql: `SELECT ${CASE_VALUES.replaceAll('$1::bigint', `${BigInt(this.batchId)}::bigint`).replaceAll(
        '$2::int',
        `${Math.trunc(this.freeTextRetentionDays)}::int`,
      )} FROM ${STORED} WHERE month = $MONTH ORDER BY received_at`,
    };
    // The empty months on a second connection while this one writes the reply forms, when the
    // pool has one to give (load-months.ts); otherwise here, after them.
    const detached =
      empty.length > 0 && this.dataSource ? await DetachedMonths.open(this.dataSource, this.batchId) : null;
    const [beside, here] = detached ? shareMonths(empty, replacesEmpty) : [[], empty];
    let attached = false;
    try {
      // This connection selects the months' rows; the other writes them and builds their indexes
      // while this one goes on.
      if (detached) await detached.copy(this.client, rows, beside, defs);
      const crossed = await addCountsToReplyForms(r, `SELECT * FROM ${FORMS}`);
      // Earlier cases of a form that just became a template (this load's are stored flagged).
      if (crossed) await flagEarlierTemplateCases(r, crossed);
      if (filled.length > 0) {
        await r.query(
          `INSERT INTO case_record (${CASE_COLUMNS}) SELECT ${CASE_VALUES} FROM ${STORED} WHERE month = ANY($3::text[])`,
          [this.batchId, this.freeTextRetentionDays, filled],
        );
      }
      await r.query(
        `INSERT INTO rollup_dirty_day (series, day)
         SELECT DISTINCT 'cases', (to_timestamp(received_at) AT TIME ZONE '${TZ}')::date FROM ${NEW}
         ON CONFLICT DO NOTHING`,
      );
      await buildMonthsInLoad(r, rows, here, replacesEmpty, defs);
      if (detached) {
        await detached.commit();
        await detached.attachAll(r, replacesEmpty);
      }
      attached = true;
    } finally {
      // Until the load commits (finish), its attached months are part of its transaction.
      await detached?.close(attached);
    }
    const [{ n }] = await selectRows<{ n: number }>(r, `SELECT count(*)::int AS n FROM ${NEW}`);
    return { inserted: n, attachedMonths: empty, insertedMonths: filled };
  }
}
