import type { AggregateResult } from '../api/types';

export interface ChartPoint {
  value: number | null;
  flags: string[];
}
export interface ChartSpec {
  kind: 'line' | 'bar';
  categories: string[];
  series: { name: string; points: ChartPoint[] }[];
  /** Series dropped to keep the chart readable (the table has them all). */
  omittedSeries: number;
}

export const MAX_SERIES = 8;

/**
 * A chart suited to the answer's shape: a time dimension becomes the x axis of a line chart,
 * otherwise the first grouped dimension becomes bars; the other grouped dimensions make the
 * series (the largest few). Labels come from `label(zh, en)`.
 */
export function chartSpec(
  result: AggregateResult,
  measure: string,
  label: (zh: string, en: string) => string,
): ChartSpec | null {
  if (result.rows.length === 0) return null;
  const mi = result.rows[0].cells.findIndex((c) => c.measure === measure);
  if (mi < 0) return null;
  const groupCount = result.columns.length - result.rows[0].cells.length;
  const dims = result.columns.slice(0, groupCount);
  const timeIndex = dims.findIndex((d) => d.startsWith('time.'));
  const xIndex = timeIndex >= 0 ? timeIndex : 0;
  const kind = timeIndex >= 0 ? 'line' : 'bar';

  const categories: string[] = [];
  const categoryIndex = new Map<string, number>();
  const xKeys: string[] = [];
  for (const r of result.rows) {
    const key = groupCount === 0 ? '' : r.keys[xIndex];
    if (!categoryIndex.has(key)) {
      categoryIndex.set(key, xKeys.length);
      xKeys.push(key);
    }
  }
  if (kind === 'line') xKeys.sort();
  xKeys.forEach((k, i) => categoryIndex.set(k, i));
  const labelOfX = new Map<string, string>();
  for (const r of result.rows) {
    const key = groupCount === 0 ? '' : r.keys[xIndex];
    if (!labelOfX.has(key)) labelOfX.set(key, groupCount === 0 ? '' : label(r.labels[xIndex], r.labelsEn[xIndex]));
  }
  for (const k of xKeys) categories.push(labelOfX.get(k) || k);

  const seriesMap = new Map<string, { name: string; points: ChartPoint[]; total: number }>();
  for (const r of result.rows) {
    const others = r.keys.map((_, i) => i).filter((i) => i !== xIndex && i < groupCount);
    const id = JSON.stringify(others.map((i) => r.keys[i]));
    let s = seriesMap.get(id);
    if (!s) {
      const name = others.map((i) => label(r.labels[i], r.labelsEn[i]) || r.keys[i]).join(' · ');
      s = { name, points: xKeys.map(() => ({ value: null, flags: [] })), total: 0 };
      seriesMap.set(id, s);
    }
    const cell = r.cells[mi];
    const xi = categoryIndex.get(groupCount === 0 ? '' : r.keys[xIndex]) as number;
    s.points[xi] = { value: cell.value, flags: cell.flags };
    s.total += Math.abs(cell.value ?? 0);
  }
  const all = [...seriesMap.values()].sort((a, b) => b.total - a.total);
  const kept = all.slice(0, MAX_SERIES);
  return {
    kind,
    categories,
    series: kept.map(({ name, points }) => ({ name, points })),
    omittedSeries: all.length - kept.length,
  };
}
