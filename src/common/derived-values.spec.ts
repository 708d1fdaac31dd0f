import { deepFreeze, isDeeplyFrozen } from './deep-freeze.js';
import { DerivedValues } from './derived-values.js';

describe(DerivedValues.name, () => {
  it('derives once per list of objects and key, and again for any other', () => {
    const sut = new DerivedValues<string>();
    const [a, b, c] = [{}, {}, {}];
    let calls = 0;
    const derive = () => `v${++calls}`;
    expect(sut.get([a, b], 'k', derive)).toBe('v1');
    expect(sut.get([a, b], 'k', derive)).toBe('v1');
    expect(sut.get([a, c], 'k', derive)).toBe('v2');
    expect(sut.get([b, a], 'k', derive)).toBe('v3');
    expect(sut.get([a, b], 'other', derive)).toBe('v4');
    expect(sut.get([a], 'k', derive)).toBe('v5');
    expect(sut.get([a, b, c], 'k', derive)).toBe('v6');
    expect(sut.get([a, b, c], 'k', derive)).toBe('v6');
    expect(calls).toBe(6);
  });

  it('keeps nothing when deriving throws', () => {
    const sut = new DerivedValues<number>();
    const a = {};
    expect(() =>
      sut.get([a], '', () => {
        throw new Error('bad');
      }),
    ).toThrow('bad');
    expect(sut.get([a], '', () => 1)).toBe(1);
  });

  it('keeps at most maxKeys strings under one list of objects, dropping the oldest', () => {
    const sut = new DerivedValues<number>(2);
    const a = {};
    sut.get([a], 'x', () => 1);
    sut.get([a], 'y', () => 2);
    sut.get([a], 'z', () => 3);
    expect(sut.get([a], 'x', () => 10)).toBe(10);
    expect(sut.get([a], 'z', () => 30)).toBe(3);
  });
});

describe(deepFreeze.name, () => {
  it('freezes every level and marks only what it froze', () => {
    const value = { a: [{ b: 1 }], c: { d: 'x' } };
    expect(isDeeplyFrozen(value)).toBe(false);
    deepFreeze(value);
    expect(isDeeplyFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a[0])).toBe(true);
    expect(isDeeplyFrozen(value.c)).toBe(true);
    expect(isDeeplyFrozen(Object.freeze({ e: {} }))).toBe(false);
  });

  it('finishes on cycles', () => {
    const value: { self?: unknown } = {};
    value.self = value;
    expect(isDeeplyFrozen(deepFreeze(value))).toBe(true);
  });
});
