import { randomInt } from 'node:crypto';
import { KEY_MODULUS } from './cell-key.js';
import { DEFAULT_DISCLOSURE, DisclosureConfig } from './disclosure-settings.js';
import { RawCell, releaseCells } from './release.js';
import { rng } from '../../test/utils/seeded-random.js';

const cellKey = DEFAULT_DISCLOSURE.restricted;

function recordKeys(n: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => Math.floor(rand() * KEY_MODULUS));
}
const cellOf = (keys: number[]): RawCell => ({ count: keys.length, keySum: keys.reduce((a, b) => a + b, 0) });
/** A cell of n fresh records, without materializing their keys. */
function randomCell(n: number, rand: () => number): RawCell {
  let keySum = 0;
  for (let i = 0; i < n; i++) keySum += Math.floor(rand() * KEY_MODULUS);
  return { count: n, keySum };
}
const releaseRaw = (cell: RawCell) => releaseCells(cellKey, [cell]).cells[0];
const release = (keys: number[], config: DisclosureConfig = cellKey) => releaseCells(config, [cellOf(keys)]).cells[0];

describe(releaseCells.name, () => {
  it('suppresses every cell whose true count is below the threshold, for every method', () => {
    for (const method of ['threshold', 'cell-key', 'differential-privacy'] as const) {
      const config = { ...cellKey, method };
      const sut = releaseCells(
        config,
        [1, 5, 9, 10, 11].map((n) => ({ count: n, keySum: n * 1234567 })),
      );
      expect(sut.cells.map((c) => c.suppressed)).toEqual([true, true, true, false, false]);
      expect(sut.suppressedCells).toBe(3);
      expect(sut.cells[0]).toMatchObject({ count: null, flags: ['suppressed'] });
    }
  });

  it('gives the same set of records the same noise whatever query produced the cell', () => {
    const rand = rng(1);
    const keys = recordKeys(57, rand);
    const first = release(keys);
    for (let i = 0; i < 100; i++) {
      // Same records, listed in another order (another grouping that selects them).
      const shuffled = [...keys].sort(() => rand() - 0.5);
      expect(release(shuffled)).toEqual(first);
    }
  });

  it('perturbs with zero mean and never by more than maxNoise, never below the threshold', () => {
    const rand = rng(2);
    let sum = 0;
    let maxAbs = 0;
    let minReleased = Infinity;
    const trials = 5_000;
    for (let i = 0; i < trials; i++) {
      const n = 10 + Math.floor(rand() * 300);
      const released = releaseRaw(randomCell(n, rand)).count as number;
      const noise = released - n;
      maxAbs = Math.max(maxAbs, Math.abs(noise));
      minReleased = Math.min(minReleased, released);
      sum += noise;
    }
    expect(maxAbs).toBe(cellKey.maxNoise);
    expect(minReleased).toBeGreaterThanOrEqual(cellKey.threshold);
    expect(Math.abs(sum / trials)).toBeLessThan(0.05);
  });

  it('keeps the median relative error under 2% for cells of 100 or more', () => {
    const rand = rng(3);
    const errors: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const n = 100 + Math.floor(rand() * 900);
      errors.push(Math.abs((releaseRaw(randomCell(n, rand)).count as number) - n) / n);
    }
    errors.sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.02);
  });

  it('defeats differencing: a total minus the total without a small category rarely gives its true count', () => {
    const rand = rng(4);
    let exact = 0;
    const trials = 200;
    for (let i = 0; i < trials; i++) {
      const small = recordKeys(1 + Math.floor(rand() * 9), rand); // below the threshold: suppressed on its own
      const rest = recordKeys(200 + Math.floor(rand() * 800), rand);
      const total = release([...rest, ...small]).count as number;
      const without = release(rest).count as number;
      if (total - without === small.length) exact++;
    }
    expect(exact / trials).toBeLessThan(0.5);
  });

  it('spends fresh noise per query under differential privacy, centred on the true count', () => {
    const dp = { ...cellKey, method: 'differential-privacy' as const, epsilonPerQuery: 1 };
    const keys = recordKeys(500, rng(5));
    const values = Array.from({ length: 400 }, () => release(keys, dp).count as number);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(new Set(values).size).toBeGreaterThan(3);
    expect(Math.abs(mean - 500)).toBeLessThan(0.5);
    expect(values.every((v) => v >= dp.threshold)).toBe(true);
  });

  it('releases true counts with no flags when the method is none', () => {
    const none = { ...cellKey, method: 'none' as const };
    expect(releaseCells(none, [{ count: 3, keySum: 5 }]).cells[0]).toMatchObject({
      suppressed: false,
      count: 3,
      flags: [],
    });
  });

  it('uses the operating system CSPRNG by default (differential privacy noise is not reproducible)', () => {
    const dp = { ...cellKey, method: 'differential-privacy' as const, epsilonPerQuery: 0.5 };
    const keys = Array.from({ length: 300 }, () => randomInt(KEY_MODULUS));
    const seen = new Set(Array.from({ length: 50 }, () => release(keys, dp).count));
    expect(seen.size).toBeGreaterThan(1);
  });
});
