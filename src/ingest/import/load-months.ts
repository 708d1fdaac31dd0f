import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';
import { monthBounds, monthPartitionName } from '../../records/month-partitions.js';
import { selectRows } from './select-rows.js';

/**
 * The empty months of a history load (history-loader.ts), each written into a table of its own
 * with no index, complete, its primary key, unique key and indexes built once (sorted builds
 * instead of one index insertion per row), and attached as the month's partition: a `CHECK` of
 * the month's range lets ATTACH skip scanning the rows, and the table's indexes become the
 * partitions of the parent's.
 *
 * Two ways, with the same tables in the end:
 * - `buildMonthsInLoad`: in the load's own transaction, one after the other (a pool of one
 *   connection).
 * - `DetachedMonths`: on a second connection, while the load's transaction writes the reply
 *   forms. The load's connection streams each month's rows (`COPY ... TO STDOUT`, binary) into a
 *   table the second connection creates (`COPY ... FROM STDIN`, `FREEZE`); the second connection
 *   then builds their indexes and commits them, unattached, under a name of the load's
 *   (`hgw_load_<batch>_yYYYYmMM`); the load's transaction renames and attaches them and commits.
 *   A kill between the two commits leaves unattached tables, which no query reads (they are not
 *   partitions); the next history load drops them (`dropLeftoverLoadTables`), as the load itself
 *   does when it fails.
 */

/** How a month's rows are selected in the load's transaction: `$MONTH` stands for the month ('YYYY-MM', a literal). */
export interface MonthRows {
  /** The columns the query gives, in its order. */
  columns: string;
  /** `SELECT <columns> FROM ... WHERE month = $MONTH ORDER BY received_at`, with no parameters. */
  sql: string;
}

/** The parent's primary key and unique constraint (as ADD clauses) and its other indexes (CREATE INDEX ON `$TABLE`). */
export interface IndexDefinitions {
  constraints: string[];
  indexes: string[];
}

/** A month's rows held in memory while the month before is written (larger months wait for it). */
const HOLD_BYTES = 64 * 1024 * 1024;

const LOAD_TABLE = /^hgw_load_(\d+)_y(\d{4})m(\d{2})$/;

/** The name a month of the load of `batchId` has until it is attached. */
export function loadTableName(batchId: string, month: string): string {
  if (!/^\d+$/.test(batchId)) throw new Error(`not an import batch id: ${batchId}`);
  return monthPartitionName('case_record', month).replace(/^case_record_/, `hgw_load_${batchId}_`);
}

/** Held by the connection that builds a load's months for as long as the load runs. */
const loadLock = (fn: 'pg_advisory_lock' | 'pg_try_advisory_lock' | 'pg_advisory_unlock', batchId: string) =>
  `SELECT ${fn}(hashtext('hgw-history-load:' || ${Number(batchId)}::text)) AS locked`;

/**
 * Drops the tables of history loads that ended without attaching them (killed between the
 * commit of their months and the commit of the load). A load that still runs holds its lock and
 * keeps its tables.
 */
export async function dropLeftoverLoadTables(runner: QueryRunner): Promise<string[]> {
  const tables = await selectRows<{ name: string }>(
    runner,
    `SELECT relname AS name FROM pg_class
     WHERE relname LIKE 'hgw\\_load\\_%' AND relkind = 'r' AND relnamespace = current_schema()::regnamespace`,
  );
  const dropped: string[] = [];
  for (const { name } of tables) {
    const m = LOAD_TABLE.exec(name);
    if (!m) continue;
    const [{ locked }] = await selectRows<{ locked: boolean }>(runner, loadLock('pg_try_advisory_lock', m[1]));
    if (!locked) continue;
    try {
      await runner.query(`DROP TABLE IF EXISTS "${name}"`);
      dropped.push(name);
    } finally {
      await runner.query(loadLock('pg_advisory_unlock', m[1]));
    }
  }
  return dropped;
}

/**
 * Which empty months the second connection builds (first) and which the load's own builds after
 * its reply forms (second), so that both finish at about the same time: a month costs the other
 * connection its rows' writing and its index builds, and the load's own connection the selection
 * of its rows; a month built in the load costs it about as much as it costs the other, and the
 * reply forms about as much as three months (measured with `npm run bench:history`: a quarter of
 * the months here). A month that replaces an empty partition is built beside: dropping that
 * partition here, while the other connection still reads the parent's definition, would wait for
 * it.
 */
