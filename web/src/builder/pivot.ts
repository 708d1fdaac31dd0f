import type { AggregateCell, AggregateResult } from '../api/types';

/** One header entry: the member codes and their labels (zh and en), one per dimension. */
export interface HeaderKey {
  keys: string[];
  labelsZh: string[];
  labelsEn: string[];
}

export interface PivotTable {
  rowDimensions: string[];
  columnDimensions: string[];
  measures: string[];
  rows: HeaderKey[];
  /** Column keys (members of the column dimensions); one entry `[]` when there are no column dimensions. */
  columns: HeaderKey[];
  /** cells[row][column][measure], undefined where the answer has no such combination. */
  cells: (AggregateCell | undefined)[][][];
  /** True when the column dimensions were too wide to spread and the table is a list instead. */
  flattened: boolean;
}

/** More spread-out cells than this per row and the cross tab becomes a plain list (still readable at 390 px). */
export const MAX_SPREAD_COLUMNS = 120;

/**
 * Lays an answer out TableBuilder-style: the first `rowCount` grouped dimensions down the side,
 * the rest across the top, each measure a sub-column. Rows keep the API's order (its ORDER BY);
 * column members are sorted by code, so time runs left to right.
 */
export function pivot(result: AggregateResult, rowCount: number): PivotTable {
  const groupCount = result.columns.length - (result.rows[0]?.cells.length ?? 0);
  const dims = result.rows.length > 0 ? result.columns.slice(0, groupCount) : [];
  const measures =
    result.rows.length > 0
      ? result.rows[0].cells.map((c) => c.measure)
      : result.columns.filter((c) => !c.includes('.'));
  let split = Math.min(rowCount, dims.length);
  const rowKeyOf = (keys: string[]) => JSON.stringify(keys.slice(0, split));
  const colKeyOf = (keys: string[]) => JSON.stringify(keys.slice(split));

  const columnKeys = new Set(result.rows.map((r) => colKeyOf(r.keys)));
  let flattened = false;
  if (columnKeys.size * Math.max(1, measures.length) > MAX_SPREAD_COLUMNS) {
    split = dims.length;
    flattened = true;
  }
  const header = (keys: string[], zh: string[], en: string[], from: number, to: number): HeaderKey => ({
    keys: keys.slice(from, to),
    labelsZh: zh.slice(from, to),
    labelsEn: en.slice(from, to),
  });

  const rowIndex = new Map<string, number>();
  const colIndex = new Map<string, number>();
  const rows: HeaderKey[] = [];
  const columnsByKey = new Map<string, HeaderKey>();
  for (const r of result.rows) {
    const rk = rowKeyOf(r.keys);
    if (!rowIndex.has(rk)) {
      rowIndex.set(rk, rows.length);
      rows.push(header(r.keys, r.labels, r.labelsEn, 0, split));
    }
    const ck = colKeyOf(r.keys);
    if (!columnsByKey.has(ck)) columnsByKey.set(ck, header(r.keys, r.labels, r.labelsEn, split, dims.length));
  }
  const sortedColumnKeys = [...columnsByKey.keys()].sort();
  const columns = sortedColumnKeys.map((k, i) => {
    colIndex.set(k, i);
    return columnsByKey.get(k) as HeaderKey;
  });
  if (columns.length === 0) columns.push({ keys: [], labelsZh: [], labelsEn: [] });

  const cells: (AggregateCell | undefined)[][][] = rows.map(() => columns.map(() => measures.map(() => undefined)));
  for (const r of result.rows) {
    const ri = rowIndex.get(rowKeyOf(r.keys)) as number;
    const ci = colIndex.get(colKeyOf(r.keys)) ?? 0;
    r.cells.forEach((c, mi) => {
      cells[ri][ci][mi] = c;
    });
  }
  return {
    rowDimensions: dims.slice(0, split),
    columnDimensions: dims.slice(split),
    measures,
    rows,
    columns,
    cells,
    flattened,
  };
}

/** Every flag the answer carries, in order of first appearance (an open list: unknown ones included). */
export function flagsIn(result: AggregateResult): string[] {
  const seen = new Set<string>();
  for (const r of result.rows) for (const c of r.cells) for (const f of c.flags) seen.add(f);
  return [...seen];
}
