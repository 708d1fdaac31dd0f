/**
 * The cell key method (ABS TableBuilder, Cantabular). Every record carries a fixed random key
 * in [0, 2^31); a cell's key is the sum of its records' keys modulo 2^31, so the same set of
 * records always has the same cell key, whichever query produced the cell. A perturbation
 * table maps (cell key, count) to a small zero-mean noise; the same cell always gets the same
 * noise, so repeating or rephrasing a query reveals nothing new.
 */
export const KEY_MODULUS = 2 ** 31;

export interface PerturbationTable {
  maxNoise: number;
  /** Cumulative probabilities for noise -maxNoise..maxNoise (symmetric, mean 0). */
  cdfBySupport: Map<number, number[]>;
  variance: number;
}

/** Discretized normal over -d..d, renormalized: symmetric, so its mean is exactly 0. */
function cdfFor(d: number, variance: number): number[] {
  const weights: number[] = [];
  for (let k = -d; k <= d; k++) weights.push(Math.exp(-(k * k) / (2 * variance)));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) {
    acc += w / total;
    cdf.push(acc);
  }
  cdf[cdf.length - 1] = 1;
  return cdf;
}

export function buildPerturbationTable(maxNoise: number, variance: number): PerturbationTable {
  const cdfBySupport = new Map<number, number[]>();
  for (let d = 0; d <= maxNoise; d++) cdfBySupport.set(d, cdfFor(d, variance));
  return { maxNoise, cdfBySupport, variance };
}

/** Cell key from a sum of record keys (any size; a rollup's SUM comes back as a decimal string). */
export function cellKeyOf(keySum: number | bigint | string): number {
  const sum = typeof keySum === 'bigint' ? keySum : BigInt(typeof keySum === 'number' ? Math.trunc(keySum) : keySum);
  const mod = sum % BigInt(KEY_MODULUS);
  return Number(mod < 0n ? mod + BigInt(KEY_MODULUS) : mod);
}

/** A bijective 32-bit mixer (splitmix-style), so related keys and salts give unrelated positions. */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The noise for one cell. Near the threshold the support shrinks to ±(count - threshold), so
 * the released value is never below the threshold and the noise stays symmetric (mean 0).
 * `salt` separates measures counted over the same records (e.g. calls offered vs answered).
 */
export function perturbation(
  table: PerturbationTable,
  cellKey: number,
  count: number,
  threshold: number,
  salt = 0,
): number {
  const d = Math.max(0, Math.min(table.maxNoise, count - threshold));
  if (d === 0) return 0;
  const cdf = table.cdfBySupport.get(d) as number[];
  const u = mix32((cellKey ^ Math.imul(salt + 1, 0x9e3779b9)) >>> 0) / 2 ** 32;
  let index = 0;
  while (index < cdf.length - 1 && u >= cdf[index]) index++;
  return index - d;
}
