import { DataSource } from 'typeorm';
import { LruMap } from '../common/lru-map.js';
import { ROLLUP_VERSION_SQL, rollupGeneration } from '../database/rollup-version.js';

const MAX_ENTRIES = 2_000;
/** How stale another instance's refresh may look here when its announcement is missed: the rollup version is re-read at most this often. */
const VERSION_TTL_MS = 1_000;

/** A value and the rollup version it was read at. */
export interface Versioned<T> {
  value: T;
  version: string;
}

/** A later read of one answer found the rollups at another version than its first read: the answer must be built again. */
export class RollupVersionMovedError extends Error {
  constructor(
    readonly pinned: string,
    readonly found: string,
  ) {
    super(`rollups moved from version ${pinned} to ${found} while an answer was built`);
  }
}

/**
 * Raw query results (before disclosure control, which runs on every request) keyed by the compiled
 * SQL and its parameters. An entry is valid for the rollup version it was read at, and is used
 * only while that is the primary's current version. A rebuild in this process or announced by
 * another instance (RollupChangeListener) makes the version be read again at once; otherwise it
 * is re-read at most every VERSION_TTL_MS.
 */
export class ResultCache<T> {
  private readonly entries = new LruMap<string, Versioned<T>>(MAX_ENTRIES);
  private version?: { at: number; generation: number; value: Promise<string>; known?: string };

  constructor(
    private readonly dataSource: DataSource,
    readonly enabled: boolean,
  ) {}

  /**
   * The cached value of `key` at the current rollup version, or `load(minVersion)`'s. With
   * `pinned` (a later read of an answer that already read at that version), only that version
   * will do: anything else throws RollupVersionMovedError.
   */
  async getOrLoad(
    key: string,
    load: (minVersion: string) => Promise<Versioned<T>>,
    pinned?: string,
  ): Promise<Versioned<T>> {
    if (!this.enabled) {
      // The cache off is a benchmark switch: reads take the version they find, and say which.
      const loaded = await load(pinned ?? '');
      if (pinned !== undefined && loaded.version !== pinned) throw new RollupVersionMovedError(pinned, loaded.version);
      return loaded;
    }
    let wanted = pinned;
    if (wanted === undefined) {
      const current = this.currentVersion();
      wanted = typeof current === 'string' ? current : await current;
    }
    const hit = this.entries.get(key);
    if (hit && hit.version === wanted) return hit;
    const loaded = await load(wanted);
    if (pinned !== undefined && loaded.version !== pinned) throw new RollupVersionMovedError(pinned, loaded.version);
    this.entries.set(key, loaded);
    return loaded;
  }

  private currentVersion(): Promise<string> | string {
    const now = Date.now();
    const generation = rollupGeneration();
    if (!this.version || now - this.version.at > VERSION_TTL_MS || this.version.generation !== generation) {
      const at = now;
      const value = this.dataSource.query<{ v: string | null }[]>(ROLLUP_VERSION_SQL).then((rows) => {
        const v = rows[0]?.v ?? '';
        if (this.version?.at === at) this.version.known = v;
        return v;
      });
      value.catch(() => (this.version = undefined));
      this.version = { at: now, generation, value };
    }
    // Once read, the version is at hand without waiting (most requests within the TTL).
    return this.version.known ?? this.version.value;
  }
}
