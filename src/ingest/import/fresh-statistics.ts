import type { DataSource, QueryRunner } from 'typeorm';
import { existingMonths, monthPartitionName, type PartitionedTable } from '../../records/month-partitions.js';
import { selectRows } from './select-rows.js';

/** PostgreSQL 18 analyzes a partitioned table's own statistics without its partitions (`ANALYZE ONLY`). */
const ANALYZE_ONLY_SINCE = 180000;
/**
 * From PostgreSQL 15 the time of a table's last ANALYZE is in shared memory as soon as it ends
 * (the cumulative statistics system), which `splitWholeTable` reads to find a month passed over.
 */
const SPLIT_SINCE = 150000;
/** Autovacuum's rule for a table's statistics: renewed once a tenth of its rows is new. */
const PARENT_SHARE = 0.1;

export interface StatisticsPlan {
  /** Tables analyzed on their own, two at a time: the months written into, and the other tables given. */
  tables: string[];
  /** The partitioned table's statistics of the whole: `ONLY` (PostgreSQL 18+), `all` (with every month), or none. */
  parent: 'only' | 'all' | null;
}

/**
 * What to analyze after an import added `added` rows into `months` of `table` (which holds about
 * `estimatedRows` now): each month written into, and the parent's statistics of the whole table
 * (estimates across months: groups, joins of repeat chains) when a tenth of its rows is new. Before
 * PostgreSQL 18, ANALYZE of a partitioned table also analyzes every month of it again (hundreds
 * after ten years): then the parent goes alone when it is due, and the months of the import
 * otherwise.
 */
export function statisticsPlan(
  table: PartitionedTable,
  months: Iterable<string>,
  others: readonly string[],
  added: number,
  estimatedRows: number,
  serverVersion: number,
): StatisticsPlan {
  const parentDue = added >= PARENT_SHARE * estimatedRows;
  const partitions = [...new Set(months)].sort().map((m) => monthPartitionName(table, m));
  if (serverVersion >= ANALYZE_ONLY_SINCE)
    return { tables: [...partitions, ...others], parent: parentDue ? 'only' : null };
  return parentDue ? { tables: [...others], parent: 'all' } : { tables: [...partitions, ...others], parent: null };
}

/**
 * Before PostgreSQL 18, the months the second connection analyzes while the import's own
 * analyzes the whole table (`splitWholeTable`): the later half. The whole table's own sample
 * (about as long as three months at the scale of `npm run bench:history`) and the earlier months
 * stay on the import's connection; the other tables go with the later months.
 */
export function monthsBeside(partitions: readonly string[]): string[] {
  return partitions.slice(partitions.length - Math.floor(partitions.length / 2));
}

/**
 * Fresh planner statistics after a bulk load, before the rollup refresh reads the rows: without
 * them PostgreSQL expects near-empty months and walks repeat chains by full scans (the demo's
 * 200,000 cases refreshed in 58 s instead of 20 s). ANALYZE samples a fixed number of rows a
 * table, so a month costs the same whatever the import added to it; the months run two at a
 * time on two connections (`runner`, the import's own, and one more of the pool when it has one), the
 * parent's statistics beside them (before PostgreSQL 18, where they take every month with them,
 * split between the two: `splitWholeTable`).
 */
