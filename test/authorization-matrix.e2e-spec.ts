import { GraphQLSchemaHost } from '@nestjs/graphql';
import { ModulesContainer } from '@nestjs/core';
import { ALLOW_KEY } from '../src/access-policy/allow.decorator.js';
import { PERMISSIONS } from '../src/access-policy/permissions.js';
import { generateApiKey } from '../src/principals/api-key-format.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { bootstrapSteward, createPrincipalWithKey } from './utils/identity.js';

/**
 * Every root field against every kind of caller, with the expected answer or error code.
 *
 * Adding a root field means adding one line to MATRIX; the test fails while a field of the
 * schema has no line. Callers with bad credentials (revoked, expired, malformed, wrong
 * checksum, unknown key) must get UNAUTHENTICATED on every field, so they are not repeated
 * per line. `researcher` holds no licence: licences do not exist yet on this branch; the
 * licensing feature adds a `licensedResearcher` caller. `journalist` is the role added by the
 * recipe in docs/architecture.md ("Recipe: add a role"): it reads hotline-cases down to city level
 * without a licence (the `aggregate` line groups by city).
 */
/** `hidden`: no error, and the field is null (a row the caller may not see looks like no row). */
type Outcome = 'ok' | 'hidden' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'BAD_USER_INPUT' | 'LICENSE_REQUIRED';
type GoodCaller = 'public' | 'researcher' | 'licensedResearcher' | 'department' | 'steward' | 'auditor' | 'journalist';
type BadCaller = 'revokedKey' | 'expiredKey' | 'malformedToken' | 'wrongChecksum' | 'unknownKey';
type Caller = GoodCaller | BadCaller;

interface Row {
  field: string;
  operation: string;
  expect: Record<GoodCaller, Outcome>;
}

const ctx = {
  stewardKeyId: '',
  researcherLicense: '',
  toApprove: '',
  toReject: '',
  toSuspend: '',
  toReinstate: '',
  toRevoke: '',
  principalToToggle: '',
};
const reason = 'input: { reason: "matrix decision" }';
/** A licensed researcher is a researcher unless the line says otherwise. */
const row = (
  field: string,
  operation: string,
  expect: Omit<Record<GoodCaller, Outcome>, 'licensedResearcher'> & { licensedResearcher?: Outcome },
): Row => ({
  field,
  operation,
  expect: { ...expect, licensedResearcher: expect.licensedResearcher ?? expect.researcher },
});
const LICENSE_REQUEST = `{ purpose: "Matrix: repeat complaints by district and month", validFrom: "2026-06-01", validTo: "2029-05-01", dailyQuota: 100,
  acceptObligations: ["no-reidentification", "no-onward-sharing", "cite-source", "report-publications"],
  datasets: [{ dataset: "hotline-cases", dimensions: [{ dimension: "area", level: "district" }, { dimension: "time", level: "month" }] }] }`;
const PUBLISH = `{ slug: "matrix-open", titleZh: "矩阵", titleEn: "Matrix", descriptionZh: "测试", descriptionEn: "Test", publisher: "Data office",
  versionDate: "2022-01-01", classification: "open", termsOfUse: "Cite the source.", source: "cases",
  dimensions: [{ dimension: "area", levels: ["province", "city"] }], measures: ["cases"], disclosureMethod: "cell-key", disclosureThreshold: 20 }`;
let n = 0;
const uniqueName = () => `Matrix principal ${++n}`;

