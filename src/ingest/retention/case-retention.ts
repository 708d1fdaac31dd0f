import { DataSource, QueryRunner } from 'typeorm';
import type { Actor } from '../../access-policy/actor.js';
import { AuditRecorder } from '../../audit/audit-recorder.js';
import type { AppConfig } from '../../config/app-config.js';
import { withIdentityContext } from '../../principals/identity-context.js';
import {
  existingMonths,
  monthBounds,
  monthPartitionName,
  PARTITION_LOCK_SQL,
  type PartitionedTable,
} from '../../records/month-partitions.js';
import { HOTLINE_TIME_ZONE } from '../../records/records.constants.js';

const TZ = HOTLINE_TIME_ZONE;

/** Who drops expired months: the operator's scheduled job (an import, or `hotline-gateway retention`). */
export const RETENTION_ACTOR: Actor = Object.freeze<Actor>({
  role: 'steward',
  authMethod: 'none',
  requestId: 'cli:retention',
});

export interface RetentionResult {
  /** Months older than this (YYYY-MM) were dropped. */
  keptFrom: string;
  caseMonths: string[];
  trafficMonths: string[];
  cases: number;
  trafficRows: number;
  /** The audit event that records the drop (null when nothing was due). */
  auditId: string | null;
}

/** The first month kept when `months` are kept, counting the month of `now` (local time) as the first. */
export function firstKeptMonth(now: Date, months: number): string {
  const local = new Date(now.getTime() + 8 * 3_600_000);
  const index = local.getUTCFullYear() * 12 + local.getUTCMonth() - (months - 1);
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * Drops the month partitions of case records and call traffic older than the retention
 * (CASE_RETENTION_MONTHS): whole partitions, so nothing is rewritten. In one transaction, under
 * the partition lock: the keywords of the dropped cases go too, cases that repeated a dropped
 * case start their chain afresh, and every day of the dropped months (and those whose repeat
 * chains or traffic baselines read them) is marked dirty, so the next rollup refresh removes or
 * rebuilds their cells. The audit event is stored before the transaction commits: if it cannot
 * be, nothing is dropped.
 */
export async function dropExpiredMonths(
  dataSource: DataSource,
  audit: AuditRecorder,
  retentionMonths: number,
  now: Date = new Date(),
): Promise<RetentionResult> {
  if (!Number.isInteger(retentionMonths) || retentionMonths < 1)
    throw new Error('retention: expected a whole number of months, at least 1');
  const keptFrom = firstKeptMonth(now, retentionMonths);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    try {
      await runner.query(`SET LOCAL statement_timeout = 0`);
      await runner.query(PARTITION_LOCK_SQL);
      const caseMonths = (await existingMonths(runner, 'case_record')).filter((m) => m < keptFrom);
      const trafficMonths = (await existingMonths(runner, 'call_traffic')).filter((m) => m < keptFrom);
      let cases = 0;
      let trafficRows = 0;
      for (const month of caseMonths) cases += await dropCaseMonth(runner, month);
      for (const month of trafficMonths) trafficRows += await dropTrafficMonth(runner, month);
      let auditId: string | null = null;
      if (caseMonths.length + trafficMonths.length > 0) {
        ({ id: auditId } = await audit.record(RETENTION_ACTOR, {
          operation: 'dropExpiredMonths',
          decision: 'allowed',
          reason: `CASE_RETENTION_MONTHS=${retentionMonths}: months before ${keptFrom} dropped`,
          target: `records:before:${keptFrom}`,
          query: { retentionMonths, keptFrom, caseMonths, trafficMonths, cases, trafficRows },
        }));
      }
      await runner.commitTransaction();
      return { keptFrom, caseMonths, trafficMonths, cases, trafficRows, auditId };
    } catch (e) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw e;
    }
  } finally {
    await runner.release();
  }
}

async function markMonthDirty(runner: QueryRunner, series: 'cases' | 'traffic', month: string): Promise<void> {
  await runner.query(
    `INSERT INTO rollup_dirty_day (series, day)
     SELECT $1, d::date FROM generate_series($2::date, ($2::date + interval '1 month' - interval '1 day'), interval '1 day') d
     ON CONFLICT DO NOTHING`,
    [series, `${month}-01`],
  );
}

async function dropCaseMonth(runner: QueryRunner, month: string): Promise<number> {
  const name = monthPartitionName('case_record', month);
  const [{ n }] = (await runner.query(`SELECT count(*)::int AS n FROM "${name}"`)) as { n: number }[];
  await runner.query(`DELETE FROM case_keyword k USING "${name}" c WHERE k.case_id = c.id`);
  // Later cases that repeated a dropped one now start their chain; their days' chain counts change.
  const [from] = monthBounds(month);
  await runner.query(
    `WITH unlinked AS (
       UPDATE case_record r SET repeat_of_id = NULL
       FROM "${name}" c WHERE r.repeat_of_id = c.id AND r.received_at >= ${from}
       RETURNING r.received_at
     )
     INSERT INTO rollup_dirty_day (series, day)
     SELECT DISTINCT 'cases', (received_at AT TIME ZONE '${TZ}')::date FROM unlinked
     ON CONFLICT DO NOTHING`,
  );
  await markMonthDirty(runner, 'cases', month);
  await dropPartition(runner, 'case_record', name);
  return n;
}

async function dropTrafficMonth(runner: QueryRunner, month: string): Promise<number> {
  const name = monthPartitionName('call_traffic', month);
  const [{ n }] = (await runner.query(`SELECT count(*)::int AS n FROM "${name}"`)) as { n: number }[];
  // The refresher also rebuilds the four weeks after each dirty day, whose baselines read it.
  await markMonthDirty(runner, 'traffic', month);
  await dropPartition(runner, 'call_traffic', name);
  return n;
}

async function dropPartition(runner: QueryRunner, table: PartitionedTable, name: string): Promise<void> {
  await runner.query(`ALTER TABLE "${table}" DETACH PARTITION "${name}"`);
  await runner.query(`DROP TABLE "${name}"`);
}

/** Drops what CASE_RETENTION_MONTHS says has expired, audited through the gateway's own audit recorder; null when off. */
export async function applyCaseRetention(config: AppConfig, dataSource: DataSource): Promise<RetentionResult | null> {
  if (config.caseRetentionMonths === 0) return null;
  return withIdentityContext(config, dataSource, (app) =>
    dropExpiredMonths(dataSource, app.get(AuditRecorder), config.caseRetentionMonths),
  );
}
