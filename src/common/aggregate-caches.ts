import { LRUCache } from 'lru-cache';
import { deepFreeze } from './deep-freeze.js';

/**
 * The aggregate path's two caches (docs/aggregate.md), both on lru-cache:
 *
 * - **plans**: validated query inputs (keyed by their JSON), query plans and their compiled SQL,
 *   keyed by the query (as JSON), the dataset and member snapshot it was planned against
 *   (`identityOf`), and for SQL the row scope;
 * - **results**: what was read from the rollups and what was released from it, keyed by the SQL
 *   and its parameters, the data version read (the rollup version) and, for a release, the
 *   disclosure setting (mode, configuration, series, the caller's basis) and the plan.
 *
 * THE RULE: a value is deep-frozen (`deepFreeze`) before it is put in either cache, and nothing
 * reachable from a cached value is ever changed: whoever needs another value builds a new object
 * (spread, map). A frozen value can be handed to any number of requests at once. Anything that
 * would change a cached value throws in strict mode instead of corrupting other answers.
 *
 * With the caches off (`HGW_AGGREGATE_CACHE=off`, for benchmarks of the uncached path and for tests
 * that must compute every answer anew) nothing is kept: every call builds its value.
 */
export class AggregateCaches {
  private readonly plans?: LRUCache<string, object>;
  private readonly results?: LRUCache<string, object>;

  constructor(readonly enabled: boolean) {
    if (!enabled) return;
    this.plans = new LRUCache({ max: MAX_PLANS });
    this.results = new LRUCache({ max: MAX_RESULTS });
  }

  /** The plan (or compiled SQL) under `key`, built and frozen by `build` on a miss. */
  plan<T extends object>(key: string, build: () => T): T {
    return remember(this.plans, key, build);
  }

  /**
   * A validated input under `key` (kept with the plans: it is the first step of one), validated and
   * frozen by `validate` on a miss. A rejection is not kept.
   */
  async validated<T extends object>(key: string, validate: () => Promise<T>): Promise<T> {
    const hit = this.plans?.get(key);
    if (hit !== undefined) return hit as T;
    const value = await validate();
    if (!this.plans) return value;
    const frozen = deepFreeze(value);
    this.plans.set(key, frozen);
    return frozen;
  }

  /** The result under `key`, if kept. */
  result<T extends object>(key: string): T | undefined {
    return this.results?.get(key) as T | undefined;
  }

  /** Keeps a result (frozen) and returns it. */
  keepResult<T extends object>(key: string, value: T): T {
    if (!this.results) return value;
    const frozen = deepFreeze(value);
    this.results.set(key, frozen);
    return frozen;
  }

  /** The result under `key`, built and frozen by `build` on a miss. */
  release<T extends object>(key: string, build: () => T): T {
    return remember(this.results, key, build);
  }
}

/** Plans and compiled statements kept (distinct questions, each under a few scopes). */
const MAX_PLANS = 5_000;
/** Rollup reads and releases kept. */
const MAX_RESULTS = 4_000;

function remember<T extends object>(cache: LRUCache<string, object> | undefined, key: string, build: () => T): T {
  // Off: nothing is kept, so nothing needs freezing.
  if (!cache) return build();
  const hit = cache.get(key);
  if (hit !== undefined) return hit as T;
  const value = deepFreeze(build());
  cache.set(key, value);
  return value;
}

let nextIdentity = 1;
const identities = new WeakMap<object, number>();

/**
 * A number naming an object for as long as it lives (a dataset row as read, a member snapshot):
 * cache keys name the inputs a value was built from, and a new snapshot is a new number.
 */
export function identityOf(value: object): number {
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = nextIdentity++));
  return id;
}
