/**
 * Medians and spread over repeated rounds. On a shared machine one phase can swing by 2x from the
 * next, so every figure is the median of its rounds with the range beside it, and every ratio is
 * taken within a round (its two phases ran seconds apart) before the median is taken.
 */
import type { PhaseResult } from './http-load.js';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: number[]): Spread {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

export const fmt = (x: number, digits = 1) =>
  Number.isFinite(x) ? x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';

/** "1,234 (1,100–1,300)": the median and, with more than one round, the range. */
export function fmtSpread(xs: number[], digits = 1): string {
  const s = spread(xs);
  return xs.length > 1
    ? `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`
    : fmt(s.median, digits);
}

/** Each round's a / b. */
export const ratios = (a: number[], b: number[]) => a.map((x, i) => x / b[i]);

/** Rounds of each phase, in the order phases were first recorded. */
export class Rounds {
  readonly phases = new Map<string, PhaseResult[]>();

  add(result: PhaseResult): PhaseResult {
    const list = this.phases.get(result.name) ?? [];
    list.push(result);
    this.phases.set(result.name, list);
    return result;
  }

  get(name: string): PhaseResult[] {
    return this.phases.get(name) ?? [];
  }

  rps = (name: string) => this.get(name).map((r) => r.rps);
  p95 = (name: string) => this.get(name).map((r) => r.p95);

  /** One line per phase: medians over the rounds, ranges in brackets. */
  table(): string[] {
    const lines = [
      '| phase | rounds | errors | throughput (req/s) | p50 (ms) | p95 (ms) |',
      '|---|---:|---:|---:|---:|---:|',
    ];
    for (const [name, runs] of this.phases) {
      const errors = runs.reduce((s, r) => s + r.errors, 0);
      lines.push(
        `| ${name} | ${runs.length} | ${errors} | ${fmtSpread(runs.map((r) => r.rps))} | ${fmtSpread(
          runs.map((r) => r.p50),
          2,
        )} | ${fmtSpread(
          runs.map((r) => r.p95),
          2,
        )} |`,
      );
    }
    for (const [name, runs] of this.phases) {
      const failed = runs.find((r) => r.firstError);
      if (failed) lines.push(`first error in "${name}": ${failed.firstError}`);
    }
    return lines;
  }

  toJSON(): Record<string, PhaseResult[]> {
    return Object.fromEntries(this.phases);
  }
}