export async function analyzeAfterImport(
  dataSource: DataSource,
  runner: QueryRunner,
  table: PartitionedTable,
  months: Iterable<string>,
  others: readonly string[],
  added: number,
): Promise<StatisticsPlan> {
  const [{ version, rows }] = await selectRows<{ version: number; rows: number }>(
    runner,
    `SELECT current_setting('server_version_num')::int AS version,
       (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass) AS rows`,
    [table],
  );
  const plan = statisticsPlan(table, months, others, added, rows, version);
  const second = dataSource.createQueryRunner();
  try {
    // Without a second connection (a pool of one, or one that is busy) everything runs on the first.
    const helper = await second.connect().then(
      () => second,
      () => null,
    );
    // A month of a large table can take longer to sample than the pool's per-statement ceiling.
    const unlimited = helper ? [runner, helper] : [runner];
    for (const r of unlimited) await r.query(`SET statement_timeout = 0`);
    try {
      if (plan.parent === 'all' && helper && version >= SPLIT_SINCE) {
        const partitions = (await existingMonths(runner, table)).map((m) => monthPartitionName(table, m));
        await splitWholeTable(runner, helper, table, partitions, plan.tables);
      } else {
        const statements = [
          ...(plan.parent === 'all' ? [`ANALYZE ${table}`] : plan.parent === 'only' ? [`ANALYZE ONLY ${table}`] : []),
          ...plan.tables.map((t) => `ANALYZE "${t}"`),
        ];
        const next = () => statements.shift();
        const drain = async (r: QueryRunner) => {
          for (let s = next(); s !== undefined; s = next()) await r.query(s);
        };
        const done = await Promise.allSettled(unlimited.map(drain));
        for (const d of done) if (d.status === 'rejected') throw d.reason;
      }
    } finally {
      for (const r of unlimited) await r.query(`RESET statement_timeout`).catch(() => undefined);
    }
  } finally {
    await second.release();
  }
  return plan;
}

/**
 * The whole table analyzed before PostgreSQL 18, on two connections: ANALYZE of a partitioned
 * table there samples the whole table, then analyzes each month, one after the other. The
 * second connection locks the later months (`monthsBeside`) as ANALYZE itself would and analyzes
 * them and `others`; the import's own analyzes the whole table with `SKIP_LOCKED`, which passes
 * over the months held by the other (its own lock on the parent keeps it from passing over the
 * parent). A month held by a third session (autovacuum, say) is passed over too: it is analyzed
 * afterwards, waiting for it, so every month is analyzed once. `partitions` are the table's months
 * (listed before): when one of them is gone by the time the other connection locks it, the whole
 * table is analyzed here alone.
 */
export async function splitWholeTable(
  runner: QueryRunner,
  helper: QueryRunner,
  table: PartitionedTable,
  partitions: readonly string[],
  others: readonly string[],
): Promise<void> {
  const beside = monthsBeside(partitions);
  const [{ since }] = await selectRows<{ since: string }>(runner, `SELECT clock_timestamp()::text AS since`);
  await helper.startTransaction();
  try {
    if (beside.length > 0)
      await helper.query(`LOCK TABLE ${beside.map((t) => `"${t}"`).join(', ')} IN SHARE UPDATE EXCLUSIVE MODE`);
  } catch {
    // A month dropped since it was listed (retention, say): the whole table on this connection alone.
    await helper.rollbackTransaction().catch(() => undefined);
    await runner.query(`ANALYZE ${table}`);
    for (const t of others) await runner.query(`ANALYZE "${t}"`);
    return;
  }
  const whole = runner.startTransaction().then(() =>
    thenCommit(runner, async () => {
      await runner.query(`LOCK TABLE ONLY ${table} IN SHARE UPDATE EXCLUSIVE MODE`);
      await runner.query(`ANALYZE (SKIP_LOCKED) ${table}`);
    }),
  );
  const besideWork = thenCommit(helper, async () => {
    for (const t of [...beside, ...others]) await helper.query(`ANALYZE "${t}"`);
    // Its months stay locked until the whole table's ANALYZE has passed them (it would take them again).
    await whole.catch(() => undefined);
  });
  const done = await Promise.allSettled([whole, besideWork]);
  for (const d of done) if (d.status === 'rejected') throw d.reason;
  const missed = await selectRows<{ name: string }>(
    runner,
    `SELECT relname AS name FROM pg_stat_user_tables
     WHERE relname = ANY($1::text[]) AND schemaname = current_schema()
       AND coalesce(greatest(last_analyze, last_autoanalyze), '-infinity') < $2::timestamptz
     ORDER BY 1`,
    [partitions, since],
  );
  for (const { name } of missed) await runner.query(`ANALYZE "${name}"`);
}

/** Runs `work` in the transaction open on `r` and commits it, or rolls it back and fails. */
async function thenCommit(r: QueryRunner, work: () => Promise<void>): Promise<void> {
  try {
    await work();
    await r.commitTransaction();
  } catch (e) {
    await r.rollbackTransaction().catch(() => undefined);
    throw e;
  }
}
