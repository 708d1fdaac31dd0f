/** One level of the store: per object, the next level; after the last object, values by string. */
type Level<T> = WeakMap<object, Level<T> | Map<string, T>>;

/**
 * Values computed from objects that never change once built (a cached query result, a plan, a
 * snapshot of the reference tables), kept for as long as those objects live: the same inputs give
 * the same object back without computing it again, and nothing outlives its inputs. A value is
 * kept under one or more objects and a string (for what is not an object, e.g. a row scope).
 * Only what `derive` returns is kept; if it throws, nothing is. Under one list of objects at most
 * `maxKeys` strings are kept (the oldest dropped first), so that distinct requests cannot grow it
 * without bound; with `maxKeys` 0 nothing is kept and every call derives anew (caches off).
 */
export class DerivedValues<T> {
  /** One store per number of objects, so that an object is never both a step and the last. */
  private readonly stores = new Map<number, Level<T>>();

  constructor(private readonly maxKeys = 1_000) {}

  get(objects: readonly [object, ...object[]], key: string, derive: () => T): T {
    if (this.maxKeys === 0) return derive();
    let level = this.stores.get(objects.length);
    if (!level) this.stores.set(objects.length, (level = new WeakMap()));
    for (let i = 0; i < objects.length - 1; i++) {
      let next = level.get(objects[i]) as Level<T> | undefined;
      if (!next) level.set(objects[i], (next = new WeakMap()));
      level = next;
    }
    const last = objects[objects.length - 1];
    let byKey = level.get(last) as Map<string, T> | undefined;
    if (!byKey) level.set(last, (byKey = new Map()));
    if (byKey.has(key)) return byKey.get(key)!;
    const value = derive();
    byKey.set(key, value);
    if (byKey.size > this.maxKeys) byKey.delete(byKey.keys().next().value!);
    return value;
  }
}
