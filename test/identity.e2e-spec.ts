import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCli } from '../src/cli/cli.js';
import { seedDemoIfEmpty } from '../src/demo/demo-seeder.js';
import { PrincipalsService } from '../src/principals/principals.service.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { bootstrapSteward, createPrincipalWithKey, TestPrincipal } from './utils/identity.js';

const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey key { id prefix scopes expiresAt } } }`;
const CREATE_PRINCIPAL = `mutation ($input: CreatePrincipalInput!) { createPrincipal(input: $input) { id role organization { id kind departmentCode } } }`;
const ME =
  '{ me { principal { id role organization { kind departmentCode } } authMethod apiKeyId scopes permissions } }';
const codeOf = (res: { body: { errors?: { extensions?: { code?: string } }[] } }) =>
  res.body.errors?.[0]?.extensions?.code;
const idOf = (key: string) => key.slice(4, 16);

describe('identity: principals and API keys', () => {
  let t: TestApp;
  let steward: TestPrincipal;
  let researcher: TestPrincipal;
  beforeAll(async () => {
    t = await createTestApp();
    steward = await bootstrapSteward(t);
    researcher = await createPrincipalWithKey(t, steward.apiKey, 'researcher');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('createPrincipal', () => {
    it('is denied to non-stewards with the missing permission named', async () => {
      const res = await t.gql(
        CREATE_PRINCIPAL,
        { input: { name: 'x', role: 'steward', organizationId: steward.organizationId } },
        researcher.apiKey,
      );
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.body.errors[0].message).toMatch(/manage:Principal/);
    });

    it('says what to fix in bad input', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [
          { name: 'x', role: 'king', organizationId: steward.organizationId },
          /role must be one of steward, department, researcher, auditor/,
        ],
        [{ name: 'x', role: 'researcher' }, /exactly one of organizationId .* or organization/],
        [
          { name: 'x', role: 'department', organization: { kind: 'department', nameZh: '局', nameEn: 'Bureau' } },
          /needs organization.departmentCode/,
        ],
        [
          { name: 'x', role: 'department', organizationId: steward.organizationId },
          /must belong to a department organization/,
        ],
        [
          { name: 'x', role: 'researcher', organizationId: '00000000-0000-4000-8000-000000000000' },
          /No organization with id/,
        ],
        [
          { name: 'x', role: 'researcher', organization: { kind: 'club', nameZh: 'a', nameEn: 'b' } },
          /organization.kind must be one of/,
        ],
      ];
      for (const [input, message] of cases) {
        const res = await t.gql(CREATE_PRINCIPAL, { input }, steward.apiKey);
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        expect(res.body.errors[0].message).toMatch(message);
      }
    });

    it('creates a department principal whose actor carries the department code, and audits it', async () => {
      const res = await t.gql(
        CREATE_PRINCIPAL,
        {
          input: {
            name: 'Housing analyst',
            role: 'department',
            organization: {
              kind: 'department',
              nameZh: '苏州市住建局',
              nameEn: 'Suzhou housing',
              departmentCode: '320500-housing',
            },
          },
        },
        steward.apiKey,
      );
      expect(res.body.errors).toBeUndefined();
      const id = res.body.data.createPrincipal.id as string;
      const key = await t.gql(CREATE_KEY, { input: { name: 'k', principalId: id } }, steward.apiKey);
      const me = await t.gql(ME, {}, key.body.data.createApiKey.apiKey);
      expect(me.body.data.me.principal).toMatchObject({
        role: 'department',
        organization: { kind: 'department', departmentCode: '320500-housing' },
      });
      expect(me.body.data.me.permissions).toContain('detail:CaseRecord');
      const audit = await t.dataSource.query(
        `SELECT principal_id, decision FROM audit_event WHERE operation = 'createPrincipal' AND target = $1`,
        [`principal:${id}`],
      );
      expect(audit).toEqual([{ principal_id: steward.principalId, decision: 'allowed' }]);
    });

    it('tells other features the organization of an actor', async () => {
      const service = t.app.get(PrincipalsService);
      expect(await service.organizationOf({ role: 'public', authMethod: 'none' })).toBeNull();
      const org = await service.organizationOf({
        role: 'researcher',
        authMethod: 'api-key',
        principalId: researcher.principalId,
        organizationId: researcher.organizationId,
      });
      expect(org).toMatchObject({ id: researcher.organizationId, kind: 'university', departmentCode: null });
    });

    it('refuses a second principal with the same OIDC subject', async () => {
      const input = { name: 'a', role: 'researcher', organizationId: steward.organizationId, oidcSubject: 'dup-sub' };
      expect((await t.gql(CREATE_PRINCIPAL, { input }, steward.apiKey)).body.errors).toBeUndefined();
      const again = await t.gql(CREATE_PRINCIPAL, { input }, steward.apiKey);
      expect(codeOf(again)).toBe('BAD_USER_INPUT');
      expect(again.body.errors[0].message).toMatch(/already signs in with this oidcSubject/);
    });
  });

  describe('createApiKey', () => {
    it("is denied for someone else's principal unless a steward asks", async () => {
      const res = await t.gql(
        CREATE_KEY,
        { input: { name: 'x', principalId: steward.principalId } },
        researcher.apiKey,
      );
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.body.errors[0].message).toMatch(/only for yourself/);
    });

    it('refuses scopes the principal does not have', async () => {
      const res = await t.gql(
        CREATE_KEY,
        { input: { name: 'x', scopes: ['read:Me', 'manage:Principal'] } },
        researcher.apiKey,
      );
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.body.errors[0].message).toMatch(/Cannot grant permissions you do not have: manage:Principal/);
      const forOther = await t.gql(
        CREATE_KEY,
        { input: { name: 'x', principalId: researcher.principalId, scopes: ['decide:License'] } },
        steward.apiKey,
      );
      expect(codeOf(forOther)).toBe('FORBIDDEN');
    });

    it('rejects unknown scopes, past expiry and empty names with what to fix', async () => {
      const unknown = await t.gql(CREATE_KEY, { input: { name: 'x', scopes: ['root'] } }, researcher.apiKey);
      expect(unknown.body.errors[0].message).toMatch(/each scope must be one of read:Catalog/);
      const past = await t.gql(
        CREATE_KEY,
        { input: { name: 'x', expiresAt: '2020-01-01T00:00:00Z' } },
        researcher.apiKey,
      );
      expect(past.body.errors[0].message).toMatch(/expiresAt is in the past/);
      const noName = await t.gql(CREATE_KEY, { input: { name: '' } }, researcher.apiKey);
      expect(noName.body.errors[0].message).toMatch(/name must be 1 to 100 characters/);
      for (const r of [unknown, past, noName]) expect(codeOf(r)).toBe('BAD_USER_INPUT');
    });

    it('shows the key once, stores only its hash, and never writes it to the audit log', async () => {
      const res = await t.gql(CREATE_KEY, { input: { name: 'laptop' } }, researcher.apiKey);
      const { apiKey, key } = res.body.data.createApiKey;
      expect(apiKey).toMatch(/^hgw_[0-9A-Za-z]{61}$/);
      expect(key.prefix).toBe(`hgw_${key.id}`);
      const dump =
        JSON.stringify(await t.dataSource.query(`SELECT * FROM api_key`)) +
        JSON.stringify(await t.dataSource.query(`SELECT * FROM audit_event`));
      expect(dump).not.toContain(apiKey.slice(16));
      const listed = await t.gql('{ apiKeys { id name } }', {}, researcher.apiKey);
      expect(JSON.stringify(listed.body)).not.toContain(apiKey.slice(16));
    });

    it('limits a scoped key to its scopes, and keys it creates inherit them', async () => {
      const scoped = (
        await t.gql(CREATE_KEY, { input: { name: 's', scopes: ['read:Me', 'manage:ApiKey'] } }, researcher.apiKey)
      ).body.data.createApiKey.apiKey as string;
      const me = await t.gql(ME, {}, scoped);
      expect(me.body.data.me).toMatchObject({
        scopes: ['read:Me', 'manage:ApiKey'],
        permissions: ['read:Me', 'manage:ApiKey'],
      });
      const catalog = await t.gql('{ datasets { slug } }', {}, scoped);
      expect(codeOf(catalog)).toBe('FORBIDDEN');
      const child = await t.gql(CREATE_KEY, { input: { name: 'child' } }, scoped);
      expect(child.body.data.createApiKey.key.scopes).toEqual(['read:Me', 'manage:ApiKey']);
      const wider = await t.gql(CREATE_KEY, { input: { name: 'w', scopes: ['read:Catalog'] } }, scoped);
      expect(codeOf(wider)).toBe('FORBIDDEN');
    });

    it("passes a scoped steward key's limits on to keys it creates for others", async () => {
      const narrow = (
        await t.gql(CREATE_KEY, { input: { name: 'n', scopes: ['read:Me', 'manage:ApiKey'] } }, steward.apiKey)
      ).body.data.createApiKey.apiKey as string;
      const minted = await t.gql(CREATE_KEY, { input: { name: 'm', principalId: researcher.principalId } }, narrow);
      expect(minted.body.data.createApiKey.key.scopes).toEqual(['read:Me', 'manage:ApiKey']);
      const wider = await t.gql(
        CREATE_KEY,
        { input: { name: 'w', principalId: researcher.principalId, scopes: ['read:Catalog'] } },
        narrow,
      );
      expect(wider.body.errors[0].message).toMatch(/Cannot grant permissions you do not have: read:Catalog/);
    });

    it('lists only own keys to principals and every key to stewards (filter built from the policy in SQL)', async () => {
      const own = await t.gql('{ apiKeys { principalId } }', {}, researcher.apiKey);
      expect(new Set(own.body.data.apiKeys.map((k: { principalId: string }) => k.principalId))).toEqual(
        new Set([researcher.principalId]),
      );
      const all = await t.gql('{ apiKeys { principalId } }', {}, steward.apiKey);
      expect(new Set(all.body.data.apiKeys.map((k: { principalId: string }) => k.principalId)).size).toBeGreaterThan(2);
      const filtered = await t.gql(`{ apiKeys(principalId: "${steward.principalId}") { id } }`, {}, researcher.apiKey);
      expect(filtered.body.data.apiKeys).toEqual([]);
    });
  });

  describe('revokeApiKey', () => {
    it("does not reveal or touch someone else's key", async () => {
      const res = await t.gql(`mutation { revokeApiKey(id: "${idOf(steward.apiKey)}") { id } }`, {}, researcher.apiKey);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(/among the keys you may manage/);
      expect((await t.gql(ME, {}, steward.apiKey)).body.errors).toBeUndefined();
    });

    it('stops the key on the very next request, and is audited', async () => {
      const key = (await t.gql(CREATE_KEY, { input: { name: 'to revoke' } }, researcher.apiKey)).body.data.createApiKey
        .apiKey as string;
      expect((await t.gql(ME, {}, key)).body.errors).toBeUndefined();
      const revoked = await t.gql(`mutation { revokeApiKey(id: "${idOf(key)}") { revokedAt } }`, {}, key);
      expect(revoked.body.data.revokeApiKey.revokedAt).toBeTruthy();
      expect(codeOf(await t.gql(ME, {}, key))).toBe('UNAUTHENTICATED');
      const audit = await t.dataSource.query(
        `SELECT api_key_id FROM audit_event WHERE operation = 'revokeApiKey' AND target = $1`,
        [`api-key:${idOf(key)}`],
      );
      expect(audit).toEqual([{ api_key_id: idOf(key) }]);
    });
  });

  describe('authentication', () => {
    it('rejects expired keys and keys of disabled principals like unknown ones', async () => {
      const other = await createPrincipalWithKey(t, steward.apiKey, 'auditor', {
        keyExpiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      expect((await t.gql(ME, {}, other.apiKey)).body.errors).toBeUndefined();
      await t.dataSource.query(`UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        idOf(other.apiKey),
      ]);
      const expired = await t.gql(ME, {}, other.apiKey);
      const disabledOne = await createPrincipalWithKey(t, steward.apiKey, 'researcher');
      await t.dataSource.query(`UPDATE principal SET disabled_at = now() WHERE id = $1`, [disabledOne.principalId]);
      const disabled = await t.gql(ME, {}, disabledOne.apiKey);
      expect(codeOf(expired)).toBe('UNAUTHENTICATED');
      expect(disabled.body.errors[0]).toEqual(expired.body.errors[0]);
    });

    it('records the last use, at most once a minute', async () => {
      const p = await createPrincipalWithKey(t, steward.apiKey, 'researcher');
      const lastUsed = async () =>
        (await t.dataSource.query(`SELECT last_used_at FROM api_key WHERE id = $1`, [idOf(p.apiKey)]))[0]
          .last_used_at as Date | null;
      expect(await lastUsed()).toBeNull();
      await t.gql(ME, {}, p.apiKey);
      let first: Date | null = null;
      for (let i = 0; i < 50 && !first; i++) {
        first = await lastUsed();
        if (!first) await new Promise((r) => setTimeout(r, 20));
      }
      expect(first).toBeInstanceOf(Date);
      await t.gql(ME, {}, p.apiKey);
      await new Promise((r) => setTimeout(r, 100));
      expect(await lastUsed()).toEqual(first);
    });
  });
});