// prettier-ignore
const MATRIX: (() => Row)[] = [
  () => row('me', '{ me { principal { id } } }', { public: 'FORBIDDEN', auditor: 'ok', researcher: 'ok', department: 'ok', steward: 'ok', journalist: 'ok' }),
  () => row('datasets', '{ datasets { slug } }', { public: 'ok', auditor: 'ok', researcher: 'ok', department: 'ok', steward: 'ok', journalist: 'ok' }),
  () => row('dataset', '{ dataset(slug: "hotline-cases-open") { slug } }', { public: 'ok', auditor: 'ok', researcher: 'ok', department: 'ok', steward: 'ok', journalist: 'ok' }),
  () => row('apiKeys', '{ apiKeys { id } }', { public: 'FORBIDDEN', auditor: 'ok', researcher: 'ok', department: 'ok', steward: 'ok', journalist: 'ok' }),
  () => row('createPrincipal', `mutation { createPrincipal(input: { name: "${uniqueName()}", role: "researcher", organization: { kind: "institute", nameZh: "研究所", nameEn: "Institute" } }) { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('createApiKey', 'mutation { createApiKey(input: { name: "matrix" }) { key { id } } }', { public: 'FORBIDDEN', auditor: 'ok', researcher: 'ok', department: 'ok', steward: 'ok', journalist: 'ok' }),
  // Someone else's key looks like no key at all (BAD_USER_INPUT), so key ids reveal nothing.
  () => row('revokeApiKey', `mutation { revokeApiKey(id: "${ctx.stewardKeyId}") { id } }`, { public: 'FORBIDDEN', auditor: 'BAD_USER_INPUT', researcher: 'BAD_USER_INPUT', department: 'BAD_USER_INPUT', steward: 'ok', journalist: 'BAD_USER_INPUT' }),
  // Stewards manage, so they do not browse the log about themselves; they may verify it.
  () => row('auditEvents', '{ auditEvents(first: 5) { edges { cursor } } }', { public: 'FORBIDDEN', auditor: 'ok', researcher: 'ok', department: 'ok', steward: 'FORBIDDEN', journalist: 'ok' }),
  () => row('auditIntegrity', '{ auditIntegrity { ok } }', { public: 'FORBIDDEN', auditor: 'ok', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('auditCheckpoints', '{ auditCheckpoints { publicKeyPem } }', { public: 'FORBIDDEN', auditor: 'ok', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('aggregate', '{ aggregate(query: { dataset: "hotline-cases", measures: ["cases"], groupBy: [{ dimension: "area", level: "city" }] }) { auditEventId } }', { public: 'BAD_USER_INPUT', auditor: 'FORBIDDEN', researcher: 'LICENSE_REQUIRED', licensedResearcher: 'ok', department: 'ok', steward: 'ok', journalist: 'ok' }),
  () => row('principals', `{ principals(ids: ["${ctx.principalToToggle}"]) { id name role organization { nameEn } createdAt disabledAt } }`, { public: 'FORBIDDEN', auditor: 'ok', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('organizations', `{ organizations(ids: ["${ctx.principalToToggle}"]) { id } }`, { public: 'FORBIDDEN', auditor: 'ok', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('disablePrincipal', `mutation { disablePrincipal(id: "${ctx.principalToToggle}") { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('enablePrincipal', `mutation { enablePrincipal(id: "${ctx.principalToToggle}") { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('publishDataset', `mutation { publishDataset(input: ${PUBLISH}) { slug } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('licenses', '{ licenses { id } }', { public: 'FORBIDDEN', auditor: 'ok', researcher: 'ok', department: 'ok', steward: 'ok', journalist: 'FORBIDDEN' }),
  // Someone else's licence looks like no licence.
  () => row('license', `{ license(id: "${ctx.researcherLicense}") { id } }`, { public: 'FORBIDDEN', auditor: 'ok', researcher: 'hidden', licensedResearcher: 'ok', department: 'hidden', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('requestLicense', `mutation { requestLicense(input: ${LICENSE_REQUEST}) { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'ok', department: 'ok', steward: 'FORBIDDEN', journalist: 'FORBIDDEN' }),
  () => row('approveLicense', `mutation { approveLicense(id: "${ctx.toApprove}") { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('rejectLicense', `mutation { rejectLicense(id: "${ctx.toReject}", ${reason}) { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('suspendLicense', `mutation { suspendLicense(id: "${ctx.toSuspend}", ${reason}) { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('reinstateLicense', `mutation { reinstateLicense(id: "${ctx.toReinstate}", ${reason}) { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
  () => row('revokeLicense', `mutation { revokeLicense(id: "${ctx.toRevoke}", ${reason}) { id } }`, { public: 'FORBIDDEN', auditor: 'FORBIDDEN', researcher: 'FORBIDDEN', department: 'FORBIDDEN', steward: 'ok', journalist: 'FORBIDDEN' }),
];

const GOOD: GoodCaller[] = [
  'public',
  'researcher',
  'licensedResearcher',
  'department',
  'steward',
  'auditor',
  'journalist',
];
const BAD: BadCaller[] = ['revokedKey', 'expiredKey', 'malformedToken', 'wrongChecksum', 'unknownKey'];

describe('authorization matrix', () => {
  let t: TestApp;
  const tokens = {} as Record<Caller, string | undefined>;

  beforeAll(async () => {
    t = await createTestApp();
    const steward = await bootstrapSteward(t);
    // Four eyes: the accounts are made by another steward, so `steward` may decide their licences.
    const manager = await createPrincipalWithKey(t, steward.apiKey, 'steward', { name: 'Account manager' });
    tokens.public = undefined;
    tokens.steward = steward.apiKey;
    tokens.researcher = (await createPrincipalWithKey(t, manager.apiKey, 'researcher')).apiKey;
    tokens.licensedResearcher = (
      await createPrincipalWithKey(t, manager.apiKey, 'researcher', { name: 'Licensed researcher' })
    ).apiKey;
    tokens.department = (await createPrincipalWithKey(t, manager.apiKey, 'department')).apiKey;
    tokens.auditor = (await createPrincipalWithKey(t, manager.apiKey, 'auditor')).apiKey;
    tokens.journalist = (await createPrincipalWithKey(t, manager.apiKey, 'journalist')).apiKey;
    ctx.principalToToggle = (
      await createPrincipalWithKey(t, manager.apiKey, 'researcher', { name: 'Toggled researcher' })
    ).principalId;

    const revoked = await createPrincipalWithKey(t, steward.apiKey, 'researcher', { name: 'Revoked researcher' });
    const revokedId = revoked.apiKey.slice(4, 16);
    const r = await t.gql(`mutation { revokeApiKey(id: "${revokedId}") { revokedAt } }`, {}, steward.apiKey);
    expect(r.body.data.revokeApiKey.revokedAt).toBeTruthy();
    tokens.revokedKey = revoked.apiKey;

    const expiring = await createPrincipalWithKey(t, steward.apiKey, 'steward', {
      name: 'Steward with an expired key',
      keyExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await t.dataSource.query(`UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expiring.apiKey.slice(4, 16),
    ]);
    tokens.expiredKey = expiring.apiKey;
    tokens.malformedToken = 'hgw_not-a-key';
    const last = steward.apiKey.at(-1) === 'a' ? 'b' : 'a';
    tokens.wrongChecksum = steward.apiKey.slice(0, -1) + last;
    tokens.unknownKey = generateApiKey().key;

    const victim = await t.gql(
      'mutation { createApiKey(input: { name: "victim" }) { key { id } } }',
      {},
      steward.apiKey,
    );
    ctx.stewardKeyId = victim.body.data.createApiKey.key.id;

    // The licensed researcher holds exactly one licence; the ones stewards decide on in the matrix
    // belong to the department (a sharing agreement); `researcher` holds none.
    const request = async (token = tokens.department) => {
      const res = await t.gql(`mutation { requestLicense(input: ${LICENSE_REQUEST}) { id } }`, {}, token);
      if (!res.body.data) throw new Error(JSON.stringify(res.body.errors));
      return res.body.data.requestLicense.id as string;
    };
    const decide = async (mutation: string, id: string, args = '') => {
      const res = await t.gql(`mutation { ${mutation}(id: "${id}"${args}) { status } }`, {}, steward.apiKey);
      expect(res.body.errors).toBeUndefined();
    };
    ctx.researcherLicense = await request(tokens.licensedResearcher);
    await decide('approveLicense', ctx.researcherLicense);
    ctx.toApprove = await request();
    ctx.toReject = await request();
    ctx.toSuspend = await request();
    await decide('approveLicense', ctx.toSuspend);
    ctx.toReinstate = await request();
    await decide('approveLicense', ctx.toReinstate);
    await decide('suspendLicense', ctx.toReinstate, `, ${reason}`);
    ctx.toRevoke = await request();
    await decide('approveLicense', ctx.toRevoke);
  });
  afterAll(async () => {
    await t.close();
  });

  it('has a line for every root field of the schema, and nothing else', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const fields = [
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ].sort();
    expect(MATRIX.map((r) => r().field).sort()).toEqual(fields);
  });

  it('answers every bad credential with one message that does not say whether the key exists', async () => {
    const messages = new Set<string>();
    for (const caller of BAD) {
      const res = await t.gql('{ datasets { slug } }', {}, tokens[caller]);
      messages.add(res.body.errors?.[0]?.message as string);
    }
    expect([...messages]).toHaveLength(1);
    expect([...messages][0]).toMatch(/credentials are not valid/);
  });

  // Denied callers first, then allowed ones, per field.
  const cases = MATRIX.flatMap((make, index) => {
    const { field, expect: outcomes } = make();
    const all: Record<Caller, Outcome> = {
      ...outcomes,
      ...Object.fromEntries(BAD.map((c) => [c, 'UNAUTHENTICATED'])),
    } as Record<Caller, Outcome>;
    return [...BAD, ...GOOD]
      .sort((a, b) => Number(all[a] === 'ok' || all[a] === 'hidden') - Number(all[b] === 'ok' || all[b] === 'hidden'))
      .map((caller) => [field, caller, all[caller], index] as const);
  });

  it.each(cases)('%s as %s: %s', async (field, caller, expected, index) => {
    const { operation } = MATRIX[index]();
    const res = await t.gql(operation, {}, tokens[caller]);
    expect(res.status).toBe(200);
    if (expected === 'ok') {
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data[field]).toBeTruthy();
    } else if (expected === 'hidden') {
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data[field]).toBeNull();
    } else {
      expect(res.body.errors?.[0]?.extensions?.code).toBe(expected);
      expect(res.body.data?.[field] ?? null).toBeNull();
      if (expected === 'FORBIDDEN') expect(res.body.errors[0].message).toMatch(/needs the permission \w+:\w+/);
    }
  });

  it('every Query and Mutation handler of every resolver declares @Allow with known permissions', () => {
    const handlers: string[] = [];
    const undeclared: string[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.providers.values()) {
        const instance = wrapper.instance as object | undefined;
        if (!instance || typeof instance !== 'object') continue;
        const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(proto)) {
          const method = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
          if (typeof method !== 'function') continue;
          const type = Reflect.getMetadata('graphql:resolver_type', method) as string | undefined;
          if (type !== 'Query' && type !== 'Mutation') continue;
          const fieldName = (Reflect.getMetadata('graphql:resolver_name', method) as string | undefined) ?? name;
          handlers.push(fieldName);
          const allow = (Reflect.getMetadata(ALLOW_KEY, method) ??
            Reflect.getMetadata(ALLOW_KEY, proto.constructor)) as string[] | undefined;
          if (!allow?.length || !allow.every((p) => (PERMISSIONS as readonly string[]).includes(p))) {
            undeclared.push(`${(proto.constructor as { name: string }).name}.${name}`);
          }
        }
      }
    }
    expect(undeclared).toEqual([]);
    expect(handlers.sort()).toEqual(MATRIX.map((r) => r().field).sort());
  });
});
