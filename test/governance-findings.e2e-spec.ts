import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap/create-app.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TEST_METRICS_TOKEN, TestApp } from './utils/create-test-app.js';
import { ALL_OBLIGATIONS, grantTestLicense } from './utils/grant-license.js';
import { bootstrapSteward, createPrincipalWithKey, TestPrincipal } from './utils/identity.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * Issue 17: each finding of the governance review, as a test that failed before its fix.
 * docs/security.md lists the findings, their fixes and these tests.
 */
const AGGREGATE = `query($q: AggregateQueryInput!) { aggregate(query: $q) { columns rows { keys } licenseId } }`;
const REQUEST = `mutation($i: RequestLicenseInput!) { requestLicense(input: $i) { id status } }`;
const APPROVE = `mutation($id: ID!) { approveLicense(id: $id) { id status decidedById firstApprovedById } }`;
const codeOf = (res: { body: { errors?: { extensions?: { code?: string } }[] } }) =>
  res.body.errors?.[0]?.extensions?.code;

const requestInput = (dimensions: { dimension: string; level: string }[]) => ({
  purpose: 'Four-eyes review of a licence request for hotline cases',
  datasets: [{ dataset: 'hotline-cases', dimensions }],
  validFrom: '2026-12-01',
  validTo: '2027-11-30',
  dailyQuota: 50,
  acceptObligations: ALL_OBLIGATIONS,
});

