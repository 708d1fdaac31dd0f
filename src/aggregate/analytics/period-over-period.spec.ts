import type { ReleasedRow } from '../disclosure-step.service.js';
import { periodOverPeriod } from './period-over-period.js';
import { persistentMonths } from './persistence.js';

const row = (keys: string[], count: number | null, sums: Record<string, number> = {}): ReleasedRow => ({
  keys,
  count,
  sums: { cases: count ?? 5, ...sums },
  cells: [],
});

describe(periodOverPeriod.name, () => {
  // Twenty steady areas and one that grows fourfold, while everything grows by a quarter.
  const steady = Array.from({ length: 20 }, (_, i) => `A${i}`);
  const rows = [
    ...steady.flatMap((a) => [row([a, '2021-02'], 100), row([a, '2021-03'], 125)]),
    row(['X', '2021-02'], 40),
    row(['X', '2021-03'], 160),
  ];
  const sut = periodOverPeriod(rows, 1, 10);

  it('flags the cell that grew faster than the rest, not the ones that followed the overall trend', () => {
    const flagged = rows.filter((_, i) => sut[i].emerging).map((r) => r.keys.join('|'));
    expect(flagged).toEqual(['X|2021-03']);
    expect(sut[rows.length - 1].growth).toBeCloseTo(3, 12);
    expect(sut[rows.length - 1].pValue).toBeLessThan(1e-10);
    expect(sut[1].growth).toBeCloseTo(0.25, 12);
    expect(sut[1].pValue).toBeGreaterThan(0.3);
  });

  it('has nothing to compare for the first period of the result', () => {
    expect(sut[0]).toEqual({ growth: null, pValue: null, emerging: false });
  });

  it('never reads a suppressed count: growth is null, the p-value uses the largest value it could have had', () => {
    const rows2 = [
      ...steady.flatMap((a) => [row([a, '2021-02'], 100), row([a, '2021-03'], 100)]),
      row(['X', '2021-02'], null),
      row(['X', '2021-03'], 60),
      row(['Y', '2021-03'], null),
    ];
    const out = periodOverPeriod(rows2, 1, 10);
    const x = out[rows2.length - 2];
    expect(x.growth).toBeNull();
    expect(x.emerging).toBe(true);
    // With the previous count at its bound (9): P(X >= 60 | n = 69, p = 0.5).
    expect(x.pValue).toBeGreaterThan(0);
    expect(x.pValue).toBeLessThan(1e-8);
    expect(out[rows2.length - 1]).toEqual({ growth: null, pValue: null, emerging: false });
  });

  it('treats a key missing from a period that is in the result as zero', () => {
    const rows3 = [
      ...steady.flatMap((a) => [row([a, '2021-02'], 100), row([a, '2021-03'], 100)]),
      row(['N', '2021-03'], 80),
    ];
    const out = periodOverPeriod(rows3, 1, 10);
    expect(out[rows3.length - 1].emerging).toBe(true);
    expect(out[rows3.length - 1].growth).toBeNull();
  });
});

describe(persistentMonths.name, () => {
  const months = ['2021-01', '2021-02', '2021-03', '2021-04', '2021-05'];
  // "hot" is in the top quarter by volume with the highest repeat rate every month but March.
  const rows = months.flatMap((m) => [
    row(['hot', m], m === '2021-03' ? 10 : 200, { cases: m === '2021-03' ? 10 : 200, repeats: 40 }),
    row(['big', m], 300, { cases: 300, repeats: 3 }),
    row(['mid', m], 50, { cases: 50, repeats: 2 }),
    row(['small', m], null),
    ...[1, 2, 3, 4, 5].map((i) => row([`tiny${i}`, m], 20, { cases: 20, repeats: 0 })),
  ]);

  it('counts the longest run of months high in both volume and repeat rate', () => {
    const sut = persistentMonths(rows, 1);
    expect(sut.get('hot')).toBe(2);
    expect(sut.get('big')).toBe(0);
    expect(sut.get('mid')).toBe(0);
    expect(sut.get('small')).toBe(0);
  });

  it('breaks a run at a month missing from the data', () => {
    const gap = rows
      .filter((r) => !(r.keys[0] === 'hot' && r.keys[1] === '2021-03'))
      .map((r) => (r.keys[0] === 'hot' ? row(r.keys, 200, { cases: 200, repeats: 40 }) : r));
    expect(persistentMonths(gap, 1).get('hot')).toBe(2);
    const full = rows.map((r) => (r.keys[0] === 'hot' ? row(r.keys, 200, { cases: 200, repeats: 40 }) : r));
    expect(persistentMonths(full, 1).get('hot')).toBe(5);
  });
});
