import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { bootstrapSteward, createPrincipalWithKey } from './utils/identity.js';

const ISSUER = 'https://idp.example.test/realms/hotline';
const AUDIENCE = 'hotline-gateway';
const ME = '{ me { principal { id role } authMethod } }';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('OIDC sign-in (JWTs checked against a local key set)', () => {
  let t: TestApp;
  let dir: string;
  let rsa: { privateKey: CryptoKey };
  let ec: { privateKey: CryptoKey };
  let stranger: { privateKey: CryptoKey };
  let stewardKey: string;
  let researcherId: string;

  const token = (
    claims: Record<string, unknown> = {},
    options: { key?: CryptoKey | Uint8Array; alg?: string; kid?: string; exp?: string | number } = {},
  ) =>
    new SignJWT({ sub: 'researcher-sub', ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'rsa-1' })
      .setIssuer((claims.iss as string) ?? ISSUER)
      .setAudience((claims.aud as string) ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? rsa.privateKey);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hgw-oidc-'));
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    stranger = await generateKeyPair('RS256', { extractable: true });
    const rsaPublic = await exportJWK((rsa as unknown as { publicKey: CryptoKey }).publicKey);
    const ecPublic = await exportJWK((ec as unknown as { publicKey: CryptoKey }).publicKey);
    const jwks = join(dir, 'jwks.json');
    writeFileSync(
      jwks,
      JSON.stringify({
        keys: [
          { ...rsaPublic, kid: 'rsa-1', alg: 'RS256', use: 'sig' },
          { ...ecPublic, kid: 'ec-1', alg: 'ES256', use: 'sig' },
        ],
      }),
    );
    t = await createTestApp({
      OIDC_ISSUER: ISSUER,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: pathToFileURL(jwks).toString(),
    });
    const steward = await bootstrapSteward(t);
    stewardKey = steward.apiKey;
    researcherId = (await createPrincipalWithKey(t, steward.apiKey, 'researcher', { oidcSubject: 'researcher-sub' }))
      .principalId;
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rejected: [string, () => Promise<string>][] = [
    ['an expired token', () => token({}, { exp: Math.floor(Date.now() / 1000) - 120 })],
    ['a token for another audience', () => token({ aud: 'another-app' })],
    ['a token from another issuer', () => token({ iss: 'https://evil.example.test/' })],
    [
      'an unsigned token (alg none)',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'researcher-sub', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })}.`,
    ],
    ['a token signed with a key not in the set', () => token({}, { key: stranger.privateKey })],
    [
      'a token whose signature was altered',
      async () => {
        const good = await token();
        return good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      },
    ],
    ['a valid token for a subject no principal has', () => token({ sub: 'nobody' })],
    [
      'an HS256 token (algorithm not allowed)',
      () => token({}, { key: new TextEncoder().encode('x'.repeat(32)), alg: 'HS256' }),
    ],
    ['garbage shaped like a JWT', async () => 'abc.def.ghi'],
  ];

  it.each(rejected)('rejects %s as UNAUTHENTICATED with the usual message', async (_name, make) => {
    const res = await t.gql(ME, {}, await make());
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.body.errors[0].message).toMatch(/credentials are not valid/);
    expect(res.body.data).toBeNull();
  });

  it("accepts a valid RS256 or ES256 token and maps `sub` to the principal's role", async () => {
    for (const jwt of [await token(), await token({}, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' })]) {
      const res = await t.gql(ME, {}, jwt);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.me).toEqual({ principal: { id: researcherId, role: 'researcher' }, authMethod: 'oidc' });
    }
  });

  it('stops accepting tokens of a principal disabled with disablePrincipal on the next request, until enabled (finding: an OIDC user cannot be cut off without SQL)', async () => {
    const jwt = await token();
    expect((await t.gql(ME, {}, jwt)).body.data.me.principal.id).toBe(researcherId);
    const disabled = await t.gql(
      `mutation($id: ID!) { disablePrincipal(id: $id, reason: "left the project") { id disabledAt } }`,
      { id: researcherId },
      stewardKey,
    );
    expect(disabled.body.errors).toBeUndefined();
    expect(disabled.body.data.disablePrincipal.disabledAt).toEqual(expect.any(String));
    const refused = await t.gql(ME, {}, jwt);
    expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const enabled = await t.gql(
      `mutation($id: ID!) { enablePrincipal(id: $id) { disabledAt } }`,
      { id: researcherId },
      stewardKey,
    );
    expect(enabled.body.data.enablePrincipal.disabledAt).toBeNull();
    expect((await t.gql(ME, {}, jwt)).body.data.me.principal.id).toBe(researcherId);
  });
});
