import { ROLE_DEFINITIONS, ROLES } from '../src/access-policy/roles.js';
import { insertCases, insertReferenceData, insertTraffic } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { bootstrapSteward, createPrincipalWithKey } from './utils/identity.js';

const AGGREGATE = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) {
  columns rows { keys cells { measure value flags } } disclosure { method threshold budgetScope } licenseId } }`;

/**
 * Recipe: add a role (docs/architecture.md). The journalist role is one definition in
 * src/access-policy/roles.ts (`withoutLicence: { 'hotline-cases': { area: 'city' } }`) and one
 * migration (migrations/1764205300000-journalist-role.ts, the role CHECK constraint); nothing else
 * names it. A journalist reads the open dataset, and the restricted hotline-cases down to city level
 * without a licence, disclosure-controlled; nothing finer, no other restricted dataset, no licences.
 * test/authorization-matrix.e2e-spec.ts covers it on every root field.
 */
describe('the journalist role (recipe: add a role)', () => {
  let t: TestApp;
  let journalist: string;
  const q = (query: Record<string, unknown>) => t.gql(AGGREGATE, { q: query }, journalist);

  beforeAll(async () => {
    t = await createTestApp();
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 3000, seed: 7 });
    await insertTraffic(t.dataSource, 7, ['320500', '320100'], '2021-03-01', 3);
    const steward = await bootstrapSteward(t);
    // Through createPrincipal: the migration lets the principal table hold the new role.
    journalist = (await createPrincipalWithKey(t, steward.apiKey, 'journalist')).apiKey;
  });
  afterAll(async () => {
    await t.close();
  });

  it('is one definition: a principal role, with standing access to hotline-cases down to city', () => {
    expect(ROLES).toContain('journalist');
    expect(ROLE_DEFINITIONS.journalist.withoutLicence).toEqual({ 'hotline-cases': { area: 'city' } });
  });

  it('reads the open dataset', async () => {
    const res = await q({
      dataset: 'hotline-cases-open',
      measures: ['cases'],
      groupBy: [{ dimension: 'area', level: 'city' }],
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.aggregate.rows.length).toBeGreaterThan(0);
  });

  it('reads hotline-cases by city without a licence, disclosure-controlled, on its own daily budget', async () => {
    const res = await q({
      dataset: 'hotline-cases',
      measures: ['cases', 'avgHandlingDays'],
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
      ],
      filters: [{ dimension: 'area', level: 'city', in: ['320500'] }],
    });
    expect(res.body.errors).toBeUndefined();
    const answer = res.body.data.aggregate;
    expect(answer.licenseId).toBeNull();
    expect(answer.rows.length).toBeGreaterThan(0);
    expect(answer.rows.every((r: { keys: string[] }) => r.keys[0] === '320500')).toBe(true);
    // Not exact (only those who hold the records get exact values): the dataset's own method.
    const published = await t.gql(
      '{ dataset(slug: "hotline-cases") { disclosure { method threshold } } }',
      {},
      journalist,
    );
    expect(answer.disclosure.method).not.toBe('exact');
    expect(answer.disclosure).toMatchObject(published.body.data.dataset.disclosure);
    expect(answer.disclosure.budgetScope).toMatch(/^you \(/);
  });

  it('is refused anything finer than city, whether grouped or filtered (FORBIDDEN, naming the limit)', async () => {
    for (const query of [
      { dataset: 'hotline-cases', measures: ['cases'], groupBy: [{ dimension: 'area', level: 'district' }] },
      {
        dataset: 'hotline-cases',
        measures: ['cases'],
        filters: [{ dimension: 'area', level: 'street', in: ['320508001'] }],
      },
    ]) {
      const res = await q(query);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(res.body.errors[0].message).toMatch(
        /journalist.*hotline-cases allows area down to city, not (district|street)/,
      );
      expect(res.body.data?.aggregate ?? null).toBeNull();
    }
  });

  it('needs a licence for the other restricted datasets, and may not request one', async () => {
    const res = await q({ dataset: 'call-traffic', measures: ['callsOffered'] });
    expect(res.body.errors[0].extensions.code).toBe('LICENSE_REQUIRED');
    expect(res.body.errors[0].message).toMatch(/does not request licences/);
    const request = await t.gql(
      `mutation { requestLicense(input: { purpose: "A story on waiting times", validFrom: "2026-06-01", validTo: "2027-05-01", dailyQuota: 10,
        acceptObligations: ["no-reidentification", "no-onward-sharing", "cite-source", "report-publications"],
        datasets: [{ dataset: "call-traffic", dimensions: [{ dimension: "area", level: "city" }] }] }) { id } }`,
      {},
      journalist,
    );
    expect(request.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('gets the same over the HTTP routes: downloads by city, not by district; the catalog', async () => {
    const url = (ext: string, level: string) =>
      `/export/aggregate.${ext}?query=${encodeURIComponent(
        JSON.stringify({ dataset: 'hotline-cases', measures: ['cases'], groupBy: [{ dimension: 'area', level }] }),
      )}`;
    const auth = ['Authorization', `Bearer ${journalist}`] as const;
    const csv = await t
      .http()
      .get(url('csv', 'city'))
      .set(...auth)
      .expect(200);
    expect(csv.text).toMatch(/^area\.city,/m);
    await t
      .http()
      .get(url('json', 'city'))
      .set(...auth)
      .expect(200);
    const refused = await t
      .http()
      .get(url('json', 'district'))
      .set(...auth)
      .expect(403);
    expect(JSON.stringify(refused.body)).toMatch(/down to city, not district/);
    await t
      .http()
      .get('/catalog.jsonld')
      .set(...auth)
      .expect(200);
  });

  it('is told the same in yourAccess, derived from the same policy', async () => {
    const res = await t.gql('{ datasets { slug yourAccess } }', {}, journalist);
    const access = Object.fromEntries(
      (res.body.data.datasets as { slug: string; yourAccess: string }[]).map((d) => [d.slug, d.yourAccess]),
    );
    expect(access['hotline-cases-open']).toMatch(/^open: /);
    expect(access['hotline-cases']).toMatch(/^without a licence: area down to city \(the rest as published\)/);
    expect(access['call-traffic']).toBe('licence required: your role does not request licences');
  });

  it('records its queries in the audit log under its role, and reads its own events', async () => {
    const [row] = await t.dataSource.query<{ role: string; decision: string }[]>(
      `SELECT role, decision FROM audit_event WHERE operation = 'aggregate' AND dataset_slug = 'hotline-cases' ORDER BY id DESC LIMIT 1`,
    );
    expect(row).toEqual({ role: 'journalist', decision: 'denied' });
    const own = await t.gql('{ auditEvents(first: 50) { edges { node { role } } } }', {}, journalist);
    expect(own.body.errors).toBeUndefined();
    const roles = new Set(own.body.data.auditEvents.edges.map((e: { node: { role: string } }) => e.node.role));
    expect([...roles]).toEqual(['journalist']);
  });
});
