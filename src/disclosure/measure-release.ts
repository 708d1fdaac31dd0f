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
 * What measures are computed from: one released cell of the lattice (a combination of single
 * members at published levels), or a sum of such cells.
 */
interface CellView {
  /** The count suppression rules read: the true count of a single cell, the released sum of a union. */
  decide(base: string): number;
  /** The released value of a count. */
  component(base: string): number;
  /** The released sum behind a mean. */
  sum(shape: Extract<MeasureShape, { kind: 'mean' }>): number;
  /** The released histogram behind a percentile, of the records `over` counts. */
  hist(over: string): number[];
}

/**
 * The released view of one lattice cell, or null when it is not listed (its count is under the
 * threshold, or zero). Nothing is computed until a measure asks for it.
 */
function cellView(setting: ReleaseSetting, sums: Sums, uniform: UniformSource): CellView | null {
  const { mode, config, countBases, rowCount } = setting;
  const threshold = mode === 'none' ? 0 : config.threshold;
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
  if (mode !== 'none' && trueCount(rowCount) < Math.max(1, threshold)) return null;

  const released = new Map<string, number>();
  return {
    decide: trueCount,
    /**
     * A count at or above the threshold is never released below it (its noise is cut at the
     * threshold from below); a smaller one (never shown on its own: it feeds sums and analyses)
     * keeps a support of ±count, so zero stays zero and nothing goes below zero.
     */
    component(base) {
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
    },
    sum(shape) {
      if (mode === 'none' || mode === 'exact' || mode === 'threshold') return sums[shape.sum] ?? 0;
      const bounded = sums[shape.boundedSum] ?? 0;
      const over = trueCount(shape.over);
      if (mode === 'cell-key') {
        // As many records' worth of the cell's own mean as the count noise draws (ABS TableBuilder style).
        const draw = noiseDraw(table!, keyOf(shape.over), saltOf(shape.boundedSum, rowCount));
        return Math.max(0, bounded + (over > 0 ? draw * (bounded / over) : 0));
      }
      return Math.max(0, bounded + laplaceNoise(shape.bound / config.epsilonPerQuery, uniform));
    },
    hist(over) {
      const hist = sums.hist ?? [];
      if (mode === 'cell-key') {
        const key = keyOf(over);
        return hist.map((c, i) => c + perturbation(table!, key, c, 0, saltOf(`hist${i}`, rowCount), true));
      }
      if (mode === 'differential-privacy') {
        return hist.map((c) => Math.max(0, c + geometricNoise(config.epsilonPerQuery, uniform)));
      }
      return hist;
    },
  };
}

/** A sum of released cells: every part and every rule reads released values only. */
function unionView(parts: CellView[]): CellView {
  const total = (f: (v: CellView) => number) => parts.reduce((s, v) => s + f(v), 0);
  return {
    decide: (base) => total((v) => v.component(base)),
    component: (base) => total((v) => v.component(base)),
    sum: (shape) => total((v) => v.sum(shape)),
    hist: (over) => {
      const out: number[] = [];
      for (const v of parts) v.hist(over).forEach((c, i) => (out[i] = (out[i] ?? 0) + c));
      return out;
    },
  };
}

/** Every measure of a listed row, from its view. */
function releaseMeasures(setting: ReleaseSetting, measures: readonly ReleasableMeasure[], view: CellView): RowRelease {
  const { mode, config, rowCount } = setting;
  const threshold = mode === 'none' ? 0 : config.threshold;
  const protectedMode = mode === 'threshold' || mode === 'cell-key' || mode === 'differential-privacy';
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
        if (shape.count !== rowCount && view.decide(shape.count) < threshold) return suppressed(m.code, 'small-count');
        return done(view.component(shape.count));
      }
      case 'ratio':
      case 'complement': {
        const n = view.decide(shape.numerator);
        const d = view.decide(shape.denominator);
        if (mode === 'none') {
          if (d <= 0) return done(null);
          return done(shape.kind === 'ratio' ? n / d : 1 - n / d);
        }
        if (d < Math.max(1, threshold)) return suppressed(m.code, 'small-denominator');
        if (protectedMode && n < threshold) return suppressed(m.code, 'small-numerator');
        if (protectedMode && d - n < threshold) return suppressed(m.code, 'small-complement');
        const pd = view.component(shape.denominator);
        let ratio = pd > 0 ? view.component(shape.numerator) / pd : null;
        if (ratio !== null && (shape.kind === 'complement' || shape.proportion))
          ratio = Math.min(1, Math.max(0, ratio));
        if (ratio === null || shape.kind === 'ratio') return done(ratio);
        // From the ratio as shown, so the two always add up to 1.
        return done(1 - (protectedMode ? round(ratio, m.unit) : ratio));
      }
      case 'mean': {
        const over = view.decide(shape.over);
        if (mode === 'none') return done(over > 0 ? view.sum(shape) / over : null);
        if (over < Math.max(1, threshold)) return suppressed(m.code, 'small-denominator');
        const pOver = view.component(shape.over);
        return done(pOver > 0 ? view.sum(shape) / pOver : null);
      }
      case 'percentile': {
        if (mode !== 'none' && view.decide(shape.over) < Math.max(1, threshold)) {
          return suppressed(m.code, 'small-denominator');
        }
        return done(percentileFromHistogram(view.hist(shape.over), shape.p));
      }
    }
  });
  return { count: view.component(rowCount), cells, component: (base) => view.component(base) };
}

/**
 * Releases one lattice cell, or returns null when it is not listed: its count is under the
 * threshold. Zero cells are never listed either, so a true zero and a small count look the same.
 */
export function releaseRow(
  setting: ReleaseSetting,
  measures: readonly ReleasableMeasure[],
  sums: Sums,
  uniform: UniformSource = cryptoUniform,
): RowRelease | null {
  const view = cellView(setting, sums, uniform);
  return view && releaseMeasures(setting, measures, view);
}

/**
 * Releases a cell that is a union of lattice cells (several members of a filter, the periods of a
 * time range). Protected releases sum the released parts: each part is released on its own, with
 * the noise of its own records, and parts that are not listed add nothing, so two unions that
 * differ by one part differ by that part's released value (or by nothing), whichever other parts
 * they combine, and no noise can be averaged away. Exact releases sum the true parts.
 */
export function releaseUnion(
  setting: ReleaseSetting,
  measures: readonly ReleasableMeasure[],
  parts: readonly Sums[],
  uniform: UniformSource = cryptoUniform,
): RowRelease | null {
  if (setting.mode === 'none' || setting.mode === 'exact')
    return releaseRow(setting, measures, addSums(parts), uniform);
  const listed = parts.map((p) => cellView(setting, p, uniform)).filter((v): v is CellView => v !== null);
  if (listed.length === 0) return null;
  return releaseMeasures(setting, measures, listed.length === 1 ? listed[0] : unionView(listed));
}

/** Adds base columns (histograms bucket by bucket). */
export function addSums(parts: readonly Sums[]): Sums {
  const out = {} as Sums;
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (k === 'hist') {
        const hist = (out.hist ??= []);
        (v as number[]).forEach((c, i) => (hist[i] = (hist[i] ?? 0) + c));
      } else out[k] = (out[k] ?? 0) + (v as number);
    }
  }
  return out;
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
