import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { exportJWK, generateKeyPair } from 'jose';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { bootstrapSteward, createPrincipalWithKey } from './utils/identity.js';
import { ensureBuilt, ROOT } from './utils/portal-browser.js';

const directive = (csp: string | undefined, name: string) =>
  (csp ?? '')
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(name + ' '));

/** The gateway's side of the web portal over HTTP: pages, assets, the explorer, CSRF unchanged, audit ids. */
describe('web portal, served by the gateway', () => {
  let t: TestApp;
  let steward: string;
  let auditor: string;

  beforeAll(async () => {
    ensureBuilt();
    t = await createTestApp();
    steward = (await bootstrapSteward(t)).apiKey;
    auditor = (await createPrincipalWithKey(t, steward, 'auditor')).apiKey;
  });
  afterAll(() => t.close());

  it('answers / and every portal route with the page, under a CSP with no inline script and no eval', async () => {
    for (const path of [
      '/',
      '/catalog',
      '/catalog/hotline-cases-open',
      '/build?ds=x',
      '/licences',
      '/audit',
      '/department',
      '/manage',
      '/sign-in',
      '/oidc/callback?code=x&state=y',
    ]) {
      const res = await t.http().get(path).set('Accept', 'text/html');
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<div id="root"></div>');
      const csp = res.headers['content-security-policy'];
      expect(directive(csp, 'script-src')).toBe("script-src 'self'");
      expect(directive(csp, 'style-src')).toBe("style-src 'self'");
      expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('has no inline script in its pages: every script is a file under /assets', async () => {
    for (const path of ['/', '/explorer']) {
      const html = (await t.http().get(path)).text;
      const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [tag, body] of scripts) {
        expect(body.trim()).toBe('');
        expect(tag).toMatch(/src="\/assets\/[\w.-]+\.js"/);
      }
    }
  });

  it('keeps the first load under 300 kB of compressed script (charts, pages and the explorer load on demand)', () => {
    const web = join(ROOT, 'dist', 'web');
    const html = readFileSync(join(web, 'index.html'), 'utf8');
    const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(0);
    const compressed = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(web, f)), { level: 9 }).length, 0);
    expect(compressed).toBeLessThan(300_000);
    expect(files.some((f) => /echarts|explorer|codemirror/.test(f))).toBe(false);
  });

  it('serves hashed assets for good and answers a missing one with the usual 404 in words', async () => {
    const asset = readdirSync(join(ROOT, 'dist', 'web', 'assets')).find((f) => f.endsWith('.js')) as string;
    const res = await t.http().get(`/assets/${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await t.http().get('/assets/nothing-here.js');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/There is nothing at GET \/assets\/nothing-here\.js/);
    expect((await t.http().get('/assets/..%2Fpackage.json')).status).toBe(404);
    // Only the portal's own pages: scanners' favourites still get the JSON 404 in words.
    for (const path of ['/no-such-page', '/admin', '/manage/.env', '/catalog/a/b', '/build/x']) {
      const res = await t.http().get(path).set('Accept', 'text/html');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('BAD_USER_INPUT');
    }
  });

  it('opens the explorer for a browser GET on /graphql; JSON GET and POST behave as before (CSRF prevention included)', async () => {
    const browser = await t
      .http()
      .get('/graphql')
      .set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    expect(browser.status).toBe(200);
    expect(browser.text).toContain('<div id="explorer"></div>');
    expect(directive(browser.headers['content-security-policy'], 'script-src')).toBe("script-src 'self'");
    expect((await t.http().get('/explorer')).text).toContain('<div id="explorer"></div>');

    const query = encodeURIComponent('{ __typename }');
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const blocked = await t.http().get(`/graphql?query=${query}`).set('Accept', accept);
      expect(blocked.status).toBe(400);
      expect(blocked.body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
    }
    const preflighted = await t
      .http()
      .get(`/graphql?query=${query}`)
      .set('Accept', 'application/json')
      .set('apollo-require-preflight', '1');
    expect(preflighted.body).toEqual({ data: { __typename: 'Query' } });
    const simplePost = await t
      .http()
      .post('/graphql')
      .set('Content-Type', 'text/plain')
      .send('{"query":"{ __typename }"}');
    expect(simplePost.status).toBe(400);
    expect((await t.gql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('tells the portal there is no OIDC sign-in when OIDC is not configured', async () => {
    const res = await t.http().get('/portal/config.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ oidc: null });
  });

  it('names the audit events a request stored, so a steward sees the event of its change', async () => {
    const created = await t.gql('mutation { createApiKey(input: { name: "portal" }) { key { id } } }', {}, steward);
    const ids = created.body.extensions?.auditEventIds as string[];
    expect(ids).toHaveLength(1);
    const events = await t.gql(
      `{ auditEvents(filter: { operation: "createApiKey" }, first: 5) { edges { node { id operation decision } } } }`,
      {},
      auditor,
    );
    expect(events.body.data.auditEvents.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(ids[0]);
    // A request that records nothing says nothing.
    const catalog = await t.gql('{ datasets { slug } }');
    expect(catalog.body.extensions?.auditEventIds).toBeUndefined();
  });
});

describe('web portal with OIDC configured', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'hgw-portal-oidc-'));
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwks = join(dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }));
    t = await createTestApp({
      OIDC_ISSUER: 'https://idp.example.test/realms/hotline',
      OIDC_AUDIENCE: 'hotline-gateway',
      OIDC_JWKS_URL: pathToFileURL(jwks).toString(),
      OIDC_CLIENT_ID: 'hotline-portal',
    });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the portal the issuer and client id, and lets the page reach the issuer’s origin only', async () => {
    expect((await t.http().get('/portal/config.json')).body).toEqual({
      oidc: {
        issuer: 'https://idp.example.test/realms/hotline',
        audience: 'hotline-gateway',
        clientId: 'hotline-portal',
        scope: 'openid',
      },
    });
    const csp = (await t.http().get('/')).headers['content-security-policy'];
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self' https://idp.example.test");
  });
});
