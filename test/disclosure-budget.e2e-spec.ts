import { licenceHolder, QueryBudgetService, queryFingerprint } from '../src/disclosure/query-budget.service.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';

describe('disclosure budgets', () => {
  let t: TestApp;
  let sut: QueryBudgetService;
  beforeAll(async () => {
    t = await createTestApp();
    sut = t.app.get(QueryBudgetService);
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts distinct queries only: a repeated or reordered query is free', async () => {
    const a = queryFingerprint({
      dataset: 'hotline-cases',
      measures: ['cases'],
      groupBy: [{ dimension: 'area', level: 'city' }],
    });
    const same = queryFingerprint({
      groupBy: [{ level: 'city', dimension: 'area' }],
      measures: ['cases'],
      dataset: 'hotline-cases',
    });
    expect(same).toBe(a);
    expect(await sut.chargeDistinctQuery(licenceHolder('L-1'), 'hotline-cases', a, 3)).toBe(2);
    expect(await sut.chargeDistinctQuery(licenceHolder('L-1'), 'hotline-cases', a, 3)).toBe(2);
    expect(await sut.chargeDistinctQuery(licenceHolder('L-1'), 'hotline-cases', queryFingerprint({ q: 2 }), 3)).toBe(1);
    expect(await sut.chargeDistinctQuery(licenceHolder('L-1'), 'hotline-cases', queryFingerprint({ q: 3 }), 3)).toBe(0);
    await expect(
      sut.chargeDistinctQuery(licenceHolder('L-1'), 'hotline-cases', queryFingerprint({ q: 4 }), 3),
    ).rejects.toMatchObject({
      extensions: { code: 'QUOTA_EXCEEDED', budgetRemaining: 0 },
    });
    // The refused query was not remembered: it is refused again, and a repeat of an old one still works.
    await expect(
      sut.chargeDistinctQuery(licenceHolder('L-1'), 'hotline-cases', queryFingerprint({ q: 4 }), 3),
    ).rejects.toBeDefined();
    expect(await sut.chargeDistinctQuery(licenceHolder('L-1'), 'hotline-cases', a, 3)).toBe(0);
    // Budgets are per licence and dataset.
    expect(await sut.chargeDistinctQuery(licenceHolder('L-2'), 'hotline-cases', queryFingerprint({ q: 4 }), 3)).toBe(2);
  });

  it('spends epsilon and refuses a query that would overspend, stating what is left', async () => {
    expect(await sut.chargeEpsilon(licenceHolder('L-9'), 'hotline-cases', 0.4, 1)).toBeCloseTo(0.6);
    expect(await sut.chargeEpsilon(licenceHolder('L-9'), 'hotline-cases', 0.4, 1)).toBeCloseTo(0.2);
    const err = await sut.chargeEpsilon(licenceHolder('L-9'), 'hotline-cases', 0.4, 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ extensions: { code: 'QUOTA_EXCEEDED', budgetRemaining: 0.2, budgetKind: 'epsilon' } });
    expect((err as Error).message).toMatch(/only 0.2 of the privacy budget 1 is left/);
    expect(await sut.remaining(licenceHolder('L-9'), 'hotline-cases', 'epsilon', 1)).toBeCloseTo(0.2);
  });

  it('never overspends under concurrent charges', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        sut.chargeDistinctQuery(licenceHolder('L-3'), 'hotline-cases', queryFingerprint({ i }), 7),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    expect(await sut.remaining(licenceHolder('L-3'), 'hotline-cases', 'queries', 7)).toBe(0);
  });
});
