import { bucketBounds, bucketOf, HANDLING_DAY_EDGES, percentileFromHistogram } from './histogram.js';

describe('percentileFromHistogram', () => {
  it('puts a value in the bucket whose bounds hold it', () => {
    for (const days of [0, 0.01, 0.3, 1, 1.2, 6.9, 7, 29, 400]) {
      const [low, high] = bucketBounds(bucketOf(days));
      expect(days).toBeGreaterThanOrEqual(low);
      if (high > low) expect(days).toBeLessThan(high);
    }
  });

  it('estimates the median and p90 inside the bucket of the true value', () => {
    const values = [0.2, 0.4, 1.1, 1.3, 2.5, 3.2, 4.4, 6, 8, 12, 40];
    const counts = new Array<number>(HANDLING_DAY_EDGES.length).fill(0);
    for (const v of values) counts[bucketOf(v)]++;
    for (const p of [0.5, 0.9]) {
      const truth = [...values].sort((a, b) => a - b)[Math.ceil(p * values.length) - 1];
      const [low, high] = bucketBounds(bucketOf(truth));
      const sut = percentileFromHistogram(counts, p)!;
      expect(sut).toBeGreaterThanOrEqual(low);
      expect(sut).toBeLessThanOrEqual(high);
    }
  });

  it('is null for an empty histogram', () => {
    expect(percentileFromHistogram([0, 0, 0], 0.5)).toBeNull();
  });
});
