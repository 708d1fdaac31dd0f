import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { SERVER_NODE_FLAGS } from '../../src/bootstrap/server-node-flags.js';
import { createDataSource } from '../../src/bootstrap/data-source.js';
import { migrate } from '../../src/bootstrap/open-database.js';
import { insertCases, insertReferenceData } from '../utils/case-fixtures.js';
import { ensureBuilt } from '../utils/ensure-built.js';

/**
 * The scale-out cluster (.ci/cluster.sh sets it up): the machine's PostgreSQL 15 as primary, a
 * streaming standby as read replica, Redis, and two gateway processes A and B using all three.
 */
const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this suite through .ci/cluster.sh (npm run test:cluster)`);
  return value;
}
const PRIMARY_URL = required('HGW_CLUSTER_PRIMARY_URL');
const REPLICA_URL = required('HGW_CLUSTER_REPLICA_URL');
const REDIS_URL = required('HGW_CLUSTER_REDIS_URL');
const STANDBY_CONTROL = required('HGW_CLUSTER_STANDBY_CONTROL');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function within<T>(ms: number, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await sleep(100);
  }
}

interface Gateway {
  name: string;
  child: ChildProcess;
  url: string;
  output: () => string;
}

const METRICS_TOKEN = 'cluster-metrics-token-0123456789';

async function startGateway(name: string, dataDir: string): Promise<Gateway> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(root, 'dist/src/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: PRIMARY_URL,
      DATABASE_REPLICA_URLS: REPLICA_URL,
      REDIS_URL,
      DATA_DIR: dataDir,
      TRUST_PROXY: 'loopback',
      METRICS_TOKEN,
      PORT: '0',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_ADDRESS: '6',
      RATE_LIMIT_PER_PRINCIPAL: '100000',
    },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = await within(60_000, async () => {
    if (child.exitCode !== null) throw new Error(`gateway ${name} exited: ${out}`);
    return /GraphQL: (http:\/\/\S+)\/graphql/.exec(out)?.[1];
  });
  return { name, child, url, output: () => out };
}

async function stopGateway(g: Gateway | undefined): Promise<void> {
  if (!g || g.child.exitCode !== null) return;
  const exited = new Promise((resolve) => g.child.once('exit', resolve));
  g.child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  if (g.child.exitCode === null) g.child.kill('SIGKILL');
}

/** A documentation-range client address, so that one test's rate limit does not touch another's. */
const freshAddress = () => `198.18.${randomInt(0, 256)}.${randomInt(1, 255)}`;

async function gql(
  g: Gateway,
  query: string,
  token?: string,
  address = freshAddress(),
): Promise<{ status: number; body: { data?: Record<string, unknown>; errors?: { extensions: { code: string } }[] } }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Forwarded-For': address };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${g.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as never };
}

async function readsOn(g: Gateway, target: 'primary' | 'replica', purpose = 'rollups'): Promise<number> {
  const text = await (
    await fetch(`${g.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  return text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('hgw_db_reads_total{') &&
        l.includes(`purpose="${purpose}"`) &&
        l.includes(target === 'primary' ? 'target="primary"' : 'target="replica-1'),
    )
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

const readyz = async (g: Gateway) => (await (await fetch(`${g.url}/readyz`)).json()) as { status: string };

const aggregate = (groupBy: string, filter = '') =>
  `{ aggregate(query: { dataset: "hotline-cases", measures: ["cases"], groupBy: [${groupBy}]${filter} }) { rows { keys } dataVersion auditEventId } }`;
const BY_CITY = aggregate('{ dimension: "area", level: "city" }');
const BY_KIND = aggregate('{ dimension: "kind" }');
const BY_CHANNEL = aggregate('{ dimension: "channel" }');
const BY_MONTH = aggregate('{ dimension: "time", level: "month" }');
const BY_OUTCOME = aggregate('{ dimension: "outcome" }');

