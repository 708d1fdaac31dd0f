/**
 * Handling-time histograms kept in the rollups, so medians and percentiles never need the records.
 * Bucket edges are in days on a roughly logarithmic scale; bucket i (1-based, as PostgreSQL's
 * `width_bucket` numbers them) holds handling times in [EDGES[i-1], EDGES[i]); the last bucket is
 * everything from one year on. A percentile read from the histogram lies in the same bucket as the
 * true value, so its error is at most that bucket's width.
 */
export const HANDLING_DAY_EDGES = [
  0,
  1 / 24,
  2 / 24,
  4 / 24,
  8 / 24,
  0.5,
  0.75,
  1,
  1.5,
  2,
  3,
  4,
  5,
  7,
  10,
  14,
  21,
  30,
  45,
  60,
  90,
  180,
  365,
] as const;

export const HISTOGRAM_BUCKETS = HANDLING_DAY_EDGES.length;

/** SQL array literal of the edges, for `width_bucket(days, <edges>)`. */
export const HANDLING_DAY_EDGES_SQL = `ARRAY[${HANDLING_DAY_EDGES.map((e) => e.toPrecision(17)).join(',')}]::float8[]`;

/** 0-based index of the bucket holding `days`. */
export function bucketOf(days: number): number {
  let i = 0;
  while (i + 1 < HANDLING_DAY_EDGES.length && days >= HANDLING_DAY_EDGES[i + 1]) i++;
  return i;
}

/** [low, high) bounds of a 0-based bucket; the open-ended last bucket has high = low. */
export function bucketBounds(index: number): [number, number] {
  const low = HANDLING_DAY_EDGES[index];
  const high = index + 1 < HANDLING_DAY_EDGES.length ? HANDLING_DAY_EDGES[index + 1] : low;
  return [low, high];
}

/**
 * The p-quantile (nearest rank: the value of rank ceil(p*n)) estimated from bucket counts by linear
 * interpolation inside the bucket that holds that rank. Null when the histogram is empty.
 */
export function percentileFromHistogram(counts: readonly number[], p: number): number | null {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let before = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0 && before + c >= rank) {
      const [low, high] = bucketBounds(i);
      return low + ((high - low) * (rank - before - 0.5)) / c;
    }
    before += c;
  }
  return null;
}
