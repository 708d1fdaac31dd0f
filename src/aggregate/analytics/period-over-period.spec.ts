import type { ReleasedRow } from '../../disclosure/disclosure.service.js';
import { periodOverPeriod } from './period-over-period.js';
import { persistentMonths } from './persistence.js';

/** A listed row with its released count and released repeats. */
const row = (keys: string[], count: number, repeats = 0): ReleasedRow => ({
  keys,
  count,
  component: (base) => (base === 'repeats' ? repeats : count),
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

  it('never guesses a row that is not listed: growth is null, the p-value uses the largest value it could have had', () => {
    // X in 2021-02 was zero or under the threshold: not listed, so unknown (at most 9).
    const rows2 = [
      ...steady.flatMap((a) => [row([a, '2021-02'], 100), row([a, '2021-03'], 100)]),
      row(['X', '2021-03'], 60),
    ];
    const out = periodOverPeriod(rows2, 1, 10);
    const x = out[rows2.length - 1];
    expect(x.growth).toBeNull();
    expect(x.emerging).toBe(true);
    // With the previous count at its bound (9): P(X >= 60 | n = 69, p = 0.5).
    expect(x.pValue).toBeGreaterThan(0);
    expect(x.pValue).toBeLessThan(1e-8);
    expect(x.pValue).toBeGreaterThan(periodOverPeriod(rows2, 1, 0)[rows2.length - 1].pValue!);
  });

  it('treats a key missing from a period as zero only where nothing is withheld (threshold 0)', () => {
    const rows3 = [
      ...steady.flatMap((a) => [row([a, '2021-02'], 100), row([a, '2021-03'], 100)]),
      row(['N', '2021-03'], 80),
    ];
    const out = periodOverPeriod(rows3, 1, 0);
    expect(out[rows3.length - 1].emerging).toBe(true);
    expect(out[rows3.length - 1].growth).toBeNull();
    expect(out[rows3.length - 1].pValue).toBeLessThan(1e-20);
  });
});

describe(persistentMonths.name, () => {
  const months = ['2021-01', '2021-02', '2021-03', '2021-04', '2021-05'];
  // "hot" is in the top quarter by volume with the highest repeat rate every month but March.
  const rows = months.flatMap((m) => [
    row(['hot', m], m === '2021-03' ? 10 : 200, 40),
    row(['big', m], 300, 3),
    row(['mid', m], 50, 2),
    ...[1, 2, 3, 4, 5].map((i) => row([`tiny${i}`, m], 20, 0)),
  ]);

  it('counts the longest run of months high in both volume and repeat rate', () => {
    const sut = persistentMonths(rows, 1);
    expect(sut.get('hot')).toBe(2);
    expect(sut.get('big')).toBe(0);
    expect(sut.get('mid')).toBe(0);
  });

  it('breaks a run at a month missing from the data', () => {
    const gap = rows
      .filter((r) => !(r.keys[0] === 'hot' && r.keys[1] === '2021-03'))
      .map((r) => (r.keys[0] === 'hot' ? row(r.keys, 200, 40) : r));
    expect(persistentMonths(gap, 1).get('hot')).toBe(2);
    const full = rows.map((r) => (r.keys[0] === 'hot' ? row(r.keys, 200, 40) : r));
    expect(persistentMonths(full, 1).get('hot')).toBe(5);
  });
});
