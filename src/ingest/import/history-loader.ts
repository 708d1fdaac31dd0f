import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { QueryRunner } from 'typeorm';
import { HOTLINE_TIME_ZONE } from '../../records/records.constants.js';
import { existingMonths, monthBounds, monthPartitionName, PARTITION_LOCK_SQL } from '../../records/month-partitions.js';
import { KeywordExtractor } from '../text-analytics/keyword-extractor.js';
import { detectTemplateReplies } from '../text-analytics/template-replies.js';
import { encodeHistoryStage, textKeptFrom } from './copy-encoding.js';
import {
  KEPT_TEXT,
  linkRepeats,
  newStagedCases,
  sourceLocks,
  STAGE_COLUMNS,
  writeReferences,
  type BatchCounts,
  type CaseBatchHook,
} from './batch-writer.js';
import type { CaseInput, NewReferenceRows } from './case-input.js';
import { selectRows } from './select-rows.js';

const TZ = HOTLINE_TIME_ZONE;
/** Every case of the file, staged as the import reads it (temporary: no WAL, gone with the session). */
const STAGE = 'hgw_history_stage';
/** The staged cases to store: new case numbers once each, with their ids and local month. */
const NEW = 'hgw_history_new';
const TEMP_BUFFERS = '256MB';

const CASE_COLUMNS = `id, source, case_number, received_at, dispatched_at, closed_at, channel, kind, category_l1,
  category_l2, category_l3, province_code, city_code, district_code, street_code, department_code, outcome,
  satisfaction, dissatisfaction_reason, request_text, reply_text, reply_fingerprint, caller_pseudonym, record_key,
  import_batch_id`;
const CASE_VALUES = `id, source, case_number, to_timestamp(received_at), to_timestamp(dispatched_at), to_timestamp(closed_at),
  channel, kind, category_l1, category_l2, category_l3, province_code, city_code, district_code, street_code,
  department_code, outcome, satisfaction, ${KEPT_TEXT}, reply_fingerprint, caller_pseudonym, record_key, $1::bigint`;

/** What a history load stored: months loaded detached and attached, and months that already had cases. */
export interface HistoryLoadResult {
  inserted: number;
  attachedMonths: string[];
  insertedMonths: string[];
}

/**
 * `import FILE --history`: a file of past months loaded whole. The import stages every case of
 * the file (COPY into a temporary table while it reads on), then in one transaction keeps the new
 * case numbers once each (the same rule as a day-to-day import), and writes each month that has
 * no case yet into a table of its own with no index, builds that table's indexes once (a sorted
 * build instead of one index insertion per row) and attaches it as the month's partition. Months
 * that already have cases take the day-to-day INSERT. Then, as a day-to-day batch does: repeat
 * links, keywords, template replies, the batch hooks, the dirty days and the import's progress.
 * A kill before the commit leaves nothing; the rerun starts the file again.
 */
export class HistoryLoader {
  private staged = 0;
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
    if (this.staged === 0 && rows > 0) {
      // The whole file goes through temporary tables, which live in the session's own buffers (8 MB
      // by default). A session that used a temporary table before cannot change it: then it stays.
      await this.runner.query(`SET temp_buffers = '${TEMP_BUFFERS}'`).catch(() => undefined);
      await this.runner.query(`DROP TABLE IF EXISTS ${STAGE}, ${NEW}`);
      await this.runner.query(`CREATE TEMPORARY TABLE ${STAGE} (${STAGE_COLUMNS.join(', ')}, keywords text)`);
    }
    if (refs) {
      this.refs.areas.push(...refs.areas);
      this.refs.categories.push(...refs.categories);
      this.refs.departments.push(...refs.departments);
    }
    this.counts = counts;
    this.rejected += counts.rejected;
    if (copy === null || rows === 0) return;
    await pipeline(Readable.from([copy]), this.client.query(copyFrom(`COPY ${STAGE} FROM STDIN`)));
    this.staged += rows;
  }

  /** Stores what was staged, in one transaction. */
  async finish(): Promise<HistoryLoadResult> {
    await this.runner.startTransaction();
    try {
      const result = this.staged > 0 ? await this.store() : { inserted: 0, attachedMonths: [], insertedMonths: [] };
      if (this.refs.areas.length + this.refs.categories.length + this.refs.departments.length > 0)
        await writeReferences(this.runner, this.refs);
      const firstCaseId = result.inserted > 0 ? await this.minId() : null;
      if (firstCaseId !== null) {
        await linkRepeats(this.runner, this.batchId, firstCaseId);
        await this.runner.query(
          `INSERT INTO case_keyword (case_id, keyword)
           SELECT n.id, k.keyword FROM ${NEW} n CROSS JOIN LATERAL unnest(string_to_array(n.keywords, ' ')) AS k(keyword)
           WHERE n.keywords IS NOT NULL
           ON CONFLICT DO NOTHING`,
        );
        await detectTemplateReplies(this.runner, this.batchId, firstCaseId);
      }
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
      await this.runner.query(`DROP TABLE IF EXISTS ${STAGE}, ${NEW}`).catch(() => undefined);
    }
  }

  private async minId(): Promise<string> {
    const [row] = await selectRows<{ id: string }>(this.runner, `SELECT min(id)::text AS id FROM ${NEW}`);
    return row.id;
  }

  private async store(): Promise<HistoryLoadResult> {
    const r = this.runner;
    // Index builds of a month take longer than the pool's per-statement ceiling (as a rollup build does).
    await r.query(`SET LOCAL statement_timeout = 0`);
    await r.query(sourceLocks(STAGE));
    await r.query(PARTITION_LOCK_SQL);
    await r.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    // The file's cases are sorted (new case numbers, months, index builds) in memory rather than on disk.
    await r.query(`SET LOCAL work_mem = '256MB'`);
    // Ids in file order, from the table's own sequence.
    await r.query(
      `CREATE TEMPORARY TABLE ${NEW} ON COMMIT DROP AS
       SELECT nextval('case_record_id_seq')::bigint AS id,
         to_char(to_timestamp(n.received_at) AT TIME ZONE '${TZ}', 'YYYY-MM') AS month, n.*
       FROM (${newStagedCases(STAGE)}) n`,
    );
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
        `INSERT INTO case_record (${CASE_COLUMNS}) SELECT ${CASE_VALUES} FROM ${NEW} WHERE month = ANY($3::text[])`,
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
        `INSERT INTO "${name}" (${CASE_COLUMNS}) SELECT ${CASE_VALUES} FROM ${NEW} WHERE month = $3 ORDER BY received_at`,
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
