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
  /** Cumulative probabilities for noise -d..d (symmetric, mean 0), for each d in 0..maxNoise. */
  cdfBySupport: Map<number, number[]>;
  /**
   * Cumulative probabilities for noise -a..maxNoise, for each a in 0..maxNoise: the symmetric table
   * with its mass below -a spread evenly over 1..maxNoise, so zero keeps its probability.
   */
  cdfFromBelow: Map<number, number[]>;
  variance: number;
}

const weight = (k: number, variance: number) => Math.exp(-(k * k) / (2 * variance));

/** Discretized normal over low..high (renormalized), as a cumulative distribution. */
function cdfFor(low: number, high: number, variance: number): number[] {
  const weights: number[] = [];
  for (let k = low; k <= high; k++) weights.push(weight(k, variance));
  return cumulative(weights);
}

/**
 * The discretized normal over -d..d folded at -a: the probability of each noise below -a moves to
 * its mirror image above a. A count near the floor is perturbed upward more often, but released
 * exactly no more often than one far from it (P(0) is the same as in the full table).
 */
function cdfCutBelow(a: number, d: number, variance: number): number[] {
  const weights: number[] = [];
  for (let k = -a; k <= d; k++) weights.push(weight(k, variance) + (k > a ? weight(-k, variance) : 0));
  return cumulative(weights);
}

function cumulative(weights: number[]): number[] {
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
  const cdfFromBelow = new Map<number, number[]>();
  for (let d = 0; d <= maxNoise; d++) {
    cdfBySupport.set(d, cdfFor(-d, d, variance));
    cdfFromBelow.set(d, cdfCutBelow(d, maxNoise, variance));
  }
  return { maxNoise, cdfBySupport, cdfFromBelow, variance };
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

/** The uniform draw in [0, 1) of a cell key under a salt: fixed for the same records and salt. */
function uniformOf(cellKey: number, salt: number): number {
  return mix32((cellKey ^ Math.imul(salt + 1, 0x9e3779b9)) >>> 0) / 2 ** 32;
}

function inverse(cdf: number[], u: number): number {
  let index = 0;
  while (index < cdf.length - 1 && u >= cdf[index]) index++;
  return index;
}

/**
 * The noise for one count, never taking it below `floor`:
 * - by default the support is -min(D, count - floor)..+D: far from the floor the noise is the
 *   symmetric, zero-mean table; near it the table is folded upward (each noise that would cross
 *   the floor becomes its mirror image), so a count at the floor is perturbed as often as any
 *   other, at the cost of an upward bias there (1.9 at the floor with the default table, 0.65
 *   three above it, none from maxNoise above it);
 * - `symmetric` cuts both sides to ±min(D, count - floor), keeping the mean at zero and a zero at
 *   zero (used for counts under the threshold, which are never shown but feed analyses and
 *   histograms).
 * `salt` separates statistics of the same records (e.g. the cases of a cell and its histogram).
 */
export function perturbation(
  table: PerturbationTable,
  cellKey: number,
  count: number,
  floor: number,
  salt = 0,
  symmetric = false,
): number {
  const room = Math.max(0, Math.min(table.maxNoise, count - floor));
  const u = uniformOf(cellKey, salt);
  if (symmetric) {
    if (room === 0) return 0;
    return inverse(table.cdfBySupport.get(room) as number[], u) - room;
  }
  return inverse(table.cdfFromBelow.get(room) as number[], u) - room;
}

/** A draw from the full symmetric table (-D..D) for a cell key and salt, e.g. to scale a sum's noise. */
export function noiseDraw(table: PerturbationTable, cellKey: number, salt: number): number {
  const d = table.maxNoise;
  return inverse(table.cdfBySupport.get(d) as number[], uniformOf(cellKey, salt)) - d;
}
