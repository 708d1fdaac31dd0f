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

describe(`${checkQueryScope.name}: time ranges and measures`, () => {
  const check = (query: Parameters<typeof checkQueryScope>[3]) => checkQueryScope('L-12', scope, definition, query);
  const range = (from: string | null, to: string | null) => ({
    dataset: 'hotline-cases',
    groupBy: [{ dimension: 'kind' }],
    filters: [{ dimension: 'time', from, to }],
  });
  const wide = { ...scope, dimensions: { ...scope.dimensions, kind: 'kind' } };
  const checkWide = (query: Parameters<typeof checkQueryScope>[3]) => checkQueryScope('L-12', wide, definition, query);

  it('a time range finer than the licence is refused (finding: time range gets round the licence)', () => {
    expect(checkWide(range('2021-03-15T09', '2021-03-15T09'))).toEqual(
      new ScopeViolation(
        'licence L-12 allows time down to month, so a time range must start on a whole month (or coarser period), not at from "2021-03-15T09"; e.g. use month codes for from and to',
      ),
    );
    expect(checkWide(range('2021-03-15', '2021-03-15'))).toBeInstanceOf(ScopeViolation);
    expect(checkWide(range('2021-03-01', '2021-03-15'))).toBeInstanceOf(ScopeViolation);
    expect(checkWide(range(null, '2021-03-15'))).toBeInstanceOf(ScopeViolation);
    // ISO week 2021-W10 starts on Monday 8 March: not a month boundary.
    expect(checkWide(range('2021-W10', null))).toBeInstanceOf(ScopeViolation);
  });

  it('a time range on the licence level, or on its boundaries, is allowed', () => {
    for (const [from, to] of [
      ['2021-03', '2021-05'],
      ['2021-03-01', '2021-05-31'],
      ['2021-03-01T00', '2021-03-31T23'],
      ['2021', '2021-Q2'],
      ['2021-03', null],
      [null, '2021-05-31'],
    ] as const) {
      expect(checkWide(range(from, to))).not.toBeInstanceOf(ScopeViolation);
    }
  });

  it('a measure that reads months needs a licence down to month (finding: analysis measures imply a time level)', () => {
    const persistent = {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'area', level: 'city' }],
      implied: [{ dimension: 'time', level: 'month', measure: 'persistentMonths' }],
    };
    expect(check(persistent)).not.toBeInstanceOf(ScopeViolation);
    const noTime = { ...scope, dimensions: { area: 'city' } };
    expect(checkQueryScope('L-12', noTime, definition, persistent)).toEqual(
      new ScopeViolation('licence L-12 does not allow you to use persistentMonths, which reads time (it allows area)'),
    );
    const quarters = { ...scope, dimensions: { area: 'city', time: 'quarter' } };
    expect(checkQueryScope('L-12', quarters, definition, persistent)).toEqual(
      new ScopeViolation('licence L-12 allows time down to quarter, not month (persistentMonths reads time by month)'),
    );
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
