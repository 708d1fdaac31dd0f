import { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap/create-app.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { RollupChangeListener } from '../src/database/rollup-change-listener.js';
import { ROLLUP_CHANNEL, rollupGeneration } from '../src/database/rollup-version.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TEST_METRICS_TOKEN, TestApp } from './utils/create-test-app.js';
import { createTestDatabase } from './utils/test-database.js';
import { registerTestCredentials } from './utils/test-credentials.js';

const AGGREGATE = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys cells { value } } dataVersion } }`;
const byCity = { dataset: 'hotline-cases', measures: ['cases'], groupBy: [{ dimension: 'area', level: 'city' }] };
const byKind = { dataset: 'hotline-cases', measures: ['cases'], groupBy: [{ dimension: 'kind' }] };
const byChannel = { dataset: 'hotline-cases', measures: ['cases'], groupBy: [{ dimension: 'channel' }] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` passes or `ms` have gone by; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await sleep(50);
  }
  return Date.now() - started;
}

/**
 * DATABASE_REPLICA_URLS on one database server: "replicas" here are other databases (or the
 * primary's own), which is enough to show the routing rules. The streaming standby itself is
 * exercised by the cluster suite (test/cluster/, `npm run test:cluster`).
 */
describe('read replicas (DATABASE_REPLICA_URLS)', () => {
  let primary: TestApp;
  let lagging: { url: string; drop: () => Promise<void>; dataSource: DataSource };
  let late: { url: string; name: string; drop: () => Promise<void> };
  let gateway: INestApplication;
  let gatewayData: DataSource;
  const lateName = () => new URL(late.url).pathname.slice(1);

  const ask = (q: Record<string, unknown>) =>
    request(gateway.getHttpServer())
      .post('/graphql')
      .set('Authorization', 'Bearer test-steward')
      .send({ query: AGGREGATE, variables: { q } });
  const metric = async (target: string, purpose: string): Promise<number> => {
    const text = (
      await request(gateway.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`)
    ).text;
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('hgw_db_reads_total{') && l.includes(`target="${target}`) && l.includes(`purpose="${purpose}"`),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const primaryVersion = async () =>
    (
      await primary.dataSource.query<{ v: string }[]>(
        `SELECT string_agg(series || ':' || version, ',' ORDER BY series) AS v FROM rollup_state`,
      )
    )[0].v;

  beforeAll(async () => {
    primary = await createTestApp();
    await insertReferenceData(primary.dataSource);
    await insertCases(primary.dataSource, { count: 600, seed: 11 });

    // A replica that is behind: same catalog and members, no cases, rollups at version 0.
    const db = await createTestDatabase();
    const ds = createDataSource(db.url, { poolSize: 2 });
    await ds.initialize();
    await migrate(ds);
    await insertReferenceData(ds);
    lagging = { url: db.url, drop: db.drop, dataSource: ds };

    // A replica that does not exist yet (its database is created later in the test).
    late = await createTestDatabase();
    const admin = new pg.Client({ connectionString: process.env.HGW_TEST_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE ${late.name}`);
    await admin.end();

    gatewayData = createDataSource(primary.dbUrl, { poolSize: 4 });
    await gatewayData.initialize();
    gateway = await createApp({ ...primary.config, replicaUrls: [lagging.url, late.url] }, gatewayData);
    await gateway.init();
    registerTestCredentials(gateway);
  });
  afterAll(async () => {
    await gateway?.close();
    if (gatewayData?.isInitialized) await gatewayData.destroy();
    if (lagging?.dataSource.isInitialized) await lagging.dataSource.destroy();
    await lagging?.drop();
    await late?.drop();
    await primary?.close();
  });

  it('answers from the primary while the only replica that answers is behind its rollup version', async () => {
    const before = await metric('primary', 'rollups');
    const res = await ask(byCity).expect(200);
    expect(res.body.errors).toBeUndefined();
    const { rows, dataVersion } = res.body.data.aggregate;
    expect(dataVersion).toBe(await primaryVersion());
    const total = rows.reduce((s: number, r: { cells: { value: number }[] }) => s + (r.cells[0].value ?? 0), 0);
    expect(total).toBeGreaterThan(400);
    expect(await metric('primary', 'rollups')).toBe(before + 1);
    // The catalog and members may lag: the replica that answers serves them.
    expect(await metric('replica-1', 'catalog')).toBeGreaterThan(0);
  });

  it('says "degraded" on /readyz while a replica does not answer, and takes it back when it does', async () => {
    const degraded = await request(gateway.getHttpServer()).get('/readyz').expect(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.reason).toContain('replica-2');

    const admin = new pg.Client({ connectionString: process.env.HGW_TEST_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${lateName()}`);
    await admin.end();
    const ds = createDataSource(late.url, { poolSize: 2 });
    await ds.initialize();
    await migrate(ds);
    await ds.destroy();
    // Limits leave room for a loaded 2-core machine; the mechanisms take well under half of them.
    await within(10_000, async () => (await request(gateway.getHttpServer()).get('/readyz')).body.status === 'ready');

    // Gone again (its database dropped): left out within 2 s (docs/scaling.md), 6 s on a loaded machine.
    const dropped = new pg.Client({ connectionString: process.env.HGW_TEST_ADMIN_URL });
    await dropped.connect();
    await dropped.query(`DROP DATABASE ${lateName()} WITH (FORCE)`);
    await dropped.end();
    const took = await within(6_000, async () => {
      const body = (await request(gateway.getHttpServer()).get('/readyz')).body as { status: string; reason?: string };
      return body.status === 'degraded' && (body.reason ?? '').includes('replica-2');
    });
    expect(took).toBeLessThanOrEqual(6_000);
    // Still answering, from the primary.
    expect((await ask(byKind).expect(200)).body.errors).toBeUndefined();
  });

  it('reads a replica once it holds the primary rollup version, and says which version it read', async () => {
    const version = await primaryVersion();
    // Make the empty replica claim the primary's version: from now on its (empty) rollups are used.
    await lagging.dataSource.query(
      `UPDATE rollup_state s SET version = v.version FROM (SELECT split_part(x, ':', 1) AS series, split_part(x, ':', 2)::bigint AS version FROM unnest(string_to_array($1, ',')) x) v WHERE v.series = s.series`,
      [version],
    );
    const before = await metric('replica-1', 'rollups');
    await sleep(1_200); // the next probes see the replica's new version
    const res = await ask(byChannel).expect(200);
    expect(res.body.data.aggregate).toEqual({ rows: [], dataVersion: version });
    expect(await metric('replica-1', 'rollups')).toBeGreaterThan(before);
    // The counted reads are in /metrics per target.
    const text = (
      await request(gateway.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`)
    ).text;
    expect(text).toMatch(/hgw_db_replica_up\{target="replica-1 [^"]+"\} 1/);
    expect(text).toMatch(/hgw_db_replica_up\{target="replica-2 [^"]+"\} 0/);
  });
});

describe(RollupChangeListener.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('hears another process announce a rollup rebuild and clears the caches of this one', async () => {
    const before = rollupGeneration();
    // Another instance's refresher: a separate connection that NOTIFYs, as it does at commit.
    const other = new pg.Client({ connectionString: t.dbUrl });
    await other.connect();
    await other.query(`SELECT pg_notify('${ROLLUP_CHANNEL}', 'cases')`);
    await other.end();
    await within(5_000, async () => rollupGeneration() > before);
  });
});
