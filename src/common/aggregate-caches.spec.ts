import { AggregateCaches, identityOf } from './aggregate-caches.js';
import { isDeeplyFrozen } from './deep-freeze.js';

describe(AggregateCaches.name, () => {
  it('builds a plan once per key and hands out the same deep-frozen value', () => {
    const caches = new AggregateCaches(true);
    let builds = 0;
    const build = () => ({ n: ++builds, groups: [{ level: 'city' }] });
    const first = caches.plan('q', build);
    expect(caches.plan('q', build)).toBe(first);
    expect(builds).toBe(1);
    expect(isDeeplyFrozen(first)).toBe(true);
    expect(isDeeplyFrozen(first.groups[0])).toBe(true);
    // The rule: nothing reachable from a cached value is changed (strict mode throws).
    expect(() => {
      first.groups[0].level = 'district';
    }).toThrow(TypeError);
    expect(caches.plan('other', build).n).toBe(2);
  });

  it('keeps results and releases apart from plans, frozen', () => {
    const caches = new AggregateCaches(true);
    const kept = caches.keepResult('raw\u0000v1\u0000sql', { value: [{ cases: 3 }], version: 'v1' });
    expect(caches.result('raw\u0000v1\u0000sql')).toBe(kept);
    expect(caches.result('raw\u0000v2\u0000sql')).toBeUndefined();
    expect(isDeeplyFrozen(kept.value[0])).toBe(true);
    expect(caches.plan('raw\u0000v1\u0000sql', () => ({ other: true }))).toEqual({ other: true });
    let releases = 0;
    const release = () => ({ rows: [], n: ++releases });
    expect(caches.release('r', release)).toBe(caches.release('r', release));
    expect(releases).toBe(1);
  });

  it('keeps nothing when off (HGW_AGGREGATE_CACHE=off): every call builds anew', () => {
    const caches = new AggregateCaches(false);
    let builds = 0;
    const build = () => ({ n: ++builds });
    expect(caches.plan('q', build)).not.toBe(caches.plan('q', build));
    expect(caches.release('r', build).n).toBe(3);
    caches.keepResult('k', { value: 1 });
    expect(caches.result('k')).toBeUndefined();
  });

  it('names each object by a number of its own for as long as it lives', () => {
    const a = {};
    const b = {};
    expect(identityOf(a)).toBe(identityOf(a));
    expect(identityOf(a)).not.toBe(identityOf(b));
  });
});