export function shareMonths(empty: readonly string[], replacesEmpty: ReadonlySet<string>): [string[], string[]] {
  const count = Math.floor(empty.length / 4);
  const candidates = empty.filter((m) => !replacesEmpty.has(m));
  const here = new Set(count > 0 ? candidates.slice(-count) : []);
  return [empty.filter((m) => !here.has(m)), empty.filter((m) => here.has(m))];
}

/**
 * The parent's primary key and unique constraint and its other indexes, read from the catalog:
 * a loaded month gets exactly the indexes ATTACH will take as the parent's, whatever migrations
 * added since.
 */
export async function indexDefinitions(runner: QueryRunner): Promise<IndexDefinitions> {
  const constraints = await selectRows<{ def: string }>(
    runner,
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = 'case_record'::regclass AND contype IN ('p', 'u') ORDER BY contype, conname`,
  );
  const indexes = await selectRows<{ def: string }>(
    runner,
    `SELECT regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE INDEX \\S+ ON ONLY \\S+', 'CREATE INDEX ON $TABLE') AS def
     FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
     WHERE i.indrelid = 'case_record'::regclass AND c.oid IS NULL ORDER BY i.indexrelid`,
  );
  for (const { def } of indexes)
    if (!def.startsWith('CREATE INDEX ON $TABLE')) throw new Error(`unexpected index definition: ${def}`);
  return { constraints: constraints.map((c) => c.def), indexes: indexes.map((i) => i.def) };
}

const monthRows = (rows: MonthRows, month: string) => {
  monthPartitionName('case_record', month);
  return rows.sql.replaceAll('$MONTH', `'${month}'`);
};

/** The month's range as a constraint (so that ATTACH need not scan the rows to prove it), its keys and indexes. */
async function finishTable(runner: QueryRunner, name: string, month: string, defs: IndexDefinitions): Promise<void> {
  const [from, to] = monthBounds(month);
  await runner.query(
    `ALTER TABLE "${name}" ADD CONSTRAINT "${name}_month" CHECK (received_at >= ${from} AND received_at < ${to})`,
  );
  for (const constraint of defs.constraints) await runner.query(`ALTER TABLE "${name}" ADD ${constraint}`);
  for (const index of defs.indexes) await runner.query(index.replace('$TABLE', `"${name}"`));
}

/** Attaches a finished table (finishTable) as the month's partition, named as the month, its check dropped. */
async function attach(runner: QueryRunner, name: string, month: string, replacesEmpty: boolean): Promise<void> {
  const partition = monthPartitionName('case_record', month);
  const [from, to] = monthBounds(month);
  // An empty partition made on demand earlier gives way to the loaded one.
  if (replacesEmpty) await runner.query(`DROP TABLE "${partition}"`);
  if (name !== partition) {
    await runner.query(`ALTER TABLE "${name}" RENAME TO "${partition}"`);
    // Its indexes (and the key constraints they back) are named after the month too.
    const indexes = await selectRows<{ name: string }>(
      runner,
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE i.indrelid = $1::regclass AND starts_with(c.relname::text, $2)`,
      [`"${partition}"`, name],
    );
    for (const index of indexes)
      await runner.query(`ALTER INDEX "${index.name}" RENAME TO "${partition}${index.name.slice(name.length)}"`);
  }
  await runner.query(`ALTER TABLE case_record ATTACH PARTITION "${partition}" FOR VALUES FROM (${from}) TO (${to})`);
  await runner.query(`ALTER TABLE "${partition}" DROP CONSTRAINT "${name}_month"`);
}

