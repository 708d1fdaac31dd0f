import type { QueryRunner } from 'typeorm';
import { HOTLINE_TIME_ZONE } from './records.constants.js';

/**
 * `case_record` and `call_traffic` are partitioned by local month of their time column
 * (migration 1764205200000): one partition per month, named `<table>_yYYYYmMM`, holding
 * [first instant of the month, first instant of the next) in Asia/Shanghai. There is no default
 * partition: a writer creates the months it needs first (`ensureMonthPartitions`), and a month's
 * partition can be dropped whole (retention) or loaded detached and attached (history load).
 */
export type PartitionedTable = 'case_record' | 'call_traffic';

/** The time column each partitioned table is partitioned by. */
export const PARTITION_KEY: Record<PartitionedTable, string> = {
  case_record: 'received_at',
  call_traffic: 'hour_start',
};

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const PARTITION = /^(case_record|call_traffic)_y(\d{4})m(\d{2})$/;

/** `2024-03` → `case_record_y2024m03`. */
export function monthPartitionName(table: PartitionedTable, month: string): string {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month (YYYY-MM): ${month}`);
  return `${table}_y${m[1]}m${m[2]}`;
}

/** `case_record_y2024m03` → `2024-03`; null for a name that is not a month partition. */
export function monthOfPartition(name: string): string | null {
  const m = PARTITION.exec(name);
  return m ? `${m[2]}-${m[3]}` : null;
}

/** The month after `YYYY-MM`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The first instant of a month and of the next, as SQL timestamptz literals (a month is checked first). */
export function monthBounds(month: string): [string, string] {
  monthPartitionName('case_record', month);
  return [
    `'${month}-01 00:00:00 ${HOTLINE_TIME_ZONE}'::timestamptz`,
    `'${nextMonth(month)}-01 00:00:00 ${HOTLINE_TIME_ZONE}'::timestamptz`,
  ];
}

/** Month partitions of `table` that exist (attached), oldest first. */
export async function existingMonths(runner: QueryRunner, table: PartitionedTable): Promise<string[]> {
  const rows = (await runner.query(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass`,
    [table],
  )) as { name: string }[];
  return rows
    .map((r) => monthOfPartition(r.name))
    .filter((m): m is string => m !== null)
    .sort();
}

/** Lock serializing partition creation (hgw_ensure_month_partition), attachment and removal. */
export const PARTITION_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('hgw-month-partitions'))`;

/**
 * Creates the month partitions of `table` that `months` need and do not exist yet, each in a
 * statement (transaction) of its own, before the batch that needs them: creating a partition
 * locks the parent table, and that lock should not be held for the length of a batch. Call it
 * outside a transaction.
 */
export async function ensureMonthPartitions(
  runner: QueryRunner,
  table: PartitionedTable,
  months: Iterable<string>,
  /** Months known to exist (filled in here): a writer of many batches asks the catalog once per new month. */
  known: Set<string> = new Set(),
): Promise<void> {
  let wanted = [...new Set(months)].filter((m) => !known.has(m));
  if (wanted.length === 0) return;
  for (const m of await existingMonths(runner, table)) known.add(m);
  wanted = wanted.filter((m) => !known.has(m)).sort();
  for (const month of wanted) {
    monthPartitionName(table, month);
    await runner.query(`SELECT hgw_ensure_month_partition($1, $2::date)`, [table, `${month}-01`]);
    known.add(month);
  }
}

/** Asia/Shanghai has kept UTC+8 without daylight saving since 1992 (PostgreSQL's tz database). */
const FIXED_OFFSET_SINCE_MS = Date.UTC(1992, 0, 1);
const OFFSET_MS = 8 * 3_600_000;

/**
 * Local months (YYYY-MM) of epoch-millisecond instants: computed here for instants since 1992
 * (a fixed offset), by the database for any earlier one.
 */
export async function monthsOf(runner: QueryRunner, instantsMs: readonly number[]): Promise<string[]> {
  const months = new Set<string>();
  const early: number[] = [];
  for (const ms of instantsMs) {
    if (ms < FIXED_OFFSET_SINCE_MS) early.push(ms / 1000);
    else months.add(new Date(ms + OFFSET_MS).toISOString().slice(0, 7));
  }
  if (early.length > 0) {
    const rows = (await runner.query(
      `SELECT DISTINCT to_char(to_timestamp(x) AT TIME ZONE '${HOTLINE_TIME_ZONE}', 'YYYY-MM') AS month
       FROM unnest($1::float8[]) AS u(x)`,
      [early],
    )) as { month: string }[];
    for (const r of rows) months.add(r.month);
  }
  return [...months];
}
