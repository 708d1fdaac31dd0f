import type { AggregateResult, AggregateRow } from '../api/types';
import { MAX_SPREAD_COLUMNS, flagsIn, pivot } from './pivot';

const row = (keys: string[], values: [number | null, string[]][]): AggregateRow => ({
  keys,
  labels: keys.map((k) => `zh-${k}`),
  labelsEn: keys.map((k) => `en-${k}`),
  cells: values.map(([value, flags], i) => ({ measure: ['cases', 'solvedRate'][i], value, flags })),
});

const result = (columns: string[], rows: AggregateRow[]): AggregateResult => ({
  dataset: 'd',
  columns,
  rows,
  disclosure: { method: 'cell-key', threshold: 10, suppressedCells: 0, budgetRemaining: null },
  licenseId: null,
  auditEventId: '1',
  citation: 'c',
});

describe('pivot', () => {
  const answer = result(
    ['area.city', 'time.year', 'cases', 'solvedRate'],
    [
      row(
        ['B', '2022'],
        [
          [20, ['perturbed']],
          [0.5, []],
        ],
      ),
      row(
        ['A', '2021'],
        [
          [null, ['suppressed']],
          [null, ['suppressed']],
        ],
      ),
      row(
        ['B', '2021'],
        [
          [11, []],
          [0.6, ['new-flag']],
        ],
      ),
    ],
  );

  it('puts row dimensions down the side and column members across, sorted by code', () => {
    const t = pivot(answer, 1);
    expect(t.rowDimensions).toEqual(['area.city']);
    expect(t.columnDimensions).toEqual(['time.year']);
    expect(t.measures).toEqual(['cases', 'solvedRate']);
    expect(t.rows.map((r) => r.keys)).toEqual([['B'], ['A']]);
    expect(t.columns.map((c) => c.keys)).toEqual([['2021'], ['2022']]);
    expect(t.cells[0][0].map((c) => c?.value)).toEqual([11, 0.6]);
    expect(t.cells[0][1].map((c) => c?.value)).toEqual([20, 0.5]);
    expect(t.cells[1][0].map((c) => c?.flags)).toEqual([['suppressed'], ['suppressed']]);
    expect(t.cells[1][1]).toEqual([undefined, undefined]);
    expect(t.flattened).toBe(false);
  });

  it('is a plain list when every dimension is a row', () => {
    const t = pivot(answer, 2);
    expect(t.columnDimensions).toEqual([]);
    expect(t.columns).toHaveLength(1);
    expect(t.rows.map((r) => r.keys)).toEqual([
      ['B', '2022'],
      ['A', '2021'],
      ['B', '2021'],
    ]);
    expect(t.rows[0].labelsZh).toEqual(['zh-B', 'zh-2022']);
  });

  it('turns into a list rather than spreading too many columns', () => {
    const wide = result(
      ['area.city', 'time.day', 'cases'],
      Array.from({ length: MAX_SPREAD_COLUMNS + 1 }, (_, i) => ({
        ...row(['A', String(1000 + i)], [[i, []]]),
        cells: [{ measure: 'cases', value: i, flags: [] }],
      })),
    );
    const t = pivot(wide, 1);
    expect(t.flattened).toBe(true);
    expect(t.rows).toHaveLength(MAX_SPREAD_COLUMNS + 1);
    expect(t.columnDimensions).toEqual([]);
  });

  it('handles an answer with no grouping and an empty answer', () => {
    const total = pivot(
      result(['cases'], [{ keys: [], labels: [], labelsEn: [], cells: [{ measure: 'cases', value: 5, flags: [] }] }]),
      0,
    );
    expect(total.rows).toEqual([{ keys: [], labelsZh: [], labelsEn: [] }]);
    expect(total.cells[0][0][0]?.value).toBe(5);
    const empty = pivot(result(['area.city', 'cases'], []), 1);
    expect(empty.rows).toEqual([]);
    expect(empty.measures).toEqual(['cases']);
  });

  it('lists every flag in the answer, known or not, once each', () => {
    expect(flagsIn(answer)).toEqual(['perturbed', 'suppressed', 'new-flag']);
  });
});
