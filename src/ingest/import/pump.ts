/**
 * The import's pipeline of mapped rows into batches, one batch written while the next is mapped
 * (the day-to-day import, and a history load mapped in the import's own thread).
 */
import { collectGarbage } from '../../common/collect-garbage.js';
import type { BoundMapper, RawRow } from './case-input.js';

/** A row the import refused: its line, why, and the row with its personal fields blanked (BoundMapper.redact). */
export interface Reject {
  line: number;
  reason: string;
  row: Record<string, unknown>;
}

export interface PumpOptions<R, T> {
  rows: AsyncIterable<RawRow<R>>;
  mapper: BoundMapper<R, T>;
  skip: number;
  batchSize: number;
  write: (
    rows: T[],
    refs: ReturnType<BoundMapper<R, T>['takeNewReferences']>,
    counts: { committedRecords: number; rejected: number },
  ) => Promise<number>;
  afterCommit: (rejects: Reject[]) => Promise<void>;
  /** Collect garbage (once the previous batch committed) when at least this many rows were mapped since the last time. */
  collectGarbageEvery?: number;
}

/**
 * Maps rows into batches and writes each while the next is being mapped: at most one batch
 * in the database and one in the making, so memory stays flat. Returns the records seen.
 */
export async function pump<R, T>(o: PumpOptions<R, T>): Promise<number> {
  let seen = 0;
  let batch: T[] = [];
  let batchRejects: Reject[] = [];
  const state: { inflight: Promise<void> | null } = { inflight: null };
  let sinceCollected = 0;
  const flush = async () => {
    if (state.inflight) await state.inflight;
    sinceCollected += batch.length + batchRejects.length;
    if (o.collectGarbageEvery !== undefined && sinceCollected >= o.collectGarbageEvery) {
      // The previous batch is written and released: what remains live is this batch and the pipeline.
      collectGarbage();
      sinceCollected = 0;
    }
    const rows = batch;
    const rejects = batchRejects;
    const counts = { committedRecords: seen, rejected: rejects.length };
    const refs = o.mapper.takeNewReferences();
    batch = [];
    batchRejects = [];
    const p = o.write(rows, refs, counts).then(() => o.afterCommit(rejects));
    p.catch(() => undefined);
    state.inflight = p;
  };
  for await (const row of o.rows) {
    seen++;
    if (seen <= o.skip) continue;
    const result = o.mapper.map(row.raw);
    if (result.ok) batch.push(result.value);
    else batchRejects.push({ line: row.line, reason: result.reason, row: o.mapper.redact(row.raw) });
    if (batch.length + batchRejects.length >= o.batchSize) await flush();
  }
  if (batch.length + batchRejects.length > 0 || seen <= o.skip) await flush();
  if (state.inflight) await state.inflight;
  return seen;
}
