import { randomInt } from 'node:crypto';
import { rng } from '../../test/utils/seeded-random.js';
import { rateCheck } from '../../test/utils/binomial.js';
import { buildPerturbationTable, KEY_MODULUS } from './cell-key.js';
import { DEFAULT_DISCLOSURE, DisclosureConfig } from './disclosure-settings.js';
import { CountBase, ReleasableMeasure, ReleaseMode, releaseRow, Sums } from './measure-release.js';

const config = DEFAULT_DISCLOSURE.restricted; // cell key, threshold 10, maxNoise 6, variance 6
const BASES: Record<string, CountBase> = {
  cases: { count: 'cases', key: 'record_key_sum' },
  rated: { count: 'rated', key: 'rated_key' },
  satisfied: { count: 'satisfied', key: 'satisfied_key' },
  closed: { count: 'closed', key: 'closed_key' },
};
const M = {
  cases: { code: 'cases', unit: 'count', shape: { kind: 'count', count: 'cases' } },
  satisfactionRate: {
    code: 'satisfactionRate',
    unit: 'ratio',
    shape: { kind: 'ratio', numerator: 'satisfied', denominator: 'rated', proportion: true },
  },
  dissatisfactionRate: {
    code: 'dissatisfactionRate',
    unit: 'ratio',
    shape: { kind: 'complement', numerator: 'satisfied', denominator: 'rated' },
  },
  avgHandlingDays: {
    code: 'avgHandlingDays',
    unit: 'days',
    shape: { kind: 'mean', sum: 'hd', boundedSum: 'hd_bounded', bound: 365, over: 'closed' },
  },
  median: { code: 'median', unit: 'days', shape: { kind: 'percentile', p: 0.5, over: 'closed' } },
} satisfies Record<string, ReleasableMeasure>;

const setting = (mode: ReleaseMode = 'cell-key', c: DisclosureConfig = config) => ({
  mode,
  config: c,
  countBases: BASES,
  rowCount: 'cases',
});
const keys = (n: number, rand: () => number) => Array.from({ length: n }, () => Math.floor(rand() * KEY_MODULUS));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** A row of n records with fresh keys (only the row count and its key sum). */
const cell = (n: number, rand: () => number) => ({ cases: n, record_key_sum: sum(keys(n, rand)) });
const asSums = (o: object) => o as Sums;
const count = (sums: Sums, mode: ReleaseMode = 'cell-key', c: DisclosureConfig = config) =>
  releaseRow(setting(mode, c), [M.cases], sums)?.count ?? null;

/** The default table's noise distribution, -D..D (symmetric, as far from the threshold). */
const noisePmf = (() => {
  const cdf = buildPerturbationTable(config.maxNoise, config.noiseVariance).cdfBySupport.get(config.maxNoise)!;
  return cdf.map((c, i) => c - (i > 0 ? cdf[i - 1] : 0));
})();
/** P(noise = 0), documented in docs/disclosure-control.md as 0.164. */
const P_EXACT = noisePmf[config.maxNoise];
/** P(two independent noises are equal), documented in docs/disclosure-control.md as 0.117. */
const P_DIFFERENCE_EXACT = noisePmf.reduce((a, p) => a + p * p, 0);

