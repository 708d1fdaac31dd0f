import type { ReleasedRow } from '../../disclosure/disclosure.service.js';
import { EMERGING_FDR, EMERGING_MIN_RELATIVE_GROWTH } from '../../catalog/registry.js';
import { parseTimeCode, previousTimeCode } from '../../catalog/time-members.js';
import { benjaminiHochberg, binomialUpperTail } from './significance.js';

export interface Growth {
  /** Released cases over released cases of the previous period, minus 1. */
  growth: number | null;
  /** One-sided p-value that the row grew faster than the rest of the result. */
  pValue: number | null;
  emerging: boolean;
}

const hours = (code: string) => {
  const p = parseTimeCode(code)!;
  return (p.end.getTime() - p.start.getTime()) / 3_600_000;
};

/**
 * Emerging issues: each row against the row of the previous period with the same other keys,
 * from released counts only. The test conditions on the two periods' total n = x1 + x0: if the
 * row kept its share of the result, x1 ~ Binomial(n, p0) with p0 = R1 / (R1 + R0), R the rest of
 * the result in each period (so seasonality and the overall trend cancel out; with no rest, p0
 * is the periods' length ratio). A previous period that is not listed (zero, or under the threshold)
 * counts as threshold - 1, its largest possible value, which makes the p-value an upper bound. Rows are flagged emerging
 * when significant under Benjamini-Hochberg and growing at least EMERGING_MIN_RELATIVE_GROWTH
 * times faster than the rest. Rows whose previous period is not in the result get nulls.
 */
export function periodOverPeriod(rows: ReleasedRow[], timeIndex: number, threshold: number): Growth[] {
  const other = (r: ReleasedRow) => r.keys.filter((_, i) => i !== timeIndex).join('\u0000');
  const byKey = new Map<string, ReleasedRow>();
  const totals = new Map<string, number>();
  for (const r of rows) {
    const t = r.keys[timeIndex];
    byKey.set(`${other(r)}\u0001${t}`, r);
    totals.set(t, (totals.get(t) ?? 0) + Math.max(0, Math.round(r.count)));
  }
  const tests = rows.map((r) => {
    const t = r.keys[timeIndex];
    const prevCode = previousTimeCode(t);
    if (prevCode === undefined || !totals.has(prevCode)) return undefined;
    const prev = byKey.get(`${other(r)}\u0001${prevCode}`);
    const x1 = Math.max(0, Math.round(r.count));
    // A row missing from the previous period was zero or under the threshold: unknown, at most threshold - 1.
    const known = prev === undefined ? (threshold > 0 ? null : 0) : Math.max(0, Math.round(prev.count));
    const x0 = known ?? Math.max(0, threshold - 1);
    const rest1 = totals.get(t)! - x1;
    const rest0 = totals.get(prevCode)! - (known ?? 0);
    const p0 = rest1 + rest0 > 0 ? rest1 / (rest1 + rest0) : hours(t) / (hours(t) + hours(prevCode));
    const restGrowth = rest1 + rest0 > 0 ? (rest0 > 0 ? rest1 / rest0 : Infinity) : hours(t) / hours(prevCode);
    const ownGrowth = x0 > 0 ? x1 / x0 : x1 > 0 ? Infinity : 0;
    return {
      growth: known !== null && known > 0 ? x1 / known - 1 : null,
      pValue: x1 + x0 > 0 ? binomialUpperTail(x1, x1 + x0, p0) : null,
      fastEnough:
        restGrowth === Infinity
          ? false
          : restGrowth === 0
            ? x1 > 0
            : ownGrowth / restGrowth >= EMERGING_MIN_RELATIVE_GROWTH,
    };
  });
  const significant = benjaminiHochberg(
    tests.map((t) => t?.pValue ?? null),
    EMERGING_FDR,
  );
  return tests.map((t, i) =>
    t === undefined
      ? { growth: null, pValue: null, emerging: false }
      : { growth: t.growth, pValue: t.pValue, emerging: significant[i] && t.fastEnough },
  );
}