describe('scale-out cluster: primary, streaming standby, Redis, two gateways', () => {
  let data: DataSource;
  let a: Gateway | undefined;
  let b: Gateway | undefined;
  let steward: string;
  // One DATA_DIR for both: instances that share an audit chain share its signing key.
  let dataDir: string;
  const primaryVersion = async () =>
    (
      await data.query<{ v: string }[]>(
        `SELECT string_agg(series || ':' || version, ',' ORDER BY series) AS v FROM rollup_state`,
      )
    )[0].v;

  beforeAll(async () => {
    ensureBuilt();
    data = createDataSource(PRIMARY_URL, { poolSize: 4 });
    await data.initialize();
    await migrate(data);
    await insertReferenceData(data);
    await insertCases(data, { count: 3000, seed: 23 });
    dataDir = mkdtempSync(join(tmpdir(), 'hgw-cluster-gw-'));
    chmodSync(dataDir, 0o755);
    const boot = await run(
      process.execPath,
      [join(root, 'bin/hotline-gateway.js'), 'bootstrap', '--name', 'Cluster steward', '--json'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: PRIMARY_URL, DATA_DIR: dataDir },
      },
    );
    steward = (JSON.parse(boot.stdout) as { apiKey: string }).apiKey;
    a = await startGateway('A', dataDir);
    b = await startGateway('B', dataDir);
  });
  afterAll(async () => {
    await Promise.all([stopGateway(a), stopGateway(b)]);
    if (data?.isInitialized) await data.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves aggregate reads from the replica, at the primary rollup version (counted per target)', async () => {
    const version = await primaryVersion();
    await within(10_000, async () => (await readyz(a!)).status === 'ready' && (await readyz(b!)).status === 'ready');
    for (const g of [a!, b!]) {
      const before = await readsOn(g, 'replica');
      for (const q of [BY_CITY, BY_KIND]) {
        const res = await gql(g, q, steward);
        expect(res.body.errors).toBeUndefined();
        expect((res.body.data!.aggregate as { dataVersion: string }).dataVersion).toBe(version);
      }
      expect(await readsOn(g, 'replica')).toBe(before + 2);
    }
  });

  it('never answers from a replica behind the primary after an import', async () => {
    await insertCases(data, { count: 200, seed: 24, from: '2022-01-01', to: '2022-01-31' });
    const version = await primaryVersion();
    // B learns of the rebuild by NOTIFY; the replica may still be replaying it: B waits or reads the primary.
    const res = await gql(b!, BY_MONTH, steward);
    expect(res.body.errors).toBeUndefined();
    const answer = res.body.data!.aggregate as { dataVersion: string; rows: { keys: string[] }[] };
    expect(answer.dataVersion).toBe(version);
    expect(answer.rows.map((r) => r.keys[0])).toContain('2022-01');
  });

  it('refuses on instance B a key revoked on instance A, at the next request', async () => {
    const created = await gql(
      a!,
      `mutation { createApiKey(input: { name: "cluster check" }) { apiKey key { id } } }`,
      steward,
    );
    expect(created.body.errors).toBeUndefined();
    const { apiKey, key } = created.body.data!.createApiKey as { apiKey: string; key: { id: string } };
    expect((await gql(b!, '{ me { authMethod } }', apiKey)).body.errors).toBeUndefined();
    const revoked = await gql(a!, `mutation { revokeApiKey(id: "${key.id}") { revokedAt } }`, steward);
    expect(revoked.body.errors).toBeUndefined();
    const refused = await gql(b!, '{ me { authMethod } }', apiKey);
    expect(refused.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('charges one daily licence quota across both instances', async () => {
    const principal = await gql(
      a!,
      `mutation { createPrincipal(input: { name: "Cluster researcher", role: "researcher",
        organization: { kind: "university", nameZh: "集群测试大学", nameEn: "Cluster Test University" } }) { id } }`,
      steward,
    );
    expect(principal.body.errors).toBeUndefined();
    const principalId = (principal.body.data!.createPrincipal as { id: string }).id;
    const key = await gql(
      a!,
      `mutation { createApiKey(input: { name: "quota check", principalId: "${principalId}" }) { apiKey } }`,
      steward,
    );
    const researcher = (key.body.data!.createApiKey as { apiKey: string }).apiKey;
    const requested = await gql(
      b!,
      `mutation { requestLicense(input: { purpose: "Cluster check: cases by city", validFrom: "2026-01-01", validTo: "2027-12-31", dailyQuota: 3,
        acceptObligations: ["no-reidentification", "no-onward-sharing", "cite-source", "report-publications"],
        datasets: [{ dataset: "hotline-cases", dimensions: [{ dimension: "area", level: "city" }] }] }) { id } }`,
      researcher,
    );
    expect(requested.body.errors).toBeUndefined();
    const licenseId = (requested.body.data!.requestLicense as { id: string }).id;
    // Four eyes: the steward who created the researcher may not approve its licence; a second one does.
    const approverPrincipal = await gql(
      a!,
      `mutation { createPrincipal(input: { name: "Cluster approver", role: "steward",
        organization: { kind: "hotline-centre", nameZh: "集群热线中心", nameEn: "Cluster hotline centre" } }) { id } }`,
      steward,
    );
    const approverId = (approverPrincipal.body.data!.createPrincipal as { id: string }).id;
    const approverKey = await gql(
      a!,
      `mutation { createApiKey(input: { name: "approver", principalId: "${approverId}" }) { apiKey } }`,
      steward,
    );
    const approver = (approverKey.body.data!.createApiKey as { apiKey: string }).apiKey;
    expect(
      (await gql(a!, `mutation { approveLicense(id: "${licenseId}") { status } }`, approver)).body.errors,
    ).toBeUndefined();
    const underLicence = aggregate('{ dimension: "area", level: "city" }', `, licenseId: "${licenseId}"`);
    const codes: (string | undefined)[] = [];
    for (const g of [a!, b!, a!, b!])
      codes.push((await gql(g, underLicence, researcher)).body.errors?.[0].extensions.code);
    expect(codes).toEqual([undefined, undefined, undefined, 'QUOTA_EXCEEDED']);
  });

  it('enforces one rate limit across both instances (Redis)', async () => {
    const address = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await gql(i % 2 === 0 ? a! : b!, '{ __typename }', undefined, address)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('keeps one unbroken audit chain with both instances writing', async () => {
    const ids = await Promise.all(
      [a!, b!, a!, b!].map(async (g) => {
        const res = await gql(g, BY_CITY, steward);
        return (res.body.data!.aggregate as { auditEventId: string }).auditEventId;
      }),
    );
    expect(new Set(ids).size).toBe(4);
    const verified = await run(process.execPath, [join(root, 'bin/hotline-gateway.js'), 'audit', 'verify', '--json'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: PRIMARY_URL, DATA_DIR: dataDir },
    });
    const report = JSON.parse(verified.stdout) as { ok: boolean; firstBrokenSeq: number | null; eventsChecked: number };
    expect(report).toMatchObject({ ok: true, firstBrokenSeq: null });
    expect(report.eventsChecked).toBeGreaterThanOrEqual(4);
  });

  it('answers from the primary while the replica is stopped, and uses the replica again when it is back', async () => {
    await run(STANDBY_CONTROL, ['stop']);
    const stoppedAt = Date.now();
    await within(2_500, async () => (await readyz(a!)).status === 'degraded');
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(2_500);
    const primaryBefore = await readsOn(a!, 'primary');
    const res = await gql(a!, BY_CHANNEL, steward);
    expect(res.body.errors).toBeUndefined();
    expect(await readsOn(a!, 'primary')).toBe(primaryBefore + 1);
    expect((await gql(b!, BY_CHANNEL, steward)).body.errors).toBeUndefined();

    await run(STANDBY_CONTROL, ['start']);
    await within(90_000, async () => (await readyz(a!)).status === 'ready');
    const replicaBefore = await readsOn(a!, 'replica');
    const again = await gql(a!, BY_OUTCOME, steward);
    expect(again.body.errors).toBeUndefined();
    expect(await readsOn(a!, 'replica')).toBe(replicaBefore + 1);
  });
});
