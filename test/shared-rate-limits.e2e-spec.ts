import { INestApplication } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap/create-app.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';

/** A documentation-range address no other test uses. */
const freshAddress = () => `198.19.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** RATE_LIMIT_STORE=database: several processes without Redis count one limit in PostgreSQL. */
describe('rate limits shared through the database (RATE_LIMIT_STORE=database)', () => {
  let a: TestApp;
  let b: INestApplication;
  let dataSourceB: DataSource;
  beforeAll(async () => {
    a = await createTestApp({
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_STORE: 'database',
      RATE_LIMIT_PER_PRINCIPAL: '4',
      RATE_LIMIT_PER_ADDRESS: '100',
      RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    dataSourceB = createDataSource(a.dbUrl, { poolSize: 4 });
    await dataSourceB.initialize();
    b = await createApp(a.config, dataSourceB);
    await b.init();
  });
  afterAll(async () => {
    await b.close();
    if (dataSourceB.isInitialized) await dataSourceB.destroy();
    await a.close();
  });

  const post = (app: INestApplication, address: string) =>
    request(app.getHttpServer())
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('X-Forwarded-For', address)
      .send({ query: '{ __typename }' });

  it('two instances enforce one limit, and the refusal says when to retry', async () => {
    expect(a.config.rateLimitStore).toBe('database');
    const address = freshAddress();
    await post(a.app, address).expect(200);
    await post(b, address).expect(200);
    await post(a.app, address).expect(200);
    await post(b, address).expect(200);
    const fromA = await post(a.app, address).expect(429);
    const fromB = await post(b, address).expect(429);
    expect(fromA.body.errors[0].extensions.code).toBe('QUOTA_EXCEEDED');
    const retry = Number(fromB.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    // Another address is not affected.
    await post(b, freshAddress()).expect(200);
    const [row] = await a.dataSource.query<{ hits: number }[]>(`SELECT hits FROM rate_limit_window WHERE key = $1`, [
      `principal:address:${address}`,
    ]);
    expect(row.hits).toBe(5);
  });

  it('starts a new window once the old one has ended', async () => {
    const address = freshAddress();
    const key = `principal:address:${address}`;
    await post(a.app, address).expect(200);
    // Pretend the window ended a moment ago.
    await a.dataSource.query(
      `UPDATE rate_limit_window SET hits = 4, window_ends_at = now() - interval '1 second' WHERE key = $1`,
      [key],
    );
    await post(b, address).expect(200);
    const [row] = await a.dataSource.query<{ hits: number }[]>(`SELECT hits FROM rate_limit_window WHERE key = $1`, [
      key,
    ]);
    expect(row.hits).toBe(1);
  });
});
