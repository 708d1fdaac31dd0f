import type { PoolClient, QueryResult } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { ChainedEvent, GENESIS_HASH, hashEvent, UnhashedEvent } from './audit-chain.js';

/** Any 64-bit constant shared by every gateway instance: chain appends serialize on it. */
export const AUDIT_CHAIN_LOCK = 7_274_701;

/** Most events one transaction appends; keeps the JSON parameter and the lock hold time small. */
const MAX_BATCH = 500;

/**
 * Transactions one process keeps open at once. With two, the next batch is already
 * waiting on the lock while the previous one commits, so the lock is never idle
 * waiting for a network round trip; more would only queue on the same lock.
 */
const MAX_IN_FLIGHT = 2;

/** A connection the writer keeps between batches goes back to the pool after this long unused. */
const PARKED_IDLE_MS = 5_000;

type Connection = [PoolClient, (err?: unknown) => void];

export type PendingEvent = Omit<UnhashedEvent, 'seq' | 'prevHash'>;

interface Waiter {
  event: PendingEvent;
  resolve(seq: number): void;
  reject(err: unknown): void;
}

/**
 * Appends events to the hash chain with group commit: calls that arrive while batches are
 * being written wait and go together in the next transaction, and each caller resolves
 * only once its own batch has committed. Several processes stay consistent because every
 * append takes a transaction-scoped advisory lock and reads the head after acquiring it.
 */
