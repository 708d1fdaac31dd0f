import { FixedClock } from '../src/common/clock.js';
import { PRINCIPAL_DAILY_BUDGET, PUBLIC_DAILY_BUDGET } from '../src/disclosure/disclosure-settings.js';
import { licenceHolder, QueryBudgetService, queryFingerprint } from '../src/disclosure/query-budget.service.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { grantTestLicense } from './utils/grant-license.js';
import { registerTestCredentials } from './utils/test-credentials.js';

describe('disclosure budgets', () => {
  let t: TestApp;
  let sut: QueryBudgetService;
  const clock = new FixedClock(new Date('2027-03-01T04:00:00Z'));
  beforeAll(async () => {
    t = await createTestApp({}, { clock });
    registerTestCredentials(t.app);
    sut = t.app.get(QueryBudgetService);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 3000, seed: 77 });
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
    expect(await sut.chargeDistinctQuery(licenceHolder('L-901'), 'hotline-cases', a, 3)).toBe(2);
    expect(await sut.chargeDistinctQuery(licenceHolder('L-901'), 'hotline-cases', a, 3)).toBe(2);
    expect(await sut.chargeDistinctQuery(licenceHolder('L-901'), 'hotline-cases', queryFingerprint({ q: 2 }), 3)).toBe(
      1,
    );
    expect(await sut.chargeDistinctQuery(licenceHolder('L-901'), 'hotline-cases', queryFingerprint({ q: 3 }), 3)).toBe(
      0,
    );
    await expect(
      sut.chargeDistinctQuery(licenceHolder('L-901'), 'hotline-cases', queryFingerprint({ q: 4 }), 3),
    ).rejects.toMatchObject({
      extensions: { code: 'QUOTA_EXCEEDED', budgetRemaining: 0 },
    });
    // The refused query was not remembered: it is refused again, and a repeat of an old one still works.
    await expect(
      sut.chargeDistinctQuery(licenceHolder('L-901'), 'hotline-cases', queryFingerprint({ q: 4 }), 3),
    ).rejects.toMatchObject({ extensions: { code: 'QUOTA_EXCEEDED' } });
    expect(await sut.chargeDistinctQuery(licenceHolder('L-901'), 'hotline-cases', a, 3)).toBe(0);
    // Budgets are per licence and dataset.
    expect(await sut.chargeDistinctQuery(licenceHolder('L-902'), 'hotline-cases', queryFingerprint({ q: 4 }), 3)).toBe(
      2,
    );
  });

  it('spends epsilon and refuses a query that would overspend, stating what is left', async () => {
    expect(await sut.chargeEpsilon(licenceHolder('L-909'), 'hotline-cases', 0.4, 1)).toBeCloseTo(0.6);
    expect(await sut.chargeEpsilon(licenceHolder('L-909'), 'hotline-cases', 0.4, 1)).toBeCloseTo(0.2);
    const err = await sut.chargeEpsilon(licenceHolder('L-909'), 'hotline-cases', 0.4, 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ extensions: { code: 'QUOTA_EXCEEDED', budgetRemaining: 0.2, budgetKind: 'epsilon' } });
    expect((err as Error).message).toMatch(/only 0.2 of the privacy budget 1 is left/);
    expect(await sut.remaining(licenceHolder('L-909'), 'hotline-cases', 'epsilon', 1)).toBeCloseTo(0.2);
  });

  it('never overspends under concurrent charges', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        sut.chargeDistinctQuery(licenceHolder('L-903'), 'hotline-cases', queryFingerprint({ i }), 7),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    expect(await sut.remaining(licenceHolder('L-903'), 'hotline-cases', 'queries', 7)).toBe(0);
  });

  describe('by role', () => {
    const ask = async (
      token: string | undefined,
      dataset: string,
      month: number,
      extra: Record<string, unknown> = {},
    ) => {
      const res = await t.gql(
        `query($q: AggregateQueryInput!) { aggregate(query: $q) { disclosure { method budgetRemaining budgetScope note } } }`,
        {
          q: {
            dataset,
            measures: ['cases'],
            groupBy: [{ dimension: 'kind' }],
            filters: [{ dimension: 'time', level: 'month', in: [`2021-${String(month).padStart(2, '0')}`] }],
            ...extra,
          },
        },
        token,
      );
      return res.body as {
        data?: {
          aggregate: {
            disclosure: { method: string; budgetRemaining: number | null; budgetScope: string; note: string };
          };
        };
        errors?: { message: string; extensions: { code: string; budgetScope?: string } }[];
      };
    };

    it('charges the public per address and day, renews it at midnight in Asia/Shanghai, and says whose budget it is', async () => {
      clock.set(new Date('2027-03-02T04:00:00Z'));
      const first = (await ask(undefined, 'hotline-cases-open', 1)).data!.aggregate.disclosure;
      expect(first).toMatchObject({ method: 'cell-key', budgetRemaining: PUBLIC_DAILY_BUDGET - 1 });
      expect(first.budgetScope).toMatch(/^your address \(.+\) today$/);
      // A repeat is free; a new query is not.
      expect((await ask(undefined, 'hotline-cases-open', 1)).data!.aggregate.disclosure.budgetRemaining).toBe(
        PUBLIC_DAILY_BUDGET - 1,
      );
      for (let i = 0; i < PUBLIC_DAILY_BUDGET - 1; i++) {
        const month = 1 + (i % 12);
        const res = await ask(undefined, 'hotline-cases-open', month, { limit: 2 + Math.floor(i / 12) });
        expect(res.errors).toBeUndefined();
      }
      const refused = await ask(undefined, 'hotline-cases-open', 2, { limit: 90 });
      expect(refused.errors?.[0].extensions).toMatchObject({
        code: 'QUOTA_EXCEEDED',
        budgetScope: expect.stringMatching(/your address/),
      });
      expect(refused.errors?.[0].message).toMatch(/renews at midnight, Asia\/Shanghai time/);
      // The refusal is audited like any denial.
      const [denied] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE decision = 'denied' AND reason LIKE 'QUOTA_EXCEEDED%'`,
      );
      expect(denied.n).toBeGreaterThan(0);
      clock.set(new Date('2027-03-02T16:00:00Z')); // midnight in Asia/Shanghai
      expect(
        (await ask(undefined, 'hotline-cases-open', 2, { limit: 90 })).data!.aggregate.disclosure.budgetRemaining,
      ).toBe(PUBLIC_DAILY_BUDGET - 1);
      // Days that can no longer be charged are deleted.
      clock.set(new Date('2027-03-06T04:00:00Z'));
      await ask(undefined, 'hotline-cases-open', 3);
      const kept = await t.dataSource.query(
        `SELECT DISTINCT period FROM disclosure_query_seen WHERE period <> '' ORDER BY 1`,
      );
      expect(kept).toEqual([{ period: '2027-03-06' }]);
    });

    it("charges a signed-in principal per day on data it does not hold; a department's own cases and the steward are exact and free", async () => {
      clock.set(new Date('2027-03-10T04:00:00Z'));
      const department = 'test-department-320500-housing';
      const open = (await ask(department, 'hotline-cases-open', 1)).data!.aggregate.disclosure;
      expect(open).toMatchObject({ method: 'cell-key', budgetRemaining: PRINCIPAL_DAILY_BUDGET - 1 });
      expect(open.budgetScope).toMatch(/^you \(test-department-320500-housing\) today$/);
      const own = (await ask(department, 'hotline-cases', 1)).data!.aggregate.disclosure;
      expect(own).toMatchObject({ method: 'exact', budgetRemaining: null, budgetScope: null });
      expect(own.note).toMatch(/Exact values: you hold these records \(your department's own cases\)/);
      const steward = (await ask('test-steward', 'hotline-cases', 1)).data!.aggregate.disclosure;
      expect(steward).toMatchObject({ method: 'exact', budgetRemaining: null });
    });

    it("charges a licensee's distinct queries to the licence, for the licence's life", async () => {
      clock.set(new Date('2027-03-11T04:00:00Z'));
      const licenseId = await grantTestLicense(t, 'Budget test: cases by kind and month', [
        {
          dataset: 'hotline-cases',
          dimensions: [
            { dimension: 'kind', level: 'kind' },
            { dimension: 'time', level: 'month' },
          ],
        },
      ]);
      const first = (await ask('test-researcher', 'hotline-cases', 1, { licenseId })).data!.aggregate.disclosure;
      expect(first).toMatchObject({ method: 'cell-key', budgetRemaining: 1999, budgetScope: `licence ${licenseId}` });
      clock.set(new Date('2027-03-12T04:00:00Z'));
      const next = (await ask('test-researcher', 'hotline-cases', 2, { licenseId })).data!.aggregate.disclosure;
      expect(next.budgetRemaining).toBe(1998);
    });
  });
});
