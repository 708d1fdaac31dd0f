import { createTestApp, TestApp } from './utils/create-test-app.js';
import { bootstrapSteward, createPrincipalWithKey, TestPrincipal } from './utils/identity.js';

/** Auditors turn the ids of the log into people and organizations: principals(ids:) and organizations(ids:). */
describe('principals and organizations by id', () => {
  let t: TestApp;
  let steward: TestPrincipal;
  let auditor: TestPrincipal;
  let researcher: TestPrincipal;

  beforeAll(async () => {
    t = await createTestApp();
    steward = await bootstrapSteward(t);
    auditor = await createPrincipalWithKey(t, steward.apiKey, 'auditor');
    researcher = await createPrincipalWithKey(t, steward.apiKey, 'researcher', { name: 'Lookup researcher' });
  });
  afterAll(async () => {
    await t.close();
  });

  const LOOKUP = `query($ids: [ID!]!) { principals(ids: $ids) { id name role createdAt disabledAt organization { id kind nameEn } }
    organizations(ids: $ids) { id kind nameEn } }`;

  it('refuses researchers (FORBIDDEN), so ids stay opaque to those who may not read the log', async () => {
    const res = await t.gql(LOOKUP, { ids: [steward.principalId] }, researcher.apiKey).expect(200);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('gives an auditor name, role, organization, created and disabled dates; unknown ids are left out; audited', async () => {
    await t
      .gql(
        `mutation($id: ID!) { disablePrincipal(id: $id, reason: "left") { id } }`,
        { id: researcher.principalId },
        steward.apiKey,
      )
      .expect(200);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const res = await t
      .gql(LOOKUP, { ids: [researcher.principalId, unknown, researcher.organizationId] }, auditor.apiKey)
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    const [p] = res.body.data.principals;
    expect(res.body.data.principals).toHaveLength(1);
    expect(p).toMatchObject({ id: researcher.principalId, name: 'Lookup researcher', role: 'researcher' });
    expect(p.organization.id).toBe(researcher.organizationId);
    expect(Date.parse(p.createdAt)).toBeLessThanOrEqual(Date.parse(p.disabledAt));
    expect(res.body.data.organizations).toEqual([
      { id: researcher.organizationId, kind: p.organization.kind, nameEn: p.organization.nameEn },
    ]);
    const events = await t.dataSource.query<{ operation: string; result_size: number }[]>(
      `SELECT operation, result_size FROM audit_event WHERE principal_id = $1 AND operation IN ('principals', 'organizations') ORDER BY seq`,
      [auditor.principalId],
    );
    expect(events).toEqual([
      { operation: 'principals', result_size: 1 },
      { operation: 'organizations', result_size: 1 },
    ]);
  });

  it('says what to fix for ids that are not ids, or too many', async () => {
    const bad = await t.gql(LOOKUP, { ids: ['L-1'] }, auditor.apiKey).expect(200);
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.body.errors[0].message).toMatch(/"L-1" is not an id; ids are UUIDs/);
    const many = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const tooMany = await t.gql(LOOKUP, { ids: many }, auditor.apiKey).expect(200);
    expect(tooMany.body.errors[0].message).toMatch(/give 1 to 100 ids, got 101/);
  });
});
