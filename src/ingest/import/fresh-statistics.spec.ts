import { monthsBeside, statisticsPlan } from './fresh-statistics.js';

describe('statisticsPlan: what an import analyzes afterwards', () => {
  const months = ['2021-03', '2021-01', '2021-03'];

  it('analyzes the months written into, once each, and the other tables, when the whole table is not due', () => {
    for (const version of [150004, 180001])
      expect(statisticsPlan('case_record', months, ['case_keyword'], 40_000, 30_000_000, version)).toEqual({
        tables: ['case_record_y2021m01', 'case_record_y2021m03', 'case_keyword'],
        parent: null,
      });
  });

  it('renews the whole table once a tenth of its rows is new: ONLY the parent from PostgreSQL 18', () => {
    expect(statisticsPlan('case_record', months, ['case_keyword'], 300_000, 3_000_000, 180001)).toEqual({
      tables: ['case_record_y2021m01', 'case_record_y2021m03', 'case_keyword'],
      parent: 'only',
    });
    expect(statisticsPlan('call_traffic', ['2021-05'], [], 1, 0, 180001)).toEqual({
      tables: ['call_traffic_y2021m05'],
      parent: 'only',
    });
  });

  it('before PostgreSQL 18 the parent goes alone when due, since ANALYZE of it analyzes every month again', () => {
    expect(statisticsPlan('case_record', months, ['case_keyword'], 300_000, 3_000_000, 150004)).toEqual({
      tables: ['case_keyword'],
      parent: 'all',
    });
    expect(statisticsPlan('case_record', months, ['case_keyword'], 299_999, 3_000_000, 150004).parent).toBeNull();
  });

  it('refuses a month that is not one', () => {
    expect(() => statisticsPlan('case_record', ['2021-13'], [], 1, 1, 180001)).toThrow('not a month');
  });
});

describe('monthsBeside: the months a second connection analyzes while the whole table is sampled', () => {
  it('takes the later half, the whole table and the earlier months staying with the import', () => {
    const months = ['m01', 'm02', 'm03', 'm04', 'm05', 'm06', 'm07', 'm08', 'm09', 'm10', 'm11', 'm12'];
    expect(monthsBeside(months)).toEqual(['m07', 'm08', 'm09', 'm10', 'm11', 'm12']);
    expect(monthsBeside(['m01', 'm02', 'm03'])).toEqual(['m03']);
    expect(monthsBeside(['m01'])).toEqual([]);
    expect(monthsBeside([])).toEqual([]);
  });
});
