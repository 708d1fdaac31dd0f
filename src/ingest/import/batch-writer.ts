import { randomBytes } from 'node:crypto';
import { QueryRunner } from 'typeorm';
import { selectRows } from './select-rows.js';
import { analyseBatchText } from '../text-analytics/text-analytics.js';
import { HOTLINE_TIME_ZONE } from '../../records/records.constants.js';
import type { CaseInput, NewReferenceRows, TrafficInput } from './case-input.js';

/** Progress of one batch: how far into the file it reaches and what it counted. */
export interface BatchCounts {
  /** Records of the file (data rows) processed once this batch commits. */
  committedRecords: number;
  rejected: number;
}

const TZ = HOTLINE_TIME_ZONE;

/**
 * Writes one batch in one transaction: new reference rows, the records (multi-row INSERT
 * from unnest arrays, ON CONFLICT DO NOTHING so re-imports add nothing), repeat-chain links,
 * the touched days into rollup_dirty_day, and the import batch's progress. A kill at any
 * point leaves either all of it or none of it.
 */
export class BatchWriter {
  constructor(
    private readonly runner: QueryRunner,
    private readonly batchId: string,
  ) {}

  async writeCases(rows: CaseInput[], refs: NewReferenceRows | null, counts: BatchCounts): Promise<number> {
    return this.transaction(async () => {
      if (refs) await this.writeReferences(refs);
      let inserted = 0;
      if (rows.length > 0) {
        const col = <K extends keyof CaseInput>(k: K) => rows.map((r) => r[k]);
        const secs = (k: 'receivedAt' | 'dispatchedAt' | 'closedAt') =>
          rows.map((r) => (r[k] === null ? null : r[k] / 1000));
        const keys = randomBytes(4 * rows.length);
        const recordKeys = rows.map((_, i) => keys.readUInt32LE(4 * i) >>> 1);
        const result = await selectRows<{ inserted: number; min_id: string | null }>(
          this.runner,
          `WITH ins AS (
             INSERT INTO case_record (source, case_number, received_at, dispatched_at, closed_at, channel, kind,
               category_l1, category_l2, category_l3, province_code, city_code, district_code, street_code,
               department_code, outcome, satisfaction, dissatisfaction_reason, request_text, reply_text,
               reply_fingerprint, caller_pseudonym, record_key, import_batch_id)
             SELECT s, n, to_timestamp(r), to_timestamp(d), to_timestamp(c), ch, k, c1, c2, c3, p, ci, di, st, dep, o, sa,
               dr, rq, rp, rf, cp, rk, $24::bigint
             FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::text[], $7::text[],
               $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
               $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::int[])
               AS u(s, n, r, d, c, ch, k, c1, c2, c3, p, ci, di, st, dep, o, sa, dr, rq, rp, rf, cp, rk)
             ON CONFLICT (source, case_number) DO NOTHING
             RETURNING id, received_at
           ), dirty AS (
             INSERT INTO rollup_dirty_day (series, day)
             SELECT DISTINCT 'cases', (received_at AT TIME ZONE '${TZ}')::date FROM ins
             ON CONFLICT DO NOTHING
           )
           SELECT count(*)::int AS inserted, min(id)::text AS min_id FROM ins`,
          [
            col('source'),
            col('caseNumber'),
            secs('receivedAt'),
            secs('dispatchedAt'),
            secs('closedAt'),
            col('channel'),
            col('kind'),
            col('categoryL1'),
            col('categoryL2'),
            col('categoryL3'),
            col('provinceCode'),
            col('cityCode'),
            col('districtCode'),
            col('streetCode'),
            col('departmentCode'),
            col('outcome'),
            col('satisfaction'),
            col('dissatisfactionReason'),
            col('requestText'),
            col('replyText'),
            col('replyFingerprint'),
            col('callerPseudonym'),
            recordKeys,
            this.batchId,
          ],
        );
        inserted = result[0].inserted;
        if (inserted > 0 && rows.some((r) => r.callerPseudonym !== null))
          await this.linkRepeats(result[0].min_id as string);
        if (inserted > 0) await analyseBatchText(this.runner, rows, this.batchId, result[0].min_id as string);
      }
      await this.advance(counts, inserted, rows.length - inserted);
      return inserted;
    });
  }

  async writeTraffic(rows: TrafficInput[], counts: BatchCounts): Promise<number> {
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

  /**
   * Links each new case with a caller to that caller's latest earlier case on the same issue
   * (same level-1 and level-2 category) within 90 days, including cases of this batch.
   */
  private async linkRepeats(minId: string): Promise<void> {
    await this.runner.query(
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
       WHERE c.id = m.id AND m.prev IS NOT NULL`,
      [this.batchId, minId],
    );
  }

  private async writeReferences(refs: NewReferenceRows): Promise<void> {
    if (refs.areas.length) {
      await this.runner.query(
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
      await this.runner.query(
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
      await this.runner.query(
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