/** Each of `months` built and attached in the load's own transaction (`runner`), one after the other. */
export async function buildMonthsInLoad(
  runner: QueryRunner,
  rows: MonthRows,
  months: readonly string[],
  replacesEmpty: ReadonlySet<string>,
  defs: IndexDefinitions,
): Promise<void> {
  for (const month of months) {
    const name = monthPartitionName('case_record', month);
    if (replacesEmpty.has(month)) await runner.query(`DROP TABLE "${name}"`);
    await runner.query(`CREATE TABLE "${name}" (LIKE case_record INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await runner.query(`INSERT INTO "${name}" (${rows.columns}) ${monthRows(rows, month)}`);
    await finishTable(runner, name, month, defs);
    await attach(runner, name, month, false);
  }
}

/** A history load's months built on a second connection (see the top of this file). */
export class DetachedMonths {
  private open = false;
  private committed: string[] = [];
  private readonly months: string[] = [];
  /** The writing of the copied months: settled (for close), and as it ended (for commit). */
  private writing: Promise<void> = Promise.resolve();
  private written: Promise<void> = Promise.resolve();

  private constructor(
    private readonly helper: QueryRunner,
    private readonly client: PoolClient,
    private readonly batchId: string,
  ) {}

  /**
   * A second connection for the load of `batchId`, holding the load's lock, with leftovers of
   * killed loads dropped; null when the pool has no second connection to give (then the months
   * are built in the load: buildMonthsInLoad).
   */
  static async open(dataSource: DataSource, batchId: string): Promise<DetachedMonths | null> {
    const helper = dataSource.createQueryRunner();
    let client: PoolClient;
    try {
      client = (await helper.connect()) as PoolClient;
    } catch {
      await helper.release();
      return null;
    }
    try {
      await helper.query(loadLock('pg_advisory_lock', batchId));
      await dropLeftoverLoadTables(helper);
      // Index builds of a month take longer than the pool's per-statement ceiling.
      await helper.query(`SET statement_timeout = 0`);
      await helper.query(`SET maintenance_work_mem = '256MB'`);
      return new DetachedMonths(helper, client, batchId);
    } catch (e) {
      await helper.release();
      throw e;
    }
  }

  /**
   * Streams each of `months`' rows, as the load's connection (`from`) selects them, into a new
   * table of the load's, whose keys and indexes (`defs`) are built as soon as its rows are in.
   * Returns once the load's connection has selected every month: a month's rows are held in
   * memory up to HOLD_BYTES, so that it selects the next month while this connection writes the
   * last, and goes on with its own work while this one finishes (commit waits for it).
   */
  async copy(from: PoolClient, rows: MonthRows, months: readonly string[], defs: IndexDefinitions): Promise<void> {
    if (!this.open) {
      await this.helper.startTransaction();
      this.open = true;
    }
    let ingesting: Promise<void> = Promise.resolve();
    for (const month of months) {
      const name = loadTableName(this.batchId, month);
      const held = new PassThrough({ highWaterMark: HOLD_BYTES });
      const ingest = ingesting.then(async () => {
        await this.helper.query(`CREATE TABLE "${name}" (LIKE case_record INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
        // Created in this transaction: the rows are written frozen, as a first load needs them.
        await pipeline(
          held,
          this.client.query(copyFrom(`COPY "${name}" (${rows.columns}) FROM STDIN (FORMAT binary, FREEZE)`)),
        );
        this.months.push(month);
        // Its keys and indexes while the load's connection selects the next month.
        await finishTable(this.helper, name, month, defs);
      });
      // A month that cannot be written stops the selection of the next one.
      ingest.catch((e: unknown) => held.destroy(e instanceof Error ? e : new Error(String(e))));
      ingesting = ingest;
      // Commit and close wait for it (close also when this connection fails meanwhile).
      this.writing = ingest.catch(() => undefined);
      await pipeline(from.query(copyTo(`COPY (${monthRows(rows, month)}) TO STDOUT (FORMAT binary)`)), held);
    }
    // The load's connection is free again; the last months are still written (commit waits for them).
    this.written = ingesting;
    ingesting.catch(() => undefined);
  }

  /** Commits the copied months (unattached), once they are written. */
  async commit(): Promise<void> {
    await this.written;
    if (!this.open) return;
    await this.helper.commitTransaction();
    this.open = false;
    this.committed = [...this.months];
  }

  /** In the load's transaction (`runner`), once build is done: each month attached as its partition. */
  async attachAll(runner: QueryRunner, replacesEmpty: ReadonlySet<string>): Promise<void> {
    for (const month of this.committed)
      await attach(runner, loadTableName(this.batchId, month), month, replacesEmpty.has(month));
  }

  /**
   * Ends the second connection. After a load that did not commit (`attached` false), its months
   * are rolled back or dropped; a failure to drop them leaves them to the next load.
   */
  async close(attached: boolean): Promise<void> {
    try {
      // Months still being written finish (or fail) first: nothing may run after the rollback.
      await this.writing;
      if (this.open) await this.helper.rollbackTransaction().catch(() => undefined);
      if (!attached)
        for (const month of this.committed)
          await this.helper
            .query(`DROP TABLE IF EXISTS "${loadTableName(this.batchId, month)}"`)
            .catch(() => undefined);
      await this.helper.query(loadLock('pg_advisory_unlock', this.batchId)).catch(() => undefined);
    } finally {
      this.open = false;
      await this.helper.release();
    }
  }
}
