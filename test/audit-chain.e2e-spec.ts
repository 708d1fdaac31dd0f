import { INestApplication } from '@nestjs/common';
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Actor } from '../src/access-policy/actor.js';
import { GENESIS_HASH, hashEvent, IntegrityReport } from '../src/audit/audit-chain.js';
import { AuditChainWriter } from '../src/audit/audit-chain-writer.js';
import { AuditCheckpointer } from '../src/audit/audit-checkpointer.js';
import {
  eventFromRow,
  EventRow,
  exportAuditLog,
  verifyExportFile,
  verifyStoredChain,
} from '../src/audit/audit-integrity.js';
import { AuditRecorder } from '../src/audit/audit-recorder.js';
import {
  checkpointsFilePath,
  loadSigningKey,
  publicKeyPath,
  publishPublicKey,
} from '../src/audit/audit-signing-key.js';
import { toPending } from '../src/audit/audit.service.js';
import { createApp } from '../src/bootstrap/create-app.js';
import { runCli } from '../src/cli/cli.js';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { createTestDatabase } from './utils/test-database.js';

const researcher: Actor = { role: 'researcher', principalId: 'p-r', organizationId: 'org', authMethod: 'api-key' };

describe('audit chain with two gateway instances', () => {
  let t: TestApp;
  let second: { app: INestApplication; dataSource: DataSource; config: AppConfig };
  let keyDir: string;

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'hgw-audit-key-'));
    const env = { AUDIT_SIGNING_KEY_FILE: join(keyDir, 'audit.key'), AUDIT_CHECKPOINT_EVERY: '1000' };
    t = await createTestApp(env);
    const dataDir = mkdtempSync(join(tmpdir(), 'hgw-test-data-'));
    const config = loadConfig({ DATABASE_URL: t.dbUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
    const dataSource = createDataSource(t.dbUrl, { poolSize: 10 });
    await dataSource.initialize();
    const app = await createApp(config, dataSource);
    await app.init();
    second = { app, dataSource, config };
  });
  afterAll(async () => {
    await t.close();
    rmSync(second.config.dataDir, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('keeps one unbroken chain while both write at once, and checkpoints on clean shutdown', async () => {
    const a = t.app.get(AuditRecorder);
    const b = second.app.get(AuditRecorder);
    const writes: Promise<{ id: string }>[] = [];
    for (let i = 0; i < 300; i++) {
      const event = { operation: 'aggregate', decision: 'allowed' as const, query: { i }, resultSize: i };
      writes.push((i % 2 ? a : b).record(researcher, event));
    }
    const ids = (await Promise.all(writes)).map((r) => Number(r.id));
    expect(new Set(ids).size).toBe(300);
    await second.app.close();
    if (second.dataSource.isInitialized) await second.dataSource.destroy();
    const report = await verifyStoredChain(t.dataSource, t.config);
    expect(report).toMatchObject({ ok: true, eventsChecked: 300, lastSeq: 300, firstBrokenSeq: null });
    // The instance that stopped signed the head on its way out.
    const lines = readFileSync(checkpointsFilePath(second.config), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]).seq).toBe(300);
    expect(report).toMatchObject({ lastCheckpointSeq: 300, unanchoredEvents: 0 });
  });
});

