import { DataSource } from 'typeorm';
import { LruMap } from '../common/lru-map.js';
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
  private readonly entries = new LruMap<string, { version: string; value: T }>(MAX_ENTRIES);
  private version?: { at: number; value: Promise<string>; known?: string };

  constructor(
    private readonly dataSource: DataSource,
    readonly enabled: boolean,
  ) {}

  async getOrLoad(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return load();
    const current = this.currentVersion();
    const version = typeof current === 'string' ? current : await current;
    const hit = this.entries.get(key);
    if (hit && hit.version === version) return hit.value;
    const value = await load();
    this.entries.set(key, { version, value });
    return value;
  }

  private currentVersion(): Promise<string> | string {
    const now = Date.now();
    const local = rollupGeneration();
    if (!this.version || now - this.version.at > VERSION_TTL_MS) {
      const at = now;
      const value = this.dataSource
        .query<{ v: string }[]>(
          `SELECT string_agg(series || ':' || version, ',' ORDER BY series) AS v FROM rollup_state`,
        )
        .then((rows) => {
          const v = rows[0]?.v ?? '';
          if (this.version?.at === at) this.version.known = v;
          return v;
        });
      value.catch(() => (this.version = undefined));
      this.version = { at: now, value };
    }
    // Once read, the version is at hand without waiting (most requests within the TTL).
    const known = this.version.known;
    if (known !== undefined) return `${local}/${known}`;
    return this.version.value.then((v) => `${local}/${v}`);
  }
}
