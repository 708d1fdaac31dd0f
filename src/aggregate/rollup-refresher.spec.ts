import { CUBES, cubeColumns } from '../catalog/registry.js';
import { spans } from './rollup-refresher.js';

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe(spans.name, () => {
  it('joins consecutive days into runs and cuts runs at the given length', () => {
    const days = ['2021-01-05', '2021-01-01', '2021-01-02', '2021-01-03', '2021-01-02', '2021-01-04'];
    expect(spans(days, nextDay)).toEqual([['2021-01-01', '2021-01-06']]);
    expect(spans(days, nextDay, 2)).toEqual([
      ['2021-01-01', '2021-01-03'],
      ['2021-01-03', '2021-01-05'],
      ['2021-01-05', '2021-01-06'],
    ]);
    expect(spans(['2021-01-01', '2021-01-03'], nextDay, 7)).toEqual([
      ['2021-01-01', '2021-01-02'],
      ['2021-01-03', '2021-01-04'],
    ]);
  });
});

describe('CUBES', () => {
  it('lists each series smallest first, so the planner picks the smallest cube that answers', () => {
    for (const series of ['cases', 'traffic']) {
      const cells = CUBES.filter((c) => c.series === series && c.cells !== undefined).map((c) => c.cells!);
      expect(cells.length).toBeGreaterThan(2);
      expect(cells).toEqual([...cells].sort((a, b) => a - b));
    }
  });

  it('keeps every level above the finest one it names', () => {
    const area = CUBES.find((c) => c.table === 'rollup_cases_month_area')!;
    expect(cubeColumns(area)).toEqual(['province_code', 'city_code', 'district_code', 'street_code', 'kind']);
    const mid = CUBES.find((c) => c.table === 'rollup_cases_month_mid')!;
    expect(cubeColumns(mid)).toEqual([
      'province_code',
      'city_code',
      'district_code',
      'category_l1',
      'category_l2',
      'kind',
      'department_code',
    ]);
  });
});
