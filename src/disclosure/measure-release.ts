import { buildPerturbationTable, cellKeyOf, noiseDraw, perturbation, PerturbationTable } from './cell-key.js';
import { cryptoUniform, geometricNoise, laplaceNoise, UniformSource } from './differential-privacy.js';
import type { DisclosureConfig } from './disclosure-settings.js';
import { percentileFromHistogram } from '../common/histogram.js';

/**
 * How every number of a result is released (docs/disclosure-control.md). Each measure is computed
 * only from released components: counts perturbed by a cell key of their own records, means from a
 * perturbed bounded sum over a perturbed count, percentiles from a perturbed histogram. Nothing
 * here reads the database; the caller passes each row's summed base columns.
 */

/** Summed base columns of one result row; `hist` is the summed handling-time histogram. */
export type Sums = Record<string, number> & { hist?: number[] };

/**
 * A count a measure is built from: a base column and the sum of the record keys of the records it
 * counts (its cell key), optionally minus another (e.g. first contacts = cases - repeats).
 */
export interface CountBase {
  count: string;
  key?: string;
  minus?: { count: string; key?: string };
}

export type MeasureShape =
  /** A released count. */
  | { kind: 'count'; count: string }
  /** Released numerator over released denominator; `proportion` ratios are kept within [0, 1]. */
  | { kind: 'ratio'; numerator: string; denominator: string; proportion: boolean }
  /** One minus a proportion, from the same released numerator and denominator. */
  | { kind: 'complement'; numerator: string; denominator: string }
  /**
   * A perturbed sum over a perturbed count. Protected releases use `boundedSum` (each record
   * top-coded at `bound`), exact ones `sum`.
   */
  | { kind: 'mean'; sum: string; boundedSum: string; bound: number; over: string }
  /** A quantile of the handling-time histogram of the records counted by `over`. */
  | { kind: 'percentile'; p: number; over: string }
  /** Filled in after release by an analysis across rows (emerging, persistent issues). */
  | { kind: 'analysis' };

export interface ReleasableMeasure {
  code: string;
  unit: string;
  shape: MeasureShape;
  /** Flags a released value earns (e.g. `surge`), besides the disclosure flags. */
  flags?(value: number): string[];
}

/**
 * How a result is released:
 * - `none`: true values, nothing suppressed (data that is not about people);
 * - `exact`: true values for a caller who holds the records (the steward; a department on its own
 *   cases), with rows and denominators under the threshold still withheld;
 * - `threshold`, `cell-key`, `differential-privacy`: the dataset's protection, at stated precision.
 */
export type ReleaseMode = 'none' | 'exact' | 'threshold' | 'cell-key' | 'differential-privacy';

export interface ReleasedMeasureCell {
  measure: string;
  value: number | null;
  flags: string[];
}

/** Why a measure of a listed row is withheld; always together with `suppressed`. */
export type SuppressionReason = 'small-count' | 'small-denominator' | 'small-numerator' | 'small-complement';

export interface RowRelease {
  /** The released count of the row's records. */
  count: number;
  cells: ReleasedMeasureCell[];
  /** The released (perturbed or noisy) value of a count, for analyses across rows; never sent as is. */
  component: (base: string) => number;
}

/** Decimals of each unit in a protected release; exact releases keep full precision. */
export const PRECISION: Record<string, number> = { ratio: 3, days: 1, contacts: 2 };

export interface ReleaseSetting {
  mode: ReleaseMode;
  config: DisclosureConfig;
  countBases: Readonly<Record<string, CountBase>>;
  /** The count that decides whether a row is listed (cases, or calls offered). */
  rowCount: string;
}

const tables = new Map<string, PerturbationTable>();
function tableFor(config: DisclosureConfig): PerturbationTable {
  const key = `${config.maxNoise}/${config.noiseVariance}`;
  let table = tables.get(key);
  if (!table) {
    table = buildPerturbationTable(config.maxNoise, config.noiseVariance);
    tables.set(key, table);
  }
  return table;
}

/** A fixed salt per released statistic, so statistics over the same records get independent noise. */
function saltOf(name: string, rowCount: string): number {
  if (name === rowCount) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 0x7fffffff || 1;
}

