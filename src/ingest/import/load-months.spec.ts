import { loadTableName, shareMonths } from './load-months.js';

const year = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => `2021-${m}`);

describe('the months of a history load', () => {
  it('builds a quarter of the empty months in the load, the last ones, and the rest beside it', () => {
    expect(shareMonths(year, new Set())).toEqual([year.slice(0, 9), year.slice(9)]);
    expect(shareMonths(year.slice(0, 4), new Set())).toEqual([year.slice(0, 3), ['2021-04']]);
    expect(shareMonths(year.slice(0, 3), new Set())).toEqual([year.slice(0, 3), []]);
    expect(shareMonths([], new Set())).toEqual([[], []]);
  });

  it('builds a month that replaces an empty partition beside the load', () => {
    const [beside, here] = shareMonths(year, new Set(['2021-12', '2021-11']));
    expect(here).toEqual(['2021-08', '2021-09', '2021-10']);
    expect(beside).toEqual([...year.slice(0, 7), '2021-11', '2021-12']);
  });

  it('names a month by its load until it is attached, and refuses what is not a batch id or a month', () => {
    expect(loadTableName('42', '2021-03')).toBe('hgw_load_42_y2021m03');
    expect(() => loadTableName('4; DROP TABLE x', '2021-03')).toThrow('not an import batch id');
    expect(() => loadTableName('42', '2021-13')).toThrow('not a month');
  });
});