export class AuditChainWriter {
  private queue: Waiter[] = [];
  private readonly workers = new Set<Promise<void>>();
  /**
   * Connections kept checked out between batches (at most one per batch in flight). With one at
   * hand, a batch's SQL leaves in the same tick as the append: a pool checkout would only be handed
   * over (process.nextTick) after every pending microtask, i.e. after the rest of the request.
   */
  private readonly parked: Connection[] = [];
  private parkedTimer: NodeJS.Timeout | undefined;
  private parkedAt = 0;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly onCommitted: (lastSeq: number, count: number) => void = () => undefined,
  ) {}

  append(event: PendingEvent): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (this.workers.size < MAX_IN_FLIGHT) {
        const worker: Promise<void> = this.drain().finally(() => this.workers.delete(worker));
        this.workers.add(worker);
      }
    });
  }

  /** Resolves when everything queued so far has been written (or failed). */
  async idle(): Promise<void> {
    while (this.workers.size > 0) await Promise.all([...this.workers]);
  }

  /** Waits for pending appends, then returns the kept connections to the pool (call before destroying it). */
  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
    this.releaseParked();
  }

  private releaseParked(): void {
    if (this.parkedTimer) clearTimeout(this.parkedTimer);
    this.parkedTimer = undefined;
    for (const [client, release] of this.parked.splice(0)) {
      client.removeListener('error', onParkedError);
      release();
    }
  }

  private async connect(): Promise<Connection> {
    return (await (this.dataSource.driver as PostgresDriver).obtainMasterConnection()) as Connection;
  }

  /** Keeps a healthy connection for the next batch, or gives it back (broken, closing, or one too many). */
  private park(connection: Connection, broken: unknown): void {
    const [client, release] = connection;
    if (broken || this.closed || this.parked.length >= MAX_IN_FLIGHT) {
      release(broken);
      return;
    }
    // A kept connection that dies while unused is dropped (the next batch takes a fresh one).
    client.on('error', onParkedError);
    this.parked.push(connection);
    this.parkedAt = Date.now();
    this.parkedTimer ??= setTimeout(() => this.releaseIfUnused(), PARKED_IDLE_MS).unref();
  }

  private releaseIfUnused(): void {
    this.parkedTimer = undefined;
    const unused = Date.now() - this.parkedAt;
    if (unused >= PARKED_IDLE_MS) this.releaseParked();
    else if (this.parked.length > 0) {
      this.parkedTimer = setTimeout(() => this.releaseIfUnused(), PARKED_IDLE_MS - unused).unref();
    }
  }

  private unpark(): Connection | undefined {
    while (this.parked.length > 0) {
      const connection = this.parked.pop()!;
      connection[0].removeListener('error', onParkedError);
      if (!(connection[0] as PoolClient & { [DEAD]?: unknown })[DEAD]) return connection;
      connection[1](new Error('audit writer connection lost while kept'));
    }
    return undefined;
  }

  private async drain(): Promise<void> {
    // Yield once so that calls made in the same tick share the first batch.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const lastSeq = await this.writeBatch(batch);
        const first = lastSeq - batch.length + 1;
        batch.forEach((w, i) => w.resolve(first + i));
        this.onCommitted(lastSeq, batch.length);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
  }

  /**
   * The chain's tail as this process last wrote or sent it. A batch chained onto it goes in one
   * round trip (`audit_append`, a prepared statement): it inserts only if, under the lock, the
   * stored head still is this tail.
   * Nothing is held across the network while the lock is taken, so batches from other
   * processes, or a failed batch of ours, only cost a retry through the two-step path.
   */
  private tail: { seq: number; hash: string } | null = null;

  private async writeBatch(batch: Waiter[]): Promise<number> {
    // No await before the first query when a kept connection is at hand (see `parked`).
    const connection = this.unpark() ?? (await this.connect());
    const [client] = connection;
    let broken: unknown;
    try {
      const base = this.tail;
      if (base) {
        const rows = chain(batch, base.seq, base.hash);
        const last = rows[rows.length - 1];
        this.tail = { seq: last.seq, hash: last.hash };
        if ((await append(client, base.hash, rows)) === rows.length) return last.seq;
        // The head moved under us: nothing was inserted; chain onto the stored head instead.
      }
      // The head is read by its own statement after the lock is held, so (read committed) it sees
      // every append committed before: one chain across instances. The append re-takes the lock
      // it already holds and finds the head it was chained on.
      const opened = (await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}); SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1`,
      )) as unknown as QueryResult<{ seq: string; hash: string }>[];
      const head = opened[2].rows;
      const headHash = head.length ? head[0].hash : GENESIS_HASH;
      const rows = chain(batch, head.length ? Number(head[0].seq) : 0, headHash);
      const last = rows[rows.length - 1];
      await append(client, headHash, rows);
      await client.query('COMMIT');
      this.tail = { seq: last.seq, hash: last.hash };
      return last.seq;
    } catch (err) {
      this.tail = null;
      // Whatever failed, the connection must not go back to the pool inside a transaction.
      await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
      broken ??= isConnectionError(err) ? err : undefined;
      throw err;
    } finally {
      this.park(connection, broken);
    }
  }
}

const DEAD = Symbol('audit writer connection dead');

function onParkedError(this: PoolClient & { [DEAD]?: unknown }, err: unknown): void {
  this[DEAD] = err;
}

/** Links the batch's events onto the chain after (seq, prevHash). */
function chain(batch: Waiter[], seq: number, prevHash: string): ChainedEvent[] {
  return batch.map((w) => {
    seq++;
    const unhashed: UnhashedEvent = { ...w.event, seq, prevHash };
    const hash = hashEvent(unhashed);
    prevHash = hash;
    return { ...unhashed, hash };
  });
}

/**
 * `audit_append` (migration 1764203000000) as a prepared statement: under the chain's lock, inserts
 * the rows only if the stored head still is `tailHash`; returns how many it inserted.
 */
async function append(client: PoolClient, tailHash: string, rows: ChainedEvent[]): Promise<number> {
  const result = await client.query<{ inserted: number }>({
    name: 'hgw_audit_append',
    text: 'SELECT audit_append($1, $2::jsonb) AS inserted',
    values: [tailHash, JSON.stringify(rows)],
  });
  return result.rows[0]?.inserted ?? 0;
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === undefined || code.startsWith('08') || code === '57P01';
}