describe(releaseRow.name, () => {
  it('lists no row under the threshold, zero or small alike, for every protecting method and for exact releases', () => {
    for (const mode of ['threshold', 'cell-key', 'differential-privacy', 'exact'] as const) {
      for (const n of [0, 1, 5, 9])
        expect([mode, n, count({ cases: n, record_key_sum: n * 7 }, mode)]).toEqual([mode, n, null]);
      expect(count({ cases: 10, record_key_sum: 77 }, mode)).not.toBeNull();
    }
    expect(count({ cases: 3, record_key_sum: 5 }, 'none')).toBe(3);
  });

  it('gives the same records the same noise, whichever query (partition into rollup cells) produced the cell', () => {
    const rand = rng(1);
    let differentNoise = 0;
    const trials = 200;
    for (let i = 0; i < trials; i++) {
      const ks = keys(20 + Math.floor(rand() * 300), rand);
      const first = count({ cases: ks.length, record_key_sum: sum(ks) });
      // Another query reaches the same records as a sum of other rollup cells, each keeping its
      // key sum modulo 2^31.
      const parts = 1 + Math.floor(rand() * 6);
      const partSums = Array.from({ length: parts }, () => 0);
      for (const k of ks) {
        const j = Math.floor(rand() * parts);
        partSums[j] = (partSums[j] + k) % KEY_MODULUS;
      }
      const regrouped = partSums.reduce((a, b) => a + b, 0);
      expect([i, count({ cases: ks.length, record_key_sum: regrouped })]).toEqual([i, first]);
      // One record more: other records, and their own noise (equal only by chance).
      const more = [...ks, Math.floor(rand() * KEY_MODULUS)];
      if ((count({ cases: more.length, record_key_sum: sum(more) }) as number) - more.length !== first! - ks.length)
        differentNoise++;
    }
    expect(rateCheck(trials - differentNoise, trials, P_DIFFERENCE_EXACT)).toMatchObject({ inside: true });
  });

  it('perturbs with zero mean and at most maxNoise away from the threshold, never below the threshold near it', () => {
    const rand = rng(2);
    let total = 0;
    let maxAbs = 0;
    const trials = 5_000;
    for (let i = 0; i < trials; i++) {
      const n = 20 + Math.floor(rand() * 300);
      const noise = (count(cell(n, rand)) as number) - n;
      maxAbs = Math.max(maxAbs, Math.abs(noise));
      total += noise;
    }
    expect(maxAbs).toBe(config.maxNoise);
    expect(Math.abs(total / trials)).toBeLessThan(0.1);
    for (let i = 0; i < 2_000; i++) {
      const n = 10 + Math.floor(rand() * 6);
      expect(count(cell(n, rand))).toBeGreaterThanOrEqual(config.threshold);
    }
  });

  it('releases a count at or near the threshold exactly no more often than any other (P(noise = 0) = 0.164)', () => {
    expect(P_EXACT.toFixed(3)).toBe('0.164');
    const rand = rng(3);
    for (let above = 0; above <= config.maxNoise; above++) {
      let exact = 0;
      let total = 0;
      const trials = 2_000;
      for (let i = 0; i < trials; i++) {
        const released = count(cell(config.threshold + above, rand)) as number;
        if (released === config.threshold + above) exact++;
        total += released - config.threshold - above;
      }
      expect([above, rateCheck(exact, trials, P_EXACT)]).toEqual([above, expect.objectContaining({ inside: true })]);
      // The upward bias the fold costs: E|noise| = 1.89 at the threshold itself, then less.
      expect(total / trials).toBeLessThan(above === 0 ? 2.1 : 1.8);
      if (above === config.maxNoise) expect(Math.abs(total / trials)).toBeLessThan(0.2);
    }
  });

  it('gives the true count away no more often than P(noise = 0) = 0.164, whatever its size', () => {
    const rand = rng(4);
    let exact = 0;
    const trials = 4_000;
    for (let i = 0; i < trials; i++) {
      const n = 10 + Math.floor(rand() * 500);
      if (count(cell(n, rand)) === n) exact++;
    }
    expect(rateCheck(exact, trials, P_EXACT)).toMatchObject({ inside: true });
  });

  it('keeps the median relative error of cells of 100 or more under 2%', () => {
    const rand = rng(5);
    const errors: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const n = 100 + Math.floor(rand() * 900);
      errors.push(Math.abs((count(cell(n, rand)) as number) - n) / n);
    }
    errors.sort((a, b) => a - b);
    expect(errors[500]).toBeLessThan(0.02);
  });

  it('defeats differencing: a total minus the total without a small group gives its count at the rate of two independent noises', () => {
    const rand = rng(6);
    let exact = 0;
    const trials = 2_000;
    for (let i = 0; i < trials; i++) {
      const small = keys(1 + Math.floor(rand() * 9), rand);
      const rest = keys(200 + Math.floor(rand() * 800), rand);
      const total = count({ cases: rest.length + small.length, record_key_sum: sum(rest) + sum(small) }) as number;
      const without = count({ cases: rest.length, record_key_sum: sum(rest) }) as number;
      if (total - without === small.length) exact++;
    }
    // P(n1 = n2) for two independent draws: the sum of p(k)^2 over -6..6, 0.117.
    expect(P_DIFFERENCE_EXACT.toFixed(3)).toBe('0.117');
    expect(rateCheck(exact, trials, P_DIFFERENCE_EXACT)).toMatchObject({ inside: true });
  });

  it('computes a rate from a perturbed numerator over a perturbed denominator, at 3 decimals, each with its own cell key', () => {
    const rand = rng(7);
    let exactNumerators = 0;
    let trials = 0;
    for (let i = 0; i < 1000; i++) {
      const rated = keys(60 + Math.floor(rand() * 400), rand);
      const satisfied = rated.slice(0, Math.floor(rated.length * (0.3 + rand() * 0.4)));
      const all = [...rated, ...keys(50, rand)];
      const sums = {
        cases: all.length,
        record_key_sum: sum(all),
        rated: rated.length,
        rated_key: sum(rated),
        satisfied: satisfied.length,
        satisfied_key: sum(satisfied),
      };
      const [rate, complement] = releaseRow(setting(), [M.satisfactionRate, M.dissatisfactionRate], sums)!.cells;
      expect(rate.flags).toEqual(['perturbed']);
      const value = rate.value as number;
      expect(Math.round(value * 1000) / 1000).toBe(value);
      expect(complement.value).toBeCloseTo(1 - value, 9);
      expect(Math.abs(value - satisfied.length / rated.length)).toBeLessThan(0.1);
      // The same satisfied records reached with other unsatisfied ones get the same numerator noise.
      trials++;
      if (Math.abs(value * rated.length - satisfied.length) < 0.5) exactNumerators++;
    }
    expect(exactNumerators / trials).toBeLessThan(0.35);
  });

  it('withholds a rate whose denominator, numerator or complement is under the threshold, zero and small alike', () => {
    const base = { cases: 500, record_key_sum: 123456 };
    const rate = (rated: number, satisfied: number) =>
      releaseRow(setting(), [M.satisfactionRate], {
        ...base,
        rated,
        rated_key: rated * 999,
        satisfied,
        satisfied_key: satisfied * 555,
      })!.cells[0];
    for (const rated of [0, 1, 9]) expect(rate(rated, 0).flags).toEqual(['suppressed', 'small-denominator']);
    for (const satisfied of [0, 3, 9]) expect(rate(200, satisfied).flags).toEqual(['suppressed', 'small-numerator']);
    for (const satisfied of [200, 195, 191])
      expect(rate(200, satisfied).flags).toEqual(['suppressed', 'small-complement']);
    expect(rate(200, 100).value).not.toBeNull();
    // Exact releases keep only the denominator rule.
    const exact = releaseRow(setting('exact'), [M.satisfactionRate], { ...base, rated: 200, satisfied: 200 })!.cells[0];
    expect(exact).toEqual({ measure: 'satisfactionRate', value: 1, flags: [] });
  });

  it('releases a mean from a perturbed bounded sum over a perturbed count, at 1 decimal', () => {
    const rand = rng(8);
    for (let i = 0; i < 200; i++) {
      const closed = keys(30 + Math.floor(rand() * 300), rand);
      const days = closed.map(() => rand() * 10);
      const sums = {
        ...cell(closed.length + 20, rand),
        closed: closed.length,
        closed_key: sum(closed),
        hd: sum(days) + 1000,
        hd_bounded: sum(days),
      };
      const released = releaseRow(setting(), [M.avgHandlingDays], asSums(sums))!.cells[0];
      const truth = sum(days) / closed.length;
      expect(Math.round((released.value as number) * 10) / 10).toBe(released.value);
      expect(Math.abs((released.value as number) - truth)).toBeLessThan(truth * 0.4 + 0.05);
      // Exact releases read the unbounded sum.
      const exact = releaseRow(setting('exact'), [M.avgHandlingDays], asSums(sums))!.cells[0].value as number;
      expect(exact).toBeCloseTo((sum(days) + 1000) / closed.length, 9);
    }
  });

  it('reads percentiles from a perturbed histogram, suppressing them over fewer closed cases than the threshold', () => {
    const hist = Array.from({ length: 23 }, (_, i) => (i === 11 ? 40 : i === 12 ? 40 : 0));
    const sums = { cases: 100, record_key_sum: 987654, closed: 80, closed_key: 4242, hist };
    const value = releaseRow(setting(), [M.median], asSums(sums))!.cells[0].value as number;
    expect(value).toBeGreaterThanOrEqual(4);
    expect(value).toBeLessThanOrEqual(7);
    expect(releaseRow(setting(), [M.median], asSums({ ...sums, closed: 5 }))!.cells[0].flags).toEqual([
      'suppressed',
      'small-denominator',
    ]);
  });

  it('spends fresh noise per release under differential privacy, centred on the true count', () => {
    const dp = { ...config, method: 'differential-privacy' as const, epsilonPerQuery: 1 };
    const values = Array.from(
      { length: 400 },
      () => count({ cases: 500, record_key_sum: 1 }, 'differential-privacy', dp) as number,
    );
    const mean = sum(values) / values.length;
    expect(new Set(values).size).toBeGreaterThan(3);
    expect(Math.abs(mean - 500)).toBeLessThan(0.5);
    expect(values.every((v) => v >= dp.threshold)).toBe(true);
  });

  it('uses the operating system CSPRNG under differential privacy (noise is not reproducible)', () => {
    const dp = { ...config, method: 'differential-privacy' as const, epsilonPerQuery: 0.5 };
    const sums = { cases: 300, record_key_sum: randomInt(KEY_MODULUS) };
    expect(new Set(Array.from({ length: 50 }, () => count(sums, 'differential-privacy', dp))).size).toBeGreaterThan(1);
  });

  it('releases true values with no flags when the method is none', () => {
    const released = releaseRow(setting('none'), [M.cases, M.satisfactionRate], {
      cases: 3,
      record_key_sum: 5,
      rated: 3,
      satisfied: 1,
    })!;
    expect(released.cells).toEqual([
      { measure: 'cases', value: 3, flags: [] },
      { measure: 'satisfactionRate', value: 1 / 3, flags: [] },
    ]);
  });
});
