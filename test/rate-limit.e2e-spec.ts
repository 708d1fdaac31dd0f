import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Actor } from '../src/access-policy/actor.js';
import { AuthenticationService } from '../src/access-policy/authentication.service.js';
import { createTestApp, TEST_METRICS_TOKEN, TestApp } from './utils/create-test-app.js';

const REDIS_URL = process.env.HGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const QUERY = { query: '{ __typename }' };

/** A documentation-range address no other test uses, so shared Redis counters start at zero. */
const freshAddress = () => `198.18.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** Stands in for API keys (another module): `key-<id>` authenticates principal <id>. */
function acceptTestKeys(t: TestApp): void {
  t.app.get(AuthenticationService).register({
    verify: async (token: string): Promise<Actor | undefined> =>
      token.startsWith('key-') ? { role: 'researcher', principalId: token.slice(4), authMethod: 'api-key' } : undefined,
  });
}

function post(t: TestApp, address: string, token?: string) {
  const req = t.http().post('/graphql').set('Content-Type', 'application/json').set('X-Forwarded-For', address);
  if (token) req.set('Authorization', `Bearer ${token}`);
  return req.send(QUERY);
}

describe('rate limits (in-process)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The suite stands in for clients behind a proxy on this machine: X-Forwarded-For picks the address.
    t = await createTestApp({
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_PER_PRINCIPAL: '3',
      RATE_LIMIT_PER_ADDRESS: '5',
      RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    acceptTestKeys(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers the public over its limit with HTTP 429, Retry-After and a GraphQL QUOTA_EXCEEDED error', async () => {
    const address = freshAddress();
    for (let i = 0; i < 3; i += 1) await post(t, address).expect(200);
    const res = await post(t, address).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['x-request-id']).toBeDefined();
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 'principal' });
    expect(res.body.errors[0].message).toMatch(/limit is 3 per 60 s.*Retry after \d+ s/);
    // Another address is not affected.
    await post(t, freshAddress()).expect(200);
  });

  it('limits a principal across addresses, and an address across principals', async () => {
    const principal = `key-p${randomInt(1e9)}`;
    await post(t, freshAddress(), principal).expect(200);
    await post(t, freshAddress(), principal).expect(200);
    await post(t, freshAddress(), principal).expect(200);
    const refused = await post(t, freshAddress(), principal).expect(429);
    expect(refused.body.errors[0].extensions.limit).toBe('principal');

    const shared = freshAddress();
    for (let i = 0; i < 5; i += 1) await post(t, shared, `key-q${i}-${randomInt(1e9)}`).expect(200);
    const crowded = await post(t, shared, `key-other-${randomInt(1e9)}`).expect(429);
    expect(crowded.body.errors[0].extensions.limit).toBe('address');
  });

  it('limits other routes too, with the same code, but never the probes', async () => {
    const address = freshAddress();
    for (let i = 0; i < 3; i += 1) await t.http().get('/nope').set('X-Forwarded-For', address).expect(404);
    const res = await t.http().get('/nope').set('X-Forwarded-For', address).expect(429);
    expect(res.body.error.code).toBe('QUOTA_EXCEEDED');
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      for (let i = 0; i < 8; i += 1) {
        const probe = t.http().get(path).set('X-Forwarded-For', address);
        if (path === '/metrics') probe.set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`);
        await probe.expect(200);
      }
    }
    const metrics = await t.http().get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`);
    expect(metrics.text).toMatch(/hgw_rate_limited_total\{limit="principal"\} [1-9]/);
  });

  it('answers bad credentials UNAUTHENTICATED under the limit, and counts them against the address', async () => {
    const address = freshAddress();
    const guessed = () =>
      t
        .http()
        .post('/graphql')
        .set('Content-Type', 'application/json')
        .set('X-Forwarded-For', address)
        .set('Authorization', 'Bearer guessed-key')
        .send({ query: '{ datasets { slug } }' });
    for (let i = 0; i < 3; i += 1) {
      const res = await guessed();
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const refused = await guessed().expect(429);
    expect(refused.body.errors[0].extensions.code).toBe('QUOTA_EXCEEDED');
  });
});

describe('rate limits shared through Redis (REDIS_URL)', () => {
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    // No reconnection: once closed (or if Redis goes away), nothing is left to keep Jest's worker alive.
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    await redis.connect();
    const env = {
      TRUST_PROXY: 'loopback',
      REDIS_URL,
      RATE_LIMIT_PER_PRINCIPAL: '4',
      RATE_LIMIT_PER_ADDRESS: '100',
      RATE_LIMIT_WINDOW_SECONDS: '60',
    };
    [a, b] = await Promise.all([createTestApp(env), createTestApp(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.quit().catch(() => redis.disconnect());
  });

  it('two instances enforce one limit', async () => {
    const address = freshAddress();
    await post(a, address).expect(200);
    await post(b, address).expect(200);
    await post(a, address).expect(200);
    await post(b, address).expect(200);
    const fromA = await post(a, address).expect(429);
    const fromB = await post(b, address).expect(429);
    expect(fromA.body.errors[0].extensions.code).toBe('QUOTA_EXCEEDED');
    expect(Number(fromB.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The counter lives in Redis, with an expiry: nothing stays forever.
    const ttl = await redis.pttl(`hgw:throttle:principal:address:${address}:hits`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('keeps serving, limited in-process, when Redis is unreachable', async () => {
    const c = await createTestApp({
      TRUST_PROXY: 'loopback',
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_PER_PRINCIPAL: '2',
    });
    try {
      const address = freshAddress();
      await post(c, address).expect(200);
      await post(c, address).expect(200);
      await post(c, address).expect(429);
    } finally {
      await c.close();
    }
  });
});