const round = (value: number, unit: string): number => {
  const digits = PRECISION[unit];
  if (digits === undefined) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

const suppressed = (measure: string, reason: SuppressionReason): ReleasedMeasureCell => ({
  measure,
  value: null,
  flags: ['suppressed', reason],
});

/**
 * Releases one row, or returns null when the row is not listed: its count is under the threshold.
 * Zero rows are never listed either, so a true zero and a small count look the same.
 */
export function releaseRow(
  setting: ReleaseSetting,
  measures: readonly ReleasableMeasure[],
  sums: Sums,
  uniform: UniformSource = cryptoUniform,
): RowRelease | null {
  const { mode, config, countBases, rowCount } = setting;
  const threshold = mode === 'none' ? 0 : config.threshold;
  const protectedMode = mode === 'threshold' || mode === 'cell-key' || mode === 'differential-privacy';
  const table = mode === 'cell-key' ? tableFor(config) : undefined;

  const trueCount = (base: string): number => {
    const b = countBases[base];
    if (!b) throw new Error(`no count base "${base}"`);
    return (sums[b.count] ?? 0) - (b.minus ? (sums[b.minus.count] ?? 0) : 0);
  };
  const keyOf = (base: string): number => {
    const b = countBases[base];
    const plus = b.key ? BigInt(Math.trunc(sums[b.key] ?? 0)) : 0n;
    const minus = b.minus?.key ? BigInt(Math.trunc(sums[b.minus.key] ?? 0)) : 0n;
    return cellKeyOf(plus - minus);
  };

  const rowTrue = trueCount(rowCount);
  if (mode !== 'none' && rowTrue < Math.max(1, threshold)) return null;

  const released = new Map<string, number>();
  /**
   * The released value of a count. A count at or above the threshold is never released below it
   * (its noise is cut at the threshold from below); a smaller one (only ever read by analyses)
   * keeps a support of ±count, so zero stays zero and nothing is released below zero.
   */
  const component = (base: string): number => {
    const known = released.get(base);
    if (known !== undefined) return known;
    const t = trueCount(base);
    let value = t;
    const floor = t >= threshold && threshold > 0 ? threshold : 0;
    if (mode === 'cell-key') {
      value = t + perturbation(table!, keyOf(base), t, floor, saltOf(base, rowCount), floor === 0);
    } else if (mode === 'differential-privacy') {
      value = Math.max(floor, t + geometricNoise(config.epsilonPerQuery, uniform));
    }
    released.set(base, value);
    return value;
  };

  const disclosureFlags = mode === 'cell-key' ? ['perturbed'] : mode === 'differential-privacy' ? ['noisy'] : [];

  const cells = measures.map((m): ReleasedMeasureCell => {
    const shape = m.shape;
    const done = (value: number | null): ReleasedMeasureCell => {
      if (value === null || !Number.isFinite(value)) return { measure: m.code, value: null, flags: [] };
      const shown = protectedMode ? round(value, m.unit) : value;
      return { measure: m.code, value: shown, flags: [...disclosureFlags, ...(m.flags?.(shown) ?? [])] };
    };
    switch (shape.kind) {
      case 'analysis':
        return { measure: m.code, value: null, flags: [] };
      case 'count': {
        if (shape.count !== rowCount && trueCount(shape.count) < threshold) return suppressed(m.code, 'small-count');
        return done(component(shape.count));
      }
      case 'ratio':
      case 'complement': {
        const n = trueCount(shape.numerator);
        const d = trueCount(shape.denominator);
        if (mode === 'none') {
          if (d <= 0) return done(null);
          return done(shape.kind === 'ratio' ? n / d : 1 - n / d);
        }
        if (d < Math.max(1, threshold)) return suppressed(m.code, 'small-denominator');
        if (protectedMode && n < threshold) return suppressed(m.code, 'small-numerator');
        if (protectedMode && d - n < threshold) return suppressed(m.code, 'small-complement');
        const pd = component(shape.denominator);
        let ratio = pd > 0 ? component(shape.numerator) / pd : null;
        if (ratio !== null && (shape.kind === 'complement' || shape.proportion))
          ratio = Math.min(1, Math.max(0, ratio));
        if (ratio === null || shape.kind === 'ratio') return done(ratio);
        // From the ratio as shown, so the two always add up to 1.
        return done(1 - (protectedMode ? round(ratio, m.unit) : ratio));
      }
      case 'mean': {
        const over = trueCount(shape.over);
        if (mode === 'none') return done(over > 0 ? (sums[shape.sum] ?? 0) / over : null);
        if (over < Math.max(1, threshold)) return suppressed(m.code, 'small-denominator');
        if (mode === 'exact' || mode === 'threshold') return done((sums[shape.sum] ?? 0) / over);
        const bounded = sums[shape.boundedSum] ?? 0;
        const sum =
          mode === 'cell-key'
            ? // As many records' worth of the cell's own mean as the count noise draws (ABS TableBuilder style).
              bounded + noiseDraw(table!, keyOf(shape.over), saltOf(shape.boundedSum, rowCount)) * (bounded / over)
            : bounded + laplaceNoise(shape.bound / config.epsilonPerQuery, uniform);
        const pOver = component(shape.over);
        return done(pOver > 0 ? Math.max(0, sum) / pOver : null);
      }
      case 'percentile': {
        const over = trueCount(shape.over);
        const hist = sums.hist ?? [];
        if (mode === 'none') return done(percentileFromHistogram(hist, shape.p));
        if (over < Math.max(1, threshold)) return suppressed(m.code, 'small-denominator');
        if (mode === 'exact' || mode === 'threshold') return done(percentileFromHistogram(hist, shape.p));
        const key = keyOf(shape.over);
        const noisy = hist.map((c, i) =>
          mode === 'cell-key'
            ? c + perturbation(table!, key, c, 0, saltOf(`hist${i}`, rowCount), true)
            : Math.max(0, c + geometricNoise(config.epsilonPerQuery, uniform)),
        );
        return done(percentileFromHistogram(noisy, shape.p));
      }
    }
  });
  return { count: component(rowCount), cells, component };
}

/**
 * The statistics a differentially private release of these measures draws noise for: each one
 * spends the dataset's epsilon per query (sequential composition).
 */
export function noisyStatistics(measures: readonly ReleasableMeasure[], rowCount: string): number {
  const seen = new Set<string>([rowCount]);
  for (const { shape } of measures) {
    if (shape.kind === 'count') seen.add(shape.count);
    else if (shape.kind === 'ratio' || shape.kind === 'complement') seen.add(shape.numerator).add(shape.denominator);
    else if (shape.kind === 'mean') seen.add(shape.over).add(`sum:${shape.boundedSum}`);
    else if (shape.kind === 'percentile') seen.add(shape.over).add('hist');
  }
  return seen.size;
}