describe('hotline-gateway bootstrap and the demo accounts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function cli(dbUrl: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const saved = { DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: process.env.LOG_LEVEL };
    process.env.DATABASE_URL = dbUrl;
    process.env.LOG_LEVEL = 'silent';
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      const code = await runCli(args);
      return { code, stdout: out.join(''), stderr: err.join('') };
    } finally {
      o.mockRestore();
      e.mockRestore();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  it('refuses with exit 1 and one line when a steward exists', async () => {
    await bootstrapSteward(t, 'Existing steward');
    const refused = await cli(t.dbUrl, ['bootstrap', '--name', 'Second steward', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/a steward exists already/)]);
    const stewards = await t.dataSource.query(`SELECT name FROM principal WHERE role = 'steward'`);
    expect(stewards).toEqual([{ name: 'Existing steward' }]);
  });

  it('creates the first steward and prints {principalId, apiKey} once, audited', async () => {
    const fresh = await createTestApp();
    try {
      const first = await cli(fresh.dbUrl, ['bootstrap', '--name', 'First steward', '--json']);
      expect(first.code).toBe(0);
      const printed = JSON.parse(first.stdout) as { principalId: string; apiKey: string };
      expect(Object.keys(printed)).toEqual(['principalId', 'apiKey']);
      const me = await fresh.gql(ME, {}, printed.apiKey);
      expect(me.body.data.me.principal).toMatchObject({
        id: printed.principalId,
        role: 'steward',
        organization: { kind: 'hotline-centre' },
      });
      const audit = await fresh.dataSource.query(
        `SELECT principal_id, query FROM audit_event WHERE operation = 'bootstrap'`,
      );
      expect(audit).toHaveLength(1);
      expect(audit[0].principal_id).toBe(printed.principalId);
      expect(JSON.stringify(audit)).not.toContain(printed.apiKey.slice(16));
    } finally {
      await fresh.close();
    }
  });

  it('seeds one working account per role for the demo', async () => {
    const fresh = await createTestApp({ DEMO_CASES: '2000' });
    try {
      const { credentials } = await seedDemoIfEmpty(fresh.dataSource, fresh.config, () => undefined);
      expect(credentials.map((c) => c.role)).toEqual(['steward', 'department', 'researcher', 'auditor', 'journalist']);
      for (const c of credentials) {
        const me = await fresh.gql(ME, {}, c.apiKey);
        expect(me.body.data.me.principal.role).toBe(c.role);
        if (c.role === 'department')
          expect(me.body.data.me.principal.organization.departmentCode).toBe('320500-housing');
      }
    } finally {
      await fresh.close();
    }
  });

  it('prints demo keys once, lets them expire and stores them nowhere in plain text (finding: demo keys printed on every start and kept in plain text)', async () => {
    const fresh = await createTestApp({ DEMO_CASES: '500', DEMO_KEY_DAYS: '3' });
    try {
      writeFileSync(join(fresh.config.dataDir, 'demo-credentials.json'), '[]'); // left by an older version
      const { seeded, credentials } = await seedDemoIfEmpty(fresh.dataSource, fresh.config, () => undefined);
      expect(seeded).toBe(true);
      expect(credentials).toHaveLength(5);
      const lines: string[] = [];
      const again = await seedDemoIfEmpty(fresh.dataSource, fresh.config, (l) => lines.push(l));
      expect(again).toEqual({ seeded: false, credentials: [] });
      expect(lines.join('\n')).toMatch(/its API keys were printed then and expire 3 days after loading/);
      // Every demo key, the steward's included, expires after DEMO_KEY_DAYS.
      const keys = await fresh.dataSource.query<{ expires_at: Date | null }[]>(`SELECT expires_at FROM api_key`);
      expect(keys).toHaveLength(5);
      for (const k of keys) {
        const days = (new Date(k.expires_at as Date).getTime() - Date.now()) / 86_400_000;
        expect(days).toBeGreaterThan(2.9);
        expect(days).toBeLessThanOrEqual(3);
      }
      // Not in DATA_DIR, not in the database (api_key holds hashes; the audit log ids only).
      const files = readdirSync(fresh.config.dataDir, { recursive: true, withFileTypes: true }).filter((f) =>
        f.isFile(),
      );
      expect(files.map((f) => f.name)).not.toContain('demo-credentials.json');
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const text = readFileSync(join(f.parentPath, f.name), 'latin1');
        for (const c of credentials) expect(text).not.toContain(c.apiKey);
      }
      const dump = JSON.stringify(
        await fresh.dataSource.query(
          `SELECT (SELECT json_agg(k) FROM api_key k) AS keys, (SELECT json_agg(a) FROM audit_event a) AS audit`,
        ),
      );
      for (const c of credentials) expect(dump).not.toContain(c.apiKey.slice(16));
      // The printed steward did not create the demo accounts, so it may approve their requests (four eyes).
      const steward = credentials.find((c) => c.role === 'steward')!.apiKey;
      const researcher = credentials.find((c) => c.role === 'researcher')!.apiKey;
      const requested = await fresh.gql(
        `mutation($i: RequestLicenseInput!) { requestLicense(input: $i) { id } }`,
        {
          i: {
            purpose: 'Four-eyes check of the demo: Suzhou property complaints by district',
            datasets: [{ dataset: 'hotline-cases', dimensions: [{ dimension: 'area', level: 'district' }] }],
            validFrom: '2026-12-01',
            validTo: '2027-11-30',
            dailyQuota: 10,
            acceptObligations: ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'],
          },
        },
        researcher,
      );
      expect(requested.body.errors).toBeUndefined();
      const approved = await fresh.gql(
        `mutation($id: ID!) { approveLicense(id: $id) { status } }`,
        { id: requested.body.data.requestLicense.id },
        steward,
      );
      expect(approved.body.errors).toBeUndefined();
      expect(approved.body.data.approveLicense.status).toBe('active');
    } finally {
      await fresh.close();
    }
  });

  it('leaves a database with principals but no finished demo alone, and says why', async () => {
    const fresh = await createTestApp({ DEMO_CASES: '2000' });
    try {
      await bootstrapSteward(fresh);
      const lines: string[] = [];
      const result = await seedDemoIfEmpty(fresh.dataSource, fresh.config, (l) => lines.push(l));
      expect(result).toEqual({ seeded: false, credentials: [] });
      expect(lines.join('\n')).toMatch(/demo: not loaded, the database already holds principals or cases/);
      const [cases] = await fresh.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM case_record`);
      expect(cases.n).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
