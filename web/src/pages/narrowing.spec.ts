import type { LicenseScope } from '../api/types';
import { grantableLevels, narrowedScopes } from './narrowing';

const AREA = {
  code: 'area',
  levels: [{ code: 'province' }, { code: 'city' }, { code: 'district' }, { code: 'street' }],
};

const REQUESTED: LicenseScope[] = [
  {
    dataset: 'hotline-cases',
    dimensions: [
      { dimension: 'area', level: 'district' },
      { dimension: 'time', level: 'month' },
      { dimension: 'kind', level: 'kind' },
    ],
    cities: ['320500', '320100'],
    departments: null,
    periodFrom: '2021-01-01',
    periodTo: '2022-12-31',
  },
];

describe('licence narrowing (steward queue)', () => {
  it('offers the requested level and every coarser one, never a finer one', () => {
    expect(grantableLevels(AREA, 'district')).toEqual(['province', 'city', 'district']);
    expect(grantableLevels(AREA, 'province')).toEqual(['province']);
    expect(grantableLevels(undefined, 'kind')).toEqual(['kind']);
    expect(grantableLevels(AREA, 'unknown')).toEqual(['unknown']);
  });

  it('leaves the request unchanged when nothing was edited', () => {
    const out = narrowedScopes(REQUESTED, {});
    expect(out.changed).toBe(false);
    expect(out.problems).toEqual([]);
    expect(out.scopes).toEqual([
      {
        dataset: 'hotline-cases',
        dimensions: REQUESTED[0].dimensions,
        cities: ['320500', '320100'],
        periodFrom: '2021-01-01',
        periodTo: '2022-12-31',
      },
    ]);
  });

  it('coarsens a level, drops a dimension and a city, and shortens the period', () => {
    const out = narrowedScopes(REQUESTED, {
      'hotline-cases': {
        levels: { area: 'city', kind: null },
        cities: ['320500'],
        periodTo: '2021-12-31',
      },
    });
    expect(out.changed).toBe(true);
    expect(out.problems).toEqual([]);
    expect(out.scopes[0]).toEqual({
      dataset: 'hotline-cases',
      dimensions: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
      ],
      cities: ['320500'],
      periodFrom: '2021-01-01',
      periodTo: '2021-12-31',
    });
  });

  it('names what must be fixed: no dimension left, no city left, a period outside the request', () => {
    const out = narrowedScopes(REQUESTED, {
      'hotline-cases': {
        levels: { area: null, time: null, kind: null },
        cities: [],
        periodFrom: '2020-06-01',
        periodTo: '2023-01-31',
      },
    });
    expect(out.problems).toEqual([
      'hotline-cases: keep at least one dimension',
      'hotline-cases: keep at least one city',
      'hotline-cases: the period may not start before the requested 2021-01-01',
      'hotline-cases: the period may not end after the requested 2022-12-31',
    ]);
  });

  it('refuses a period that starts after it ends', () => {
    const out = narrowedScopes(REQUESTED, {
      'hotline-cases': { levels: {}, periodFrom: '2022-06-01', periodTo: '2022-01-31' },
    });
    expect(out.problems).toEqual(['hotline-cases: the period starts after it ends']);
  });
});
