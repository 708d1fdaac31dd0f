import type { DatasetDefinition } from '../datasets/dataset.entity.js';
import {
  checkQueryScope,
  DatasetScope,
  parseLicenseId,
  ScopeViolation,
  validateScope,
  wideningsOf,
} from './license-scope.js';

const lvl = (code: string) => ({ code, titleZh: code, titleEn: code });
const definition: DatasetDefinition = {
  dimensions: [
    { code: 'time', titleZh: '', titleEn: '', levels: ['year', 'quarter', 'month', 'week', 'day', 'hour'].map(lvl) },
    { code: 'area', titleZh: '', titleEn: '', levels: ['province', 'city', 'district', 'street'].map(lvl) },
    { code: 'category', titleZh: '', titleEn: '', levels: ['l1', 'l2', 'l3'].map(lvl) },
    { code: 'kind', titleZh: '', titleEn: '', levels: [lvl('kind')] },
  ],
  measures: [],
  disclosure: { method: 'threshold', threshold: 10 },
};

const scope: DatasetScope = {
  dataset: 'hotline-cases',
  dimensions: { time: 'month', area: 'city', category: 'l2' },
  cities: ['320500'],
  periodFrom: '2021-01-01',
  periodTo: '2021-12-31',
};

describe(checkQueryScope.name, () => {
  const check = (query: Parameters<typeof checkQueryScope>[3]) => checkQueryScope('L-12', scope, definition, query);

  it('names the level rule a query breaks', () => {
    const sut = check({ dataset: 'hotline-cases', groupBy: [{ dimension: 'area', level: 'district' }] });
    expect(sut).toEqual(new ScopeViolation('licence L-12 allows area down to city, not district'));
  });

  it('refuses a dimension the licence does not allow, grouping or filtering', () => {
    expect(check({ dataset: 'hotline-cases', groupBy: [{ dimension: 'kind' }] })).toEqual(
      new ScopeViolation('licence L-12 does not allow you to group by kind (it allows time, area, category)'),
    );
    expect(check({ dataset: 'hotline-cases', filters: [{ dimension: 'kind', in: ['complaint'] }] })).toBeInstanceOf(
      ScopeViolation,
    );
  });

  it('refuses a finer filter than allowed, since it discloses the finer level', () => {
    const sut = check({
      dataset: 'hotline-cases',
      filters: [{ dimension: 'area', level: 'street', in: ['320506001'] }],
    });
    expect(sut).toEqual(new ScopeViolation('licence L-12 allows area down to city, not street'));
  });

  it('refuses cities outside the row scope and periods outside the licence', () => {
    expect(
      check({ dataset: 'hotline-cases', filters: [{ dimension: 'area', level: 'city', in: ['320100'] }] }),
    ).toEqual(new ScopeViolation('licence L-12 covers cities 320500 only, not 320100'));
    expect(
      check({ dataset: 'hotline-cases', filters: [{ dimension: 'time', from: '2022-01-01', to: '2022-06-30' }] }),
    ).toEqual(
      new ScopeViolation('licence L-12 covers data from 2021-01-01 to 2021-12-31, not 2022-01-01 to 2022-06-30'),
    );
  });

  it('returns the row scope to push into SQL for a query within scope', () => {
    const sut = check({
      dataset: 'hotline-cases',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'quarter' },
      ],
      filters: [{ dimension: 'category', level: 'l1', in: ['ENV'] }],
    });
    expect(sut).toEqual({ cities: ['320500'], periodFrom: '2021-01-01', periodTo: '2021-12-31' });
  });
});

describe(wideningsOf.name, () => {
  it('accepts a narrowing and names every widening', () => {
    expect(wideningsOf(scope, { ...scope, dimensions: { time: 'year', area: 'city' } }, definition)).toEqual([]);
    const sut = wideningsOf(
      scope,
      {
        dataset: 'hotline-cases',
        dimensions: { time: 'day', kind: 'kind' },
        cities: ['320500', '320100'],
        periodFrom: '2020-01-01',
      },
      definition,
    );
    expect(sut).toEqual([
      'hotline-cases: time down to day is finer than the requested month',
      'hotline-cases: adds dimension kind',
      'hotline-cases: adds cities 320100',
      'hotline-cases: period starts before the requested 2021-01-01',
      'hotline-cases: period ends after the requested 2021-12-31',
    ]);
  });
});

describe(validateScope.name, () => {
  it('lists unknown dimensions and levels with the valid choices', () => {
    const sut = validateScope(
      { dataset: 'x', dimensions: { colour: 'red', area: 'village' }, periodFrom: '2021-13-45' },
      definition,
    );
    expect(sut).toEqual([
      'x: unknown dimension "colour" (valid: time, area, category, kind)',
      'x: dimension area has no level "village" (valid: province, city, district, street)',
      'x: periodFrom must be a date like 2021-01-01, got "2021-13-45"',
    ]);
  });
});

describe(parseLicenseId.name, () => {
  it.each([
    ['L-12', '12'],
    ['l-7', '7'],
    ['42', '42'],
    ['L-', undefined],
    ['12; DROP TABLE license', undefined],
  ])('%s -> %s', (input, expected) => expect(parseLicenseId(input)).toBe(expected));
});
