import { queryFingerprint } from './query-budget.service.js';

describe(queryFingerprint.name, () => {
  const query = {
    dataset: 'hotline-cases',
    groupBy: [
      { dimension: 'area', level: 'city' },
      { dimension: 'time', level: 'month' },
    ],
    measures: ['cases', 'avgHandlingDays'],
    filters: [
      { dimension: 'time', from: '2021-01', to: null },
      { dimension: 'channel', level: 'channel', in: ['phone', 'web'] },
    ],
    orderBy: [{ field: 'cases', direction: 'DESC' }],
    limit: null,
    licenseId: undefined,
  };

  it('is the name budgets already hold for a query (stored charges stay valid across versions)', () => {
    expect(queryFingerprint(query)).toBe('993d42bbd9d8fa551cdbe08db33bd3da97a61c855ff2a8466fb860b785bf64a1');
  });

  it('ignores key order and null or absent options, not values', () => {
    const reordered = {
      limit: undefined,
      orderBy: [{ direction: 'DESC', field: 'cases' }],
      filters: [
        { to: undefined, from: '2021-01', dimension: 'time' },
        { in: ['phone', 'web'], level: 'channel', dimension: 'channel' },
      ],
      measures: ['cases', 'avgHandlingDays'],
      groupBy: query.groupBy,
      dataset: 'hotline-cases',
    };
    expect(queryFingerprint(reordered)).toBe(queryFingerprint(query));
    expect(queryFingerprint({ ...query, measures: ['avgHandlingDays', 'cases'] })).not.toBe(queryFingerprint(query));
    expect(queryFingerprint({ ...query, limit: 10 })).not.toBe(queryFingerprint(query));
  });
});
