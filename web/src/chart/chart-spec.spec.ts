import type { AggregateResult, AggregateRow } from '../api/types';
import { MAX_SERIES, chartSpec } from './chart-spec';

const row = (keys: string[], value: number | null, flags: string[] = []): AggregateRow => ({
  keys,
  labels: keys.map((k) => `zh-${k}`),
  labelsEn: keys.map((k) => `en-${k}`),
  cells: [{ measure: 'cases', value, flags }],
});
const answer = (columns: string[], rows: AggregateRow[]): AggregateResult => ({
  dataset: 'd',
  columns,
  rows,
  disclosure: { method: 'none', threshold: 0, suppressedCells: 0, budgetRemaining: null },
  licenseId: null,
  auditEventId: '1',
  citation: 'c',
});
const en = (_zh: string, e: string) => e;

describe('chartSpec', () => {
  it('draws time as lines, in time order, one series per other member, largest first', () => {
    const spec = chartSpec(
      answer(
        ['area.city', 'time.month', 'cases'],
        [row(['A', '2021-02'], 5), row(['A', '2021-01'], 3, ['surge']), row(['B', '2021-01'], 9)],
      ),
      'cases',
      en,
    );
    expect(spec?.kind).toBe('line');
    expect(spec?.categories).toEqual(['en-2021-01', 'en-2021-02']);
    expect(spec?.series).toEqual([
      {
        name: 'en-B',
        points: [
          { value: 9, flags: [] },
          { value: null, flags: [] },
        ],
      },
      {
        name: 'en-A',
        points: [
          { value: 3, flags: ['surge'] },
          { value: 5, flags: [] },
        ],
      },
    ]);
  });

  it('draws categories as bars in the answer order', () => {
    const spec = chartSpec(answer(['kind.kind', 'cases'], [row(['z'], 1), row(['a'], 2)]), 'cases', en);
    expect(spec?.kind).toBe('bar');
    expect(spec?.categories).toEqual(['en-z', 'en-a']);
    expect(spec?.series).toHaveLength(1);
  });

  it('keeps the largest series and counts the rest', () => {
    const rows = Array.from({ length: MAX_SERIES + 3 }, (_, i) => row([`c${i}`, '2021'], i));
    const spec = chartSpec(answer(['area.city', 'time.year', 'cases'], rows), 'cases', en);
    expect(spec?.series).toHaveLength(MAX_SERIES);
    expect(spec?.series[0].name).toBe(`en-c${MAX_SERIES + 2}`);
    expect(spec?.omittedSeries).toBe(3);
  });

  it('has nothing to draw for an empty answer or an unknown measure', () => {
    expect(chartSpec(answer(['kind.kind', 'cases'], []), 'cases', en)).toBeNull();
    expect(chartSpec(answer(['kind.kind', 'cases'], [row(['a'], 1)]), 'solvedRate', en)).toBeNull();
  });
});