describe('audit chain writers with stale tails', () => {
  it('re-read the head when another writer appended since, and never fork the chain', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'hgw-test-data-'));
    const dataSource = createDataSource(db.url, { poolSize: 6 });
    try {
      await dataSource.initialize();
      await migrate(dataSource);
      const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      const writers = [new AuditChainWriter(dataSource), new AuditChainWriter(dataSource)];
      const event = (n: number) =>
        toPending({ ...researcher, requestId: `s${n}` }, { operation: 'aggregate', decision: 'allowed', query: { n } });
      // Alternating one by one: every append but the first two finds its writer's tail stale.
      const seqs: number[] = [];
      for (let n = 0; n < 12; n++) seqs.push(await writers[n % 2].append(event(n)));
      expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      // Then both at once, in bursts, so batches chained on a tail that loses the race retry.
      const burst = await Promise.all(Array.from({ length: 200 }, (_, n) => writers[n % 3 ? 0 : 1].append(event(n))));
      expect(new Set(burst).size).toBe(200);
      expect(Math.min(...burst)).toBe(13);
      expect(Math.max(...burst)).toBe(212);
      await Promise.all(writers.map((w) => w.close()));
      const report = await verifyStoredChain(dataSource, config);
      expect(report).toMatchObject({ ok: true, eventsChecked: 212, lastSeq: 212, firstBrokenSeq: null });
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** A database with a 20-event chain, checkpoints at 5, 10, 15 and 20, and the key and file of a gateway. */
async function chainFixture() {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'hgw-test-data-'));
  const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const dataSource = createDataSource(db.url, { poolSize: 4 });
  await dataSource.initialize();
  await migrate(dataSource);
  const key = loadSigningKey(config, true)!;
  publishPublicKey(config, key);
  const writer = new AuditChainWriter(dataSource);
  const checkpointer = new AuditCheckpointer(dataSource, key, checkpointsFilePath(config), () => undefined);
  const event = (i: number) =>
    toPending(
      { ...researcher, requestId: `r${i}` },
      {
        operation: 'aggregate',
        decision: 'allowed',
        datasetSlug: 'hotline-cases',
        query: { n: i, text: '苏州 \u0000' },
      },
    );
  for (let i = 1; i <= 20; i++) {
    await writer.append(event(i));
    if (i % 5 === 0) await checkpointer.checkpoint();
  }
  await writer.close();
  /** Appends `n` more events, then a checkpoint. */
  const append = async (n: number) => {
    const more = new AuditChainWriter(dataSource);
    for (let i = 1; i <= n; i++) await more.append(event(100 + i));
    await more.close();
    await checkpointer.checkpoint();
  };
  /** Runs SQL as a database superuser who first switches the append-only triggers off. */
  const asSuperuser = async (fn: (q: (sql: string, p?: unknown[]) => Promise<unknown>) => Promise<void>) => {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('ALTER TABLE audit_event DISABLE TRIGGER USER');
      await runner.query('ALTER TABLE audit_checkpoint DISABLE TRIGGER USER');
      await fn((sql, p) => runner.query(sql, p));
    } finally {
      for (const table of ['audit_event', 'audit_checkpoint']) {
        await runner.query(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${table}_append_only`);
        await runner.query(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${table}_no_truncate`);
      }
      await runner.release();
    }
  };
  const offline = async (): Promise<IntegrityReport> => {
    const out = join(dataDir, `export-${Date.now()}-${Math.random()}.jsonl`);
    await exportAuditLog(dataSource, config, out);
    return verifyExportFile(out, readFileSync(publicKeyPath(config), 'utf8'));
  };
  return {
    config,
    dataSource,
    asSuperuser,
    append,
    online: () => verifyStoredChain(dataSource, config),
    offline,
    close: async () => {
      await dataSource.destroy();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Fixture = Awaited<ReturnType<typeof chainFixture>>;

describe('tamper detection (online and offline)', () => {
  let f: Fixture;
  afterEach(async () => {
    await f?.close();
  });

  const expectBroken = async (seq: number, reason: RegExp) => {
    for (const report of [await f.online(), await f.offline()]) {
      expect(report).toMatchObject({ ok: false, firstBrokenSeq: seq });
      expect(report.reason).toMatch(reason);
    }
  };

  it('passes the untouched chain, anchored to its last checkpoint', async () => {
    f = await chainFixture();
    for (const report of [await f.online(), await f.offline()]) {
      expect(report).toMatchObject({ ok: true, eventsChecked: 20, checkpointsChecked: 4, unanchoredEvents: 0 });
    }
  });

  it('names the event whose content was changed', async () => {
    f = await chainFixture();
    await f.asSuperuser((q) =>
      q(`UPDATE audit_event SET principal_id = 'someone-else' WHERE seq = 7`).then(() => undefined),
    );
    await expectBroken(7, /event 7 has been altered/);
  });

  it('names the deleted event', async () => {
    f = await chainFixture();
    await f.asSuperuser((q) => q(`DELETE FROM audit_event WHERE seq = 7`).then(() => undefined));
    await expectBroken(7, /event 7 is missing/);
  });

  it('names the first of two reordered events', async () => {
    f = await chainFixture();
    await f.asSuperuser(async (q) => {
      await q(`UPDATE audit_event SET seq = -1, id = -1 WHERE seq = 7`);
      await q(`UPDATE audit_event SET seq = 7, id = 7 WHERE seq = 8`);
      await q(`UPDATE audit_event SET seq = 8, id = 8 WHERE seq = -1`);
    });
    await expectBroken(7, /event 7 does not link to event 6/);
  });

  it('names the first event cut from the tail', async () => {
    f = await chainFixture();
    await f.asSuperuser((q) => q(`DELETE FROM audit_event WHERE seq > 17`).then(() => undefined));
    await expectBroken(18, /vouches for 20 events but the chain ends at 17/);
  });

  it('catches a superuser who edits an event, recomputes every later hash and deletes the stored checkpoints', async () => {
    f = await chainFixture();
    await f.asSuperuser(async (q) => {
      await q(`UPDATE audit_event SET reason = 'rewritten' WHERE seq = 14`);
      const rows = (await q(
        `SELECT seq, prev_hash, hash, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
           principal_id, role, organization_id, api_key_id, license_id, operation, dataset_slug, query, result_size,
           cells_suppressed, decision, reason, target, request_id, client_address FROM audit_event ORDER BY seq`,
      )) as EventRow[];
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const e = { ...eventFromRow(row), prevHash: prev };
        const hash = hashEvent(e);
        await q(`UPDATE audit_event SET prev_hash = $1, hash = $2 WHERE seq = $3`, [prev, hash, e.seq]);
        prev = hash;
      }
      await q(`DELETE FROM audit_checkpoint`);
    });
    // The chain alone now looks perfect; the signed checkpoints kept in the file outside it do not match.
    await expectBroken(11, /checkpoint at event 15 does not match the chain: events 11\.\.15 were rewritten/);
  });
});

describe('hotline-gateway audit verify / export', () => {
  let f: Fixture;
  const saved = { ...process.env };
  let stdout: string[];
  let stderr: string[];

  beforeAll(async () => {
    f = await chainFixture();
    process.env = {
      ...saved,
      DATABASE_URL: f.config.databaseUrl,
      DATA_DIR: f.config.dataDir,
      LOG_LEVEL: 'silent',
    };
  });
  beforeEach(() => {
    stdout = [];
    stderr = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    process.env = saved;
    await f.close();
  });

  it('refuses an offline check without a public key (exit 2)', async () => {
    expect(await runCli(['audit', 'verify', '--file', 'x.jsonl'])).toBe(2);
    expect(stderr.join('')).toMatch(/offline verify needs both --file and --public-key/);
  });

  it('exits 0 on an intact chain, online and offline on an export', async () => {
    expect(await runCli(['audit', 'verify', '--json'])).toBe(0);
    expect(JSON.parse(stdout.join(''))).toMatchObject({ ok: true, eventsChecked: 20 });
    const out = join(f.config.dataDir, 'cli-export.jsonl');
    expect(await runCli(['audit', 'export', '--out', out])).toBe(0);
    expect(await runCli(['audit', 'export', '--out', out])).toBe(2);
    expect(stderr.join('')).toMatch(/exists; choose a new file/);
    const pub = publicKeyPath(f.config);
    expect(await runCli(['audit', 'verify', '--file', out, '--public-key', pub])).toBe(0);
    expect(stdout.join('')).toMatch(/intact: 20 events/);
  });

  it('exports into DATA_DIR by default; offline, leaves out checkpoints newer than the export and says so, and still catches a cut file', async () => {
    expect(await runCli(['audit', 'export', '--json'])).toBe(0);
    const { out } = JSON.parse(stdout.pop()!) as { out: string };
    expect(out.startsWith(join(f.config.dataDir, 'audit', 'export-'))).toBe(true);
    // The auditor fetches the checkpoints later, when the chain has grown (a checkpoint at 25).
    await f.append(5);
    const kept = join(f.config.dataDir, 'kept-checkpoints.jsonl');
    writeFileSync(kept, readFileSync(checkpointsFilePath(f.config), 'utf8'));
    const pub = publicKeyPath(f.config);
    expect(await runCli(['audit', 'verify', '--file', out, '--public-key', pub, '--checkpoints', kept, '--json'])).toBe(
      0,
    );
    const report = JSON.parse(stdout.pop()!) as IntegrityReport;
    expect(report).toMatchObject({ ok: true, lastSeq: 20, checkpointsChecked: 4, unanchoredEvents: 0 });
    expect(report.notes).toEqual([
      expect.stringMatching(/^1 checkpoint\(s\) after event 20, where this export ends, were not checked/),
    ]);
    expect(await runCli(['audit', 'verify', '--file', out, '--public-key', pub, '--checkpoints', kept])).toBe(0);
    expect(stderr.join('')).toMatch(/note: 1 checkpoint\(s\) after event 20/);

    // The same export with its last two events and the checkpoint vouching for them removed: only
    // the header still says where it ended.
    const cut = join(f.config.dataDir, 'cut-export.jsonl');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const kept20 = lines.filter((l) => !(l.includes('"type":"checkpoint"') && l.includes('"seq":20,')));
    expect(kept20.length).toBe(lines.length - 1);
    writeFileSync(cut, kept20.slice(0, -2).join('\n') + '\n');
    expect(await runCli(['audit', 'verify', '--file', cut, '--public-key', pub, '--json'])).toBe(1);
    const broken = JSON.parse(stdout.pop()!) as IntegrityReport;
    expect(broken).toMatchObject({ ok: false, firstBrokenSeq: 19 });
    expect(broken.reason).toMatch(/header says it ends at event 20 but its events end at 18/);
  });

  it('exits 1 naming the first broken entry, online and offline', async () => {
    const out = join(f.config.dataDir, 'cli-export-tampered.jsonl');
    await f.asSuperuser((q) => q(`UPDATE audit_event SET result_size = 0 WHERE seq = 3`).then(() => undefined));
    expect(await runCli(['audit', 'verify'])).toBe(1);
    expect(stderr.join('')).toMatch(/audit log broken at event 3: event 3 has been altered/);
    expect(await runCli(['audit', 'export', '--out', out])).toBe(0);
    expect(await runCli(['audit', 'verify', '--file', out, '--public-key', publicKeyPath(f.config), '--json'])).toBe(1);
    expect(JSON.parse(stdout.filter((l) => l.startsWith('{')).pop()!)).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });
});
