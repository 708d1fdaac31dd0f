import { DataSource } from 'typeorm';
import { LRUCache } from 'lru-cache';
import { AggregateCaches } from '../common/aggregate-caches.js';
import { ROLLUP_VERSION_SQL, rollupGeneration } from '../database/rollup-version.js';

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
 * Raw query results (before disclosure control, which runs on every request) in the results cache
 * (src/common/aggregate-caches.ts), keyed by the rollup version they were read at and the compiled
 * SQL and its parameters: an entry is used only while its version is the primary's current one. A
 * rebuild in this process or announced by another instance (RollupChangeListener) makes the
 * version be read again at once; otherwise it is re-read at most every VERSION_TTL_MS.
 */
export class ResultCache<T> {
  /** The current rollup version, per process-local rollup generation, for VERSION_TTL_MS. */
  private readonly versions: LRUCache<number, string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly caches: AggregateCaches,
  ) {
    this.versions = new LRUCache<number, string>({
      max: 1,
      ttl: VERSION_TTL_MS,
      // Date.now, so that tests can move the clock; every read of the clock counts (no 1 ms rounding).
      perf: { now: () => Date.now() },
      ttlResolution: 0,
      fetchMethod: async () => {
        const rows = await this.dataSource.query<{ v: string | null }[]>(ROLLUP_VERSION_SQL);
        return rows[0]?.v ?? '';
      },
    });
  }

  get enabled(): boolean {
    return this.caches.enabled;
  }

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
    if (!this.caches.enabled) {
      // The cache off is a benchmark switch: reads take the version they find, and say which.
      const loaded = await load(pinned ?? '');
      if (pinned !== undefined && loaded.version !== pinned) throw new RollupVersionMovedError(pinned, loaded.version);
      return loaded;
    }
    const wanted = pinned ?? (await this.versions.fetch(rollupGeneration()))!;
    const hit = this.caches.result<Versioned<T>>(`raw\u0000${wanted}\u0000${key}`);
    if (hit) return hit;
    const loaded = await load(wanted);
    if (pinned !== undefined && loaded.version !== pinned) throw new RollupVersionMovedError(pinned, loaded.version);
    return this.caches.keepResult(`raw\u0000${loaded.version}\u0000${key}`, loaded);
  }
}
