/**
 * Values computed from objects that never change once built (a cached query result, a plan, a
 * snapshot of the reference tables), kept for as long as those objects live: the same inputs give
 * the same object back without computing it again, and nothing outlives its inputs. A value is
 * kept under two objects and a string (for what is not an object, e.g. a disclosure setting).
 * Only what `derive` returns is kept; if it throws, nothing is. Under one pair of objects at most
 * `maxKeys` strings are kept (the oldest dropped first), so that distinct requests cannot grow it
 * without bound.
 */
export class DerivedValues<T> {
  private readonly store = new WeakMap<object, WeakMap<object, Map<string, T>>>();

  constructor(private readonly maxKeys = 1_000) {}

  get(first: object, second: object, key: string, derive: () => T): T {
    let bySecond = this.store.get(first);
    if (!bySecond) {
      bySecond = new WeakMap();
      this.store.set(first, bySecond);
    }
    let byKey = bySecond.get(second);
    if (!byKey) {
      byKey = new Map();
      bySecond.set(second, byKey);
    }
    if (byKey.has(key)) return byKey.get(key)!;
    const value = derive();
    byKey.set(key, value);
    if (byKey.size > this.maxKeys) byKey.delete(byKey.keys().next().value!);
    return value;
  }
}