describe('governance findings (issue 17)', () => {
  let t: TestApp;
  let monthLicence: string;
  let noTimeLicence: string;

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 3000, seed: 1717 });
    monthLicence = await grantTestLicense(t, 'Monthly counts by city and kind for the governance review', [
      {
        dataset: 'hotline-cases',
        dimensions: [
          { dimension: 'time', level: 'month' },
          { dimension: 'area', level: 'city' },
          { dimension: 'kind', level: 'kind' },
        ],
      },
    ]);
    noTimeLicence = await grantTestLicense(t, 'Counts by city without any time detail, governance review', [
      { dataset: 'hotline-cases', dimensions: [{ dimension: 'area', level: 'city' }] },
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  const aggregate = (q: Record<string, unknown>, token = 'test-researcher') =>
    t.gql(AGGREGATE, { q: { dataset: 'hotline-cases', ...q } }, token);
  const exportCsv = (q: Record<string, unknown>) =>
    t
      .http()
      .get('/export/aggregate.csv')
      .query({ query: JSON.stringify({ dataset: 'hotline-cases', ...q }) })
      .set('Authorization', 'Bearer test-researcher');

  describe('licence scope', () => {
    it('a time range finer than the licence is refused, in GraphQL and in the CSV export (finding: time range gets round the licence)', async () => {
      for (const [from, to] of [
        ['2021-03-15T09', '2021-03-15T09'],
        ['2021-03-15', '2021-03-15'],
        ['2021-03-01', '2021-03-15'],
      ]) {
        const q = { licenseId: monthLicence, groupBy: [{ dimension: 'kind' }], measures: ['cases'] };
        const filters = [{ dimension: 'time', from, to }];
        const res = await aggregate({ ...q, filters });
        expect(codeOf(res)).toBe('OUT_OF_LICENSE_SCOPE');
        expect(res.body.errors[0].message).toMatch(/allows time down to month, so a time range must/);
        const csv = await exportCsv({ ...q, filters });
        expect(csv.status).toBe(403);
        expect(csv.body.error.code).toBe('OUT_OF_LICENSE_SCOPE');
      }
      // Whole months, written as months or as their first and last days, are within the licence.
      for (const [from, to] of [
        ['2021-03', '2021-05'],
        ['2021-03-01', '2021-05-31'],
      ]) {
        const res = await aggregate({
          licenseId: monthLicence,
          groupBy: [{ dimension: 'kind' }],
          filters: [{ dimension: 'time', from, to }],
          measures: ['cases'],
        });
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.aggregate.licenseId).toBe(monthLicence);
      }
    });

    it('persistentMonths needs a licence with time down to month (finding: analysis measures imply a time level)', async () => {
      const q = { groupBy: [{ dimension: 'area', level: 'city' }], measures: ['persistentMonths'] };
      const refused = await aggregate({ ...q, licenseId: noTimeLicence });
      expect(codeOf(refused)).toBe('OUT_OF_LICENSE_SCOPE');
      expect(refused.body.errors[0].message).toMatch(/does not allow you to use persistentMonths, which reads time/);
      const allowed = await aggregate({ ...q, licenseId: monthLicence });
      expect(allowed.body.errors).toBeUndefined();
    });
  });

  describe('audit of denials', () => {
    const eventsWithRequestId = async (id: string) =>
      t.dataSource.query<{ operation: string; decision: string; api_key_id: string | null; request_id: string }[]>(
        `SELECT operation, decision, api_key_id, request_id FROM audit_event WHERE request_id = $1 ORDER BY id`,
        [id],
      );

    it('four denied requests with one X-Request-Id leave four events, the id kept as data (finding: a client-chosen X-Request-Id hides denials)', async () => {
      const denied: [string, () => request.Test][] = [
        [
          'auditor-aggregate',
          () => t.gql(AGGREGATE, { q: { dataset: 'hotline-cases', measures: ['cases'] } }, 'test-auditor'),
        ],
        [
          'out-of-scope',
          () =>
            t.gql(
              AGGREGATE,
              {
                q: {
                  dataset: 'hotline-cases',
                  licenseId: monthLicence,
                  groupBy: [{ dimension: 'time', level: 'day' }],
                  measures: ['cases'],
                },
              },
              'test-researcher',
            ),
        ],
        ['bad-key-aggregate', () => t.gql(AGGREGATE, { q: { dataset: 'hotline-cases', measures: ['cases'] } }, 'nope')],
        ['researcher-steward-op', () => t.gql(`mutation { approveLicense(id: "L-1") { id } }`, {}, 'test-researcher')],
        ['bad-key-export', () => t.http().get('/export/aggregate.csv').set('Authorization', 'Bearer nope')],
        ['bad-key-catalog', () => t.http().get('/catalog.ttl').set('Authorization', 'Bearer nope')],
      ];
      for (const [name, send] of denied) {
        const id = `dup-${name}-0001`;
        for (let i = 0; i < 4; i++) {
          const res = await send().set('X-Request-Id', id);
          expect(res.headers['x-request-id']).toBe(id);
        }
        const events = await eventsWithRequestId(id);
        expect({ name, events: events.length }).toEqual({ name, events: 4 });
        expect(events.every((e) => e.decision === 'denied' && e.request_id === id)).toBe(true);
      }
    });

    it("a bad credential's event names the presented key's lookup id (finding: events for rejected keys do not say which key id was presented)", async () => {
      const holder = await createPrincipalWithKey(t, (await stewardOf(t)).apiKey, 'researcher', { name: 'Key holder' });
      const revokedKey = holder.apiKey;
      const lookupId = revokedKey.slice(4, 16);
      const revoke = await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: lookupId }, revokedKey);
      expect(revoke.body.errors).toBeUndefined();
      const res = await t.gql('{ me { principal { id } } }', {}, revokedKey).set('X-Request-Id', 'revoked-key-0001');
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
      const events = await eventsWithRequestId('revoked-key-0001');
      expect(events).toEqual([
        { operation: 'me', decision: 'denied', api_key_id: lookupId, request_id: 'revoked-key-0001' },
      ]);
    });

    it("a refused revokeApiKey of someone else's key leaves one event (finding: refused revokeApiKey leaves no event)", async () => {
      const steward = await createPrincipalWithKey(t, (await stewardOf(t)).apiKey, 'steward', { name: 'S keys' });
      const alice = await createPrincipalWithKey(t, steward.apiKey, 'researcher', { name: 'Alice' });
      const bob = await createPrincipalWithKey(t, steward.apiKey, 'researcher', { name: 'Bob' });
      const bobKeyId = bob.apiKey.slice(4, 16);
      const res = await t
        .gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: bobKeyId }, alice.apiKey)
        .set('X-Request-Id', 'revoke-other-0001');
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(await eventsWithRequestId('revoke-other-0001')).toEqual([
        {
          operation: 'revokeApiKey',
          decision: 'denied',
          api_key_id: alice.apiKey.slice(4, 16),
          request_id: 'revoke-other-0001',
        },
      ]);
      expect((await t.gql('{ me { principal { id } } }', {}, bob.apiKey)).body.errors).toBeUndefined();
    });
  });

  describe('four eyes and disabled principals', () => {
    let first: TestPrincipal;
    let second: TestPrincipal;
    let researcher: TestPrincipal;

    beforeAll(async () => {
      first = await stewardOf(t);
      second = await createPrincipalWithKey(t, first.apiKey, 'steward', { name: 'Second steward' });
      researcher = await createPrincipalWithKey(t, first.apiKey, 'researcher', { name: 'Researcher of S1' });
    });

    it('a steward may not approve a licence for an account it created or keyed (finding: one steward can approve a licence for an identity that steward controls)', async () => {
      const requested = await t.gql(
        REQUEST,
        { i: requestInput([{ dimension: 'area', level: 'city' }]) },
        researcher.apiKey,
      );
      const id = requested.body.data.requestLicense.id as string;
      const byCreator = await t.gql(APPROVE, { id }, first.apiKey).set('X-Request-Id', 'four-eyes-0001');
      expect(codeOf(byCreator)).toBe('FORBIDDEN');
      expect(byCreator.body.errors[0].message).toMatch(/you created the account of its licensee/);
      // The refusal is audited once.
      const refusals = await t.dataSource.query(`SELECT decision FROM audit_event WHERE request_id = 'four-eyes-0001'`);
      expect(refusals).toEqual([{ decision: 'denied' }]);
      // A steward who only minted the licensee's key is refused too.
      const keyed = await createPrincipalWithKey(t, first.apiKey, 'researcher', { name: 'Keyed by S2' });
      const extra = await t.gql(
        `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey } }`,
        { i: { name: 'second', principalId: keyed.principalId } },
        second.apiKey,
      );
      const keyedRequest = await t.gql(
        REQUEST,
        { i: requestInput([{ dimension: 'area', level: 'city' }]) },
        extra.body.data.createApiKey.apiKey,
      );
      const byKeyer = await t.gql(APPROVE, { id: keyedRequest.body.data.requestLicense.id }, second.apiKey);
      expect(codeOf(byKeyer)).toBe('FORBIDDEN');
      expect(byKeyer.body.errors[0].message).toMatch(/you issued an API key of its licensee/);
      // Another steward may.
      const byOther = await t.gql(APPROVE, { id }, second.apiKey);
      expect(byOther.body.errors).toBeUndefined();
      expect(byOther.body.data.approveLicense).toMatchObject({ status: 'active', decidedById: second.principalId });
    });

    it('disablePrincipal cuts off every key at once, on every instance, until enablePrincipal (finding: no way to disable a principal)', async () => {
      const target = await createPrincipalWithKey(t, first.apiKey, 'researcher', { name: 'To be disabled' });
      const ME = '{ me { principal { id } } }';
      // A second gateway instance on the same database.
      const otherData: DataSource = createDataSource(t.dbUrl, { poolSize: 2 });
      await otherData.initialize();
      const other: INestApplication = await createApp(t.config, otherData);
      await other.init();
      try {
        const onOther = () =>
          request(other.getHttpServer())
            .post('/graphql')
            .set('Authorization', `Bearer ${target.apiKey}`)
            .send({ query: ME });
        expect((await onOther()).body.errors).toBeUndefined();
        const denied = await t.gql(
          `mutation($id: ID!) { disablePrincipal(id: $id) { id } }`,
          { id: target.principalId },
          researcher.apiKey,
        );
        expect(codeOf(denied)).toBe('FORBIDDEN');
        const self = await t.gql(
          `mutation($id: ID!) { disablePrincipal(id: $id) { id } }`,
          { id: first.principalId },
          first.apiKey,
        );
        expect(codeOf(self)).toBe('FORBIDDEN');
        const disabled = await t.gql(
          `mutation($id: ID!) { disablePrincipal(id: $id, reason: "left the university") { id disabledAt } }`,
          { id: target.principalId },
          first.apiKey,
        );
        expect(disabled.body.data.disablePrincipal.disabledAt).toEqual(expect.any(String));
        expect(codeOf(await t.gql(ME, {}, target.apiKey))).toBe('UNAUTHENTICATED');
        // The portal's steward admin shows its buttons when the schema offers both mutations.
        const offered = await t.gql('{ __type(name: "Mutation") { fields { name } } }', {}, first.apiKey);
        const names = (offered.body.data.__type.fields as { name: string }[]).map((f) => f.name);
        expect(names).toEqual(expect.arrayContaining(['disablePrincipal', 'enablePrincipal']));
        expect(codeOf(await onOther())).toBe('UNAUTHENTICATED');
        const enabled = await t.gql(
          `mutation($id: ID!) { enablePrincipal(id: $id) { disabledAt } }`,
          { id: target.principalId },
          second.apiKey,
        );
        expect(enabled.body.data.enablePrincipal.disabledAt).toBeNull();
        expect((await onOther()).body.errors).toBeUndefined();
        const audited = await t.dataSource.query(
          `SELECT operation, decision, reason FROM audit_event WHERE target = $1 AND operation IN ('disablePrincipal', 'enablePrincipal') ORDER BY id`,
          [`principal:${target.principalId}`],
        );
        expect(audited).toEqual([
          { operation: 'disablePrincipal', decision: 'allowed', reason: 'left the university' },
          { operation: 'enablePrincipal', decision: 'allowed', reason: null },
        ]);
      } finally {
        await other.close();
        if (otherData.isInitialized) await otherData.destroy();
      }
    });
  });

  describe('edge', () => {
    it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy, even from loopback (finding: X-Forwarded-For is trusted from loopback)', async () => {
      await t
        .gql(
          '{ aggregate(query: { dataset: "hotline-cases", measures: ["cases"] }) { licenseId } }',
          {},
          'test-auditor',
        )
        .set('X-Forwarded-For', '203.0.113.77')
        .set('X-Request-Id', 'forwarded-0001');
      const [event] = await t.dataSource.query<{ client_address: string }[]>(
        `SELECT client_address FROM audit_event WHERE request_id = 'forwarded-0001'`,
      );
      expect(event.client_address).not.toContain('203.0.113.77');
      expect(event.client_address).toMatch(/127\.0\.0\.1|::1/);
    });

    it('/metrics needs METRICS_TOKEN and labels operations by schema field only (finding: /metrics is open and its labels can be filled by callers)', async () => {
      expect((await t.http().get('/metrics')).status).toBe(401);
      expect((await t.http().get('/metrics').set('Authorization', 'Bearer test-steward')).status).toBe(401);
      for (let i = 0; i < 5; i++) await t.gql(`query Flood${i}x { datasets { slug } }`);
      await t.gql(`{ noSuchField }`);
      const res = await t.http().get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`).expect(200);
      expect(res.text).not.toMatch(/Flood/);
      const labels = new Set(
        [...res.text.matchAll(/hgw_graphql_operations_total\{operation="([^"]+)"/g)].map((m) => m[1]),
      );
      const fields = await t.gql('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }');
      const known = new Set<string>(['multiple', 'other', 'invalid', '__schema', '__type', '__typename']);
      for (const root of ['queryType', 'mutationType'] as const) {
        for (const f of fields.body.data.__schema[root].fields as { name: string }[]) known.add(f.name);
      }
      expect(labels).toContain('datasets');
      for (const label of labels) expect(known).toContain(label);
    });

    it('/metrics is off without METRICS_TOKEN', async () => {
      const bare = await createTestApp({ METRICS_TOKEN: '' });
      try {
        const res = await bare.http().get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(/set METRICS_TOKEN/);
      } finally {
        await bare.close();
      }
    });

    it('stewards may not read audit events, as the docs say (finding: docs say stewards read all audit events)', async () => {
      const res = await t.gql('{ auditEvents { edges { node { id } } } }', {}, 'test-steward');
      expect(codeOf(res)).toBe('FORBIDDEN');
      const verify = await t.gql('{ auditIntegrity { ok } }', {}, 'test-steward');
      expect(verify.body.data.auditIntegrity.ok).toBe(true);
    });
  });

  describe('GraphQL edge', () => {
    it('counts __typename aliases: 101 of them are refused (finding: alias overloading)', async () => {
      const aliases = Array.from({ length: 101 }, (_, i) => `a${i}: __typename`).join(' ');
      const res = await t.gql(`{ ${aliases} }`).expect(400);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expect(res.body.errors[0].message).toMatch(/aliases/i);
    });

    it('refuses duplicated directives with one error (finding: directive overloading)', async () => {
      const directives = Array.from({ length: 10 }, () => '@aa').join(' ');
      const res = await t.gql(`{ __typename ${directives} }`).expect(400);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expect(res.body.errors[0].message).toMatch(/Directive @aa is repeated 10 times/);
      const known = await t.gql(`{ __typename @include(if: true) @include(if: true) }`).expect(400);
      expect(known.body.errors).toHaveLength(1);
    });

    it('stops validating after a bounded number of errors', async () => {
      const fields = Array.from({ length: 60 }, (_, i) => `f${i}`).join(' ');
      const res = await t.gql(`{ ${fields} }`).expect(400);
      expect(res.body.errors.length).toBeLessThanOrEqual(11);
      expect(res.body.errors.at(-1).message).toMatch(/Too many validation errors/);
    });

    it('keeps introspection on for the open catalog, and GRAPHQL_INTROSPECTION=false turns it off', async () => {
      const on = await t.gql('{ __schema { queryType { name } } }');
      expect(on.body.data.__schema.queryType.name).toBe('Query');
      const closed = await createTestApp({ GRAPHQL_INTROSPECTION: 'false' });
      try {
        const off = await closed.gql('{ __schema { queryType { name } } }');
        expect(off.body.data).toBeUndefined();
        expect(off.body.errors[0].message).toMatch(/introspection/i);
        expect((await closed.gql('{ datasets { slug } }')).body.errors).toBeUndefined();
      } finally {
        await closed.close();
      }
    });
  });
});

describe('two stewards for fine licences (LICENSE_SECOND_APPROVAL=fine)', () => {
  let t: TestApp;
  let first: TestPrincipal;
  let second: TestPrincipal;
  let third: TestPrincipal;
  let researcher: TestPrincipal;
  beforeAll(async () => {
    t = await createTestApp({ LICENSE_SECOND_APPROVAL: 'fine' });
    first = await bootstrapSteward(t);
    second = await createPrincipalWithKey(t, first.apiKey, 'steward', { name: 'Second steward' });
    third = await createPrincipalWithKey(t, first.apiKey, 'steward', { name: 'Third steward' });
    researcher = await createPrincipalWithKey(t, first.apiKey, 'researcher');
  });
  afterAll(async () => {
    await t.close();
  });

  it('a licence down to street needs two distinct stewards; a coarse one needs one', async () => {
    const fine = await t.gql(REQUEST, { i: requestInput([{ dimension: 'area', level: 'street' }]) }, researcher.apiKey);
    const id = fine.body.data.requestLicense.id as string;
    const once = await t.gql(APPROVE, { id }, second.apiKey);
    expect(once.body.data.approveLicense).toMatchObject({ status: 'requested', firstApprovedById: second.principalId });
    const again = await t.gql(APPROVE, { id }, second.apiKey);
    expect(codeOf(again)).toBe('FORBIDDEN');
    expect(again.body.errors[0].message).toMatch(/needs a second steward's approval; you gave the first/);
    const twice = await t.gql(APPROVE, { id }, third.apiKey);
    expect(twice.body.data.approveLicense).toMatchObject({ status: 'active', decidedById: third.principalId });
    const coarse = await t.gql(REQUEST, { i: requestInput([{ dimension: 'area', level: 'city' }]) }, researcher.apiKey);
    const single = await t.gql(APPROVE, { id: coarse.body.data.requestLicense.id }, second.apiKey);
    expect(single.body.data.approveLicense.status).toBe('active');
  });
});

/** The first steward of a test app, bootstrapped once per app. */
const stewards = new WeakMap<TestApp, Promise<TestPrincipal>>();
function stewardOf(t: TestApp): Promise<TestPrincipal> {
  let s = stewards.get(t);
  if (!s) stewards.set(t, (s = bootstrapSteward(t, 'First steward')));
  return s;
}
