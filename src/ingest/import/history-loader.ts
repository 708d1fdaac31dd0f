import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { QueryRunner } from 'typeorm';
import { HOTLINE_TIME_ZONE } from '../../records/records.constants.js';
import { existingMonths, monthBounds, monthPartitionName, PARTITION_LOCK_SQL } from '../../records/month-partitions.js';
import { KeywordExtractor } from '../text-analytics/keyword-extractor.js';
import { addToReplyForms, flagEarlierTemplateCases } from '../text-analytics/template-replies.js';
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
    FROM candidates WINDOW issue AS (PARTITION BY caller_pseudonym, category_l1, category_l2 ORDER BY ts, id)
  ),
  earlier AS (
    SELECT id, new, ts, first_value(lag_id) OVER same_time AS prev_id, first_value(lag_ts) OVER same_time AS prev_ts
    FROM before WINDOW same_time AS (PARTITION BY caller_pseudonym, category_l1, category_l2, ts ORDER BY id)
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
 * one index insertion per row) and attaches it as the month's partition. Months that already have
 * cases take the day-to-day INSERT. Then keywords, the batch hooks, the dirty days and the
 * import's progress. A kill before the commit leaves nothing; the rerun starts the file again.
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
    await r.query(`DROP TABLE IF EXISTS ${STAGE}, ${NEW}, ${LINKS}, ${TEMPLATED}`);
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
      throw e;
    } finally {
      await this.runner.query(`DROP TABLE IF EXISTS ${STAGE}, ${NEW}, ${LINKS}, ${TEMPLATED}`).catch(() => undefined);
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
    const crossed = await addToReplyForms(
      r,
      `SELECT n.reply_fingerprint, l.repeat_of_id FROM ${NEW} n LEFT JOIN ${LINKS} l ON l.id = n.id`,
    );
    // Earlier cases of a form that just became a template (this load's are stored flagged).
    if (crossed) await flagEarlierTemplateCases(r, crossed);
    await r.query(
      `CREATE TEMPORARY TABLE ${TEMPLATED} ON COMMIT DROP AS
       SELECT n.id FROM ${NEW} n JOIN reply_form f ON f.fingerprint = n.reply_fingerprint WHERE f.template`,
    );
    await r.query(`CREATE INDEX ON ${TEMPLATED} (id)`);
    // Each month's cases are read by month.
    await r.query(`CREATE INDEX ON ${NEW} (month)`);
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
    const params = [this.batchId, this.freeTextRetentionDays];
    if (filled.length > 0) {
      await r.query(
        `INSERT INTO case_record (${CASE_COLUMNS}) SELECT ${CASE_VALUES} FROM ${STORED} WHERE month = ANY($3::text[])`,
        [...params, filled],
      );
    }
    const indexes = await this.indexDefinitions();
    for (const month of empty) {
      const name = monthPartitionName('case_record', month);
      const [from, to] = monthBounds(month);
      // An empty partition made on demand earlier gives way to the loaded one.
      if (have.has(month)) await r.query(`DROP TABLE "${name}"`);
      await r.query(`CREATE TABLE "${name}" (LIKE case_record INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await r.query(
        `INSERT INTO "${name}" (${CASE_COLUMNS}) SELECT ${CASE_VALUES} FROM ${STORED} WHERE month = $3 ORDER BY received_at`,
        [...params, month],
      );
      // The month's bounds as a constraint, so that ATTACH need not scan the rows to prove them.
      await r.query(
        `ALTER TABLE "${name}" ADD CONSTRAINT "${name}_month" CHECK (received_at >= ${from} AND received_at < ${to})`,
      );
      for (const constraint of indexes.constraints) await r.query(`ALTER TABLE "${name}" ADD ${constraint}`);
      for (const index of indexes.indexes) await r.query(index.replace('$TABLE', `"${name}"`));
      await r.query(`ALTER TABLE case_record ATTACH PARTITION "${name}" FOR VALUES FROM (${from}) TO (${to})`);
      await r.query(`ALTER TABLE "${name}" DROP CONSTRAINT "${name}_month"`);
    }
    await r.query(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT DISTINCT 'cases', (to_timestamp(received_at) AT TIME ZONE '${TZ}')::date FROM ${NEW}
       ON CONFLICT DO NOTHING`,
    );
    const [{ n }] = await selectRows<{ n: number }>(r, `SELECT count(*)::int AS n FROM ${NEW}`);
    return { inserted: n, attachedMonths: empty, insertedMonths: filled };
  }

  /**
   * The parent's primary key and unique constraint (as ADD clauses) and its other indexes (as
   * CREATE INDEX on `$TABLE`), read from the catalog: the loaded month gets exactly the indexes
   * ATTACH will take as the parent's, whatever migrations added since.
   */
  private async indexDefinitions(): Promise<{ constraints: string[]; indexes: string[] }> {
    const constraints = await selectRows<{ def: string }>(
      this.runner,
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = 'case_record'::regclass AND contype IN ('p', 'u') ORDER BY contype, conname`,
    );
    const indexes = await selectRows<{ def: string }>(
      this.runner,
      `SELECT regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE INDEX \\S+ ON ONLY \\S+', 'CREATE INDEX ON $TABLE') AS def
       FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
       WHERE i.indrelid = 'case_record'::regclass AND c.oid IS NULL ORDER BY i.indexrelid`,
    );
    for (const { def } of indexes)
      if (!def.startsWith('CREATE INDEX ON $TABLE')) throw new Error(`unexpected index definition: ${def}`);
    return { constraints: constraints.map((c) => c.def), indexes: indexes.map((i) => i.def) };
  }
}
