import { LruMap } from './lru-map.js';

describe(LruMap.name, () => {
  it('keeps at most max entries, dropping the least recently used', () => {
    const sut = new LruMap<string, number>(2);
    sut.set('a', 1);
    sut.set('b', 2);
    expect(sut.get('a')).toBe(1); // a is now the most recent
    sut.set('c', 3);
    expect(sut.get('b')).toBeUndefined();
    expect(sut.get('a')).toBe(1);
    expect(sut.get('c')).toBe(3);
  });

  it('replaces a value set again, as the most recent', () => {
    const sut = new LruMap<string, number>(2);
    sut.set('a', 1);
    sut.set('b', 2);
    sut.set('a', 10);
    sut.set('c', 3);
    expect(sut.get('a')).toBe(10);
    expect(sut.get('b')).toBeUndefined();
  });
});
