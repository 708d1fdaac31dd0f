import { countRoundTrips, roundTripsSince, roundTripsSoFar } from '../bench/round-trip-counter.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { ALL_OBLIGATIONS } from './utils/grant-license.js';
import { bootstrapSteward, createPrincipalWithKey, TestPrincipal } from './utils/identity.js';

/**
 * The database round trips of a governed request, pinned (docs/performance.md, "Round trips per
 * request"): a licensed researcher's aggregate with a real API key reads its key, principal and
 * licences (one statement), charges the licence's daily quota and the distinct-query budget, reads
 * the rollups on a cache miss and appends its audit event: one statement each, none in an explicit
 * transaction. A statement more on this path fails here; so does a BEGIN ... COMMIT. The licence
 * read with the key is still read on every request: a suspension refuses the very next one.
 */
describe('database round trips of a licensed researcher', () => {
  let t: TestApp;
  let approver: TestPrincipal;
  let researcher: TestPrincipal;
  let licenseId: string;

  beforeAll(async () => {
    // No periodic checkpoint in the middle of a counted request.
    t = await createTestApp({ AUDIT_CHECKPOINT_SECONDS: '86400' });
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 500, seed: 31 });
    const steward = await bootstrapSteward(t);
    // Four eyes: the steward who created the researcher's account may not approve its licence.
    approver = await createPrincipalWithKey(t, steward.apiKey, 'steward', { name: 'Approver' });
    researcher = await createPrincipalWithKey(t, steward.apiKey, 'researcher');
    const requested = await t
      .gql(
        `mutation($i: RequestLicenseInput!) { requestLicense(input: $i) { id } }`,
        {
          i: {
            purpose: 'Round trips: cases by city and month',
            datasets: [
              {
                dataset: 'hotline-cases',
                dimensions: [
                  { dimension: 'area', level: 'city' },
                  { dimension: 'time', level: 'month' },
                ],
              },
            ],
            validFrom: '2026-01-01',
            validTo: '2028-12-31',
            dailyQuota: 1000,
            acceptObligations: ALL_OBLIGATIONS,
          },
        },
        researcher.apiKey,
      )
      .expect(200);
    expect(requested.body.errors).toBeUndefined();
    licenseId = requested.body.data.requestLicense.id as string;
    const approved = await t
      .gql(`mutation { approveLicense(id: "${licenseId}") { status } }`, {}, approver.apiKey)
      .expect(200);
    expect(approved.body.data.approveLicense.status).toBe('active');
    countRoundTrips();
  });
  afterAll(async () => {
    await t.close();
  });

  const aggregate = (groupBy: string) =>
    t
      .gql(
        `{ aggregate(query: { dataset: "hotline-cases", licenseId: "${licenseId}", measures: ["cases"], groupBy: [${groupBy}] }) { licenseId rows { keys } disclosure { budgetRemaining } auditEventId } }`,
        {},
        researcher.apiKey,
      )
      .expect(200);

  /** What the request path sends, by step; process-wide reads with a TTL of their own are left out. */
  const STEPS: [string, RegExp][] = [
    ['key, principal, organization and licences', /FROM api_key k JOIN principal p/],
    ['licence on its own', /FROM "license"/],
    ['daily quota', /INSERT INTO license_usage/],
    ['distinct-query budget', /disclosure_charge_query|disclosure_query_seen|disclosure_budget/],
    ['rollups', /WITH hgw_v AS MATERIALIZED/],
    ['audit', /audit_append/],
    ['last use of the key (once a minute)', /UPDATE api_key SET last_used_at/],
  ];
  /** The published catalogue (1 s) and the member directory (10 s) are read again after their TTL, by any request. */
  const SHARED = [
    /FROM "dataset"/,
    /FROM rollup_state$/,
    /FROM (area|category|department|topic_vocabulary|rollup_cases_day_city)\b/,
  ];

  async function counted(groupBy: string) {
    const before = roundTripsSoFar();
    const res = await aggregate(groupBy);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.aggregate.licenseId).toBe(licenseId);
    const d = roundTripsSince(before);
    const steps: Record<string, number> = {};
    const other: string[] = [];
    let shared = 0;
    for (const [text, n] of d.byStatement) {
      const step = STEPS.find(([, re]) => re.test(text))?.[0];
      if (step) steps[step] = (steps[step] ?? 0) + n;
      else if (SHARED.some((re) => re.test(text))) shared += n;
      else other.push(`${n} x ${text}`);
    }
    return { steps, other, explicit: d.explicit, onPath: d.roundTrips - shared };
  }

  it('one statement per step, no explicit transaction: 5 round trips on a cache miss, 4 on a hit', async () => {
    // Warm-up: the first request of a key records its last use, and loads the catalogue and members.
    await aggregate(`{ dimension: "time", level: "month" }`);

    const miss = await counted(`{ dimension: "area", level: "city" }`);
    expect(miss.other).toEqual([]);
    expect(miss.steps).toEqual({
      'key, principal, organization and licences': 1,
      'daily quota': 1,
      'distinct-query budget': 1,
      rollups: 1,
      audit: 1,
    });
    expect(miss.explicit).toBe(0);
    expect(miss.onPath).toBe(5);

    // The same question again: the result cache answers, the budget charge finds a repeat (free).
    const hit = await counted(`{ dimension: "area", level: "city" }`);
    expect(hit.other).toEqual([]);
    expect(hit.steps).toEqual({
      'key, principal, organization and licences': 1,
      'daily quota': 1,
      'distinct-query budget': 1,
      audit: 1,
    });
    expect(hit.explicit).toBe(0);
    expect(hit.onPath).toBe(4);
  });

  it('refuses the very next request once the licence is suspended, and serves it again once reinstated', async () => {
    const decide = async (mutation: string) => {
      const res = await t
        .gql(
          `mutation { ${mutation}(id: "${licenseId}", input: { reason: "checking" }) { status } }`,
          {},
          approver.apiKey,
        )
        .expect(200);
      expect(res.body.errors).toBeUndefined();
    };
    await decide('suspendLicense');
    const suspended = await aggregate(`{ dimension: "area", level: "city" }`);
    expect(suspended.body.errors[0].extensions).toMatchObject({ code: 'LICENSE_INACTIVE', status: 'suspended' });
    // Without a licence named, a suspended one is not picked.
    const unnamed = await t
      .gql(
        `{ aggregate(query: { dataset: "hotline-cases", measures: ["cases"], groupBy: [{ dimension: "area", level: "city" }] }) { licenseId } }`,
        {},
        researcher.apiKey,
      )
      .expect(200);
    expect(unnamed.body.errors[0].extensions.code).toBe('LICENSE_REQUIRED');
    await decide('reinstateLicense');
    const reinstated = await t
      .gql(
        `{ aggregate(query: { dataset: "hotline-cases", measures: ["cases"], groupBy: [{ dimension: "area", level: "city" }] }) { licenseId } }`,
        {},
        researcher.apiKey,
      )
      .expect(200);
    expect(reinstated.body.errors).toBeUndefined();
    expect(reinstated.body.data.aggregate.licenseId).toBe(licenseId);
    // Another principal's licence is not the researcher's to name, whether it exists or not.
    const other = await t
      .gql(
        `{ aggregate(query: { dataset: "hotline-cases", licenseId: "L-999999", measures: ["cases"], groupBy: [{ dimension: "area", level: "city" }] }) { licenseId } }`,
        {},
        researcher.apiKey,
      )
      .expect(200);
    expect(other.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
