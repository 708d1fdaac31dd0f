import { DataSource } from 'typeorm';
import { rollupGeneration } from './rollup-refresher.js';

const MAX_ENTRIES = 2_000;
/** How stale another instance's refresh may look here: the rollup version is re-read at most this often. */
const VERSION_TTL_MS = 1_000;

/**
 * Raw query results (before disclosure control, which runs on every request) keyed by the compiled
 * SQL and its parameters. Entries are valid for one rollup version: a refresh in this process
 * invalidates at once; a refresh by another instance within VERSION_TTL_MS.
 */
export class ResultCache<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();
  private version?: { at: number; value: Promise<string> };

  constructor(
    private readonly dataSource: DataSource,
    readonly enabled: boolean,
  ) {}

  async getOrLoad(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return load();
    const version = await this.currentVersion();
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      // Refresh recency for LRU eviction.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = await load();
    this.entries.set(key, { version, value });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  private currentVersion(): Promise<string> {
    const now = Date.now();
    const local = rollupGeneration();
    if (!this.version || now - this.version.at > VERSION_TTL_MS) {
      const value = this.dataSource
        .query<{ v: string }[]>(
          `SELECT string_agg(series || ':' || version, ',' ORDER BY series) AS v FROM rollup_state`,
        )
        .then((rows) => rows[0]?.v ?? '');
      value.catch(() => (this.version = undefined));
      this.version = { at: now, value };
    }
    return this.version.value.then((v) => `${local}/${v}`);
  }
}
