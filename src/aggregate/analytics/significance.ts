import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';

/**
 * P(X >= x) for X ~ Binomial(n, p), computed as the lower tail of the complement so that very
 * small p-values keep their precision.
 */
export function binomialUpperTail(x: number, n: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return binomialCdf(n - x, n, 1 - p);
}

/**
 * Benjamini-Hochberg: which of the p-values are discoveries at false discovery rate `q`
 * (null p-values are not tested and count for nothing).
 */
export function benjaminiHochberg(pValues: (number | null)[], q: number): boolean[] {
  const tested = pValues
    .map((p, i) => ({ p, i }))
    .filter((t): t is { p: number; i: number } => t.p !== null)
    .sort((a, b) => a.p - b.p);
  const m = tested.length;
  let cut = -1;
  tested.forEach((t, k) => {
    if (t.p <= ((k + 1) / m) * q) cut = k;
  });
  const out = pValues.map(() => false);
  for (let k = 0; k <= cut; k++) out[tested[k].i] = true;
  return out;
}
