/**
 * A Map of at most `max` entries that drops the least recently used one: `get` of a present key
 * makes it the most recent, `set` beyond `max` drops the oldest. (A Map iterates in insertion
 * order, so re-inserting on use is all the bookkeeping.)
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
