import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { generateCases } from '../src/ingest/generate/case-generator.js';
import { CASE_CSV_HEADER, caseToCsv } from '../src/ingest/generate/output-formats.js';
import { TEST_PAUSE_VARIABLE } from '../src/ingest/import/test-pause.js';
import { createTestDatabase } from './utils/test-database.js';
import { ensureBuilt } from './utils/ensure-built.js';
import { stopChild } from './utils/stop-child.js';

/**
 * A real crash at the worst moment: the command line imports a file, stops inside the open
 * transaction of its third batch (cases written, progress not yet recorded; the test-only pause of
 * src/ingest/import/test-pause.ts), is SIGKILLed there, and is run again. The database must hold
 * the two committed batches only after the kill, and after the rerun exactly what a clean import
 * of the file holds: no duplicates, nothing missing, the same repeat links.
 */
const root = join(import.meta.dirname, '..');
const run = promisify(execFile);
const CASES = 30_000;
const BATCH = 1_000;

const DIGEST = `
  SELECT count(*)::int AS n, count(DISTINCT c.case_number)::int AS distinct_numbers,
    count(c.repeat_of_id)::int AS linked,
    md5(string_agg(concat_ws('|', c.case_number, c.received_at, c.closed_at, c.kind, c.category_l3, c.district_code,
      c.department_code, c.request_text, c.reply_text, c.reply_fingerprint, c.caller_pseudonym, p.case_number),
      ',' ORDER BY c.case_number)) AS digest
  FROM case_record c LEFT JOIN case_record p ON p.id = c.repeat_of_id`;

interface Digest {
  n: number;
  distinct_numbers: number;
  linked: number;
  digest: string;
}

describe('import killed with SIGKILL', () => {
  let killed: Awaited<ReturnType<typeof createTestDatabase>>;
  let clean: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let file: string;
  let caseNumbers: string[];
  let child: ChildProcess | undefined;

  const cli = (url: string, args: string[]) => ({
    args: [join(root, 'bin/hotline-gateway.js'), 'import', file, '--profile', '12345', ...args],
    env: { ...process.env, DATABASE_URL: url, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' },
  });
  async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    ensureBuilt({ web: false });
    killed = await createTestDatabase();
    clean = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'hgw-kill-'));
    file = join(dir, 'cases.csv');
    const cases = [...generateCases({ cases: CASES, from: '2021-01-01', to: '2021-12-31', seed: 'kill' })];
    caseNumbers = cases.map((c) => c.caseNumber);
    writeFileSync(file, [CASE_CSV_HEADER.join(','), ...cases.map(caseToCsv)].join('\n') + '\n');
    // Both databases migrated up front, so the import's own time is all import.
    for (const url of [killed.url, clean.url]) {
      await run(process.execPath, [join(root, 'bin/hotline-gateway.js'), 'migrate'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: url, DATA_DIR: join(dir, 'data') },
      });
    }
  });
  afterAll(async () => {
    // A failed test may leave the paused import running: it must not outlive the file.
    await stopChild(child, 'SIGKILL');
    await killed?.drop();
    await clean?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('leaves whole batches only, and a rerun completes the file exactly as a clean import', async () => {
    // The import stops inside the open transaction of its third batch, its cases inserted but not
    // committed (src/ingest/import/test-pause.ts), and is killed there.
    const pauseFile = join(dir, 'paused-in-batch.json');
    const first = cli(killed.url, ['--batch-size', String(BATCH)]);
    child = spawn(process.execPath, first.args, {
      cwd: root,
      env: { ...first.env, [TEST_PAUSE_VARIABLE]: `3:${pauseFile}` },
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    for (let waited = 0; !existsSync(pauseFile); waited += 50) {
      if (waited > 180_000) throw new Error('the import did not reach its third batch within 180 s');
      if (child.exitCode !== null) throw new Error(`the import exited (${child.exitCode}) before its third batch`);
      await sleep(50);
    }
    const paused = JSON.parse(readFileSync(pauseFile, 'utf8')) as {
      batch: number;
      inserted: number;
      sessionPid: number;
    };
    expect(paused).toMatchObject({ batch: 3, inserted: BATCH });
    // Half-written: the batch's rows are in its open transaction, invisible to everyone else.
    const [session] = await query<{ state: string; xact_start: Date | null }>(
      killed.url,
      `SELECT state, xact_start FROM pg_stat_activity WHERE pid = $1`,
      [paused.sessionPid],
    );
    expect(session.state).toBe('idle in transaction');
    expect(session.xact_start).not.toBeNull();
    const [before] = await query<{ committed_lines: number; stored: number }>(
      killed.url,
      `SELECT committed_lines, (SELECT count(*)::int FROM case_record) AS stored FROM import_batch`,
    );
    expect(before).toEqual({ committed_lines: 2 * BATCH, stored: 2 * BATCH });

    child.kill('SIGKILL');
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });

    // Wait for the server to notice the dead client and roll back its open transaction.
    for (let waited = 0; ; waited += 100) {
      const others = await query<{ n: number }>(
        killed.url,
        `SELECT count(*)::int n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      if (others[0].n === 0) break;
      if (waited > 60_000) throw new Error('the killed import still holds a connection after 60 s');
      await sleep(100);
    }

    const [batch] = await query<{ status: string; committed_lines: number; accepted: number; duplicates: number }>(
      killed.url,
      `SELECT status, committed_lines, accepted, duplicates FROM import_batch`,
    );
    expect(batch.status).toBe('running');
    // The two committed batches, and nothing of the third.
    expect(batch.committed_lines).toBe(2 * BATCH);
    expect(batch).toMatchObject({ accepted: batch.committed_lines, duplicates: 0 });
    // Exactly the first committed_lines rows of the file, nothing of a half-written batch.
    const stored = await query<{ case_number: string }>(killed.url, `SELECT case_number FROM case_record`);
    expect(stored).toHaveLength(2 * BATCH);
    expect(stored.map((r) => r.case_number).sort()).toEqual(caseNumbers.slice(0, batch.committed_lines).sort());
    // Their days were marked for the rollups in the same transactions.
    const undirty = await query<{ n: number }>(
      killed.url,
      `SELECT count(DISTINCT (received_at AT TIME ZONE 'Asia/Shanghai')::date)::int n FROM case_record
       WHERE (received_at AT TIME ZONE 'Asia/Shanghai')::date NOT IN (SELECT day FROM rollup_dirty_day WHERE series = 'cases')`,
    );
    expect(undirty[0].n).toBe(0);

    const again = cli(killed.url, ['--batch-size', String(BATCH), '--json']);
    const rerun = await run(process.execPath, again.args, { cwd: root, env: again.env, maxBuffer: 1 << 24 });
    expect(JSON.parse(rerun.stdout)).toMatchObject({
      records: CASES,
      resumedAfter: batch.committed_lines,
      accepted: CASES,
      duplicates: 0,
      rejected: 0,
    });

    const fresh = cli(clean.url, ['--batch-size', String(BATCH), '--json']);
    const cleanRun = await run(process.execPath, fresh.args, { cwd: root, env: fresh.env, maxBuffer: 1 << 24 });
    expect(JSON.parse(cleanRun.stdout)).toMatchObject({ records: CASES, accepted: CASES, resumedAfter: 0 });

    const [afterKill] = await query<Digest>(killed.url, DIGEST);
    const [afterClean] = await query<Digest>(clean.url, DIGEST);
    expect(afterKill).toMatchObject({ n: CASES, distinct_numbers: CASES });
    expect(afterKill.linked).toBeGreaterThan(0);
    expect(afterKill).toEqual(afterClean);
    const statuses = await query<{ status: string }>(killed.url, `SELECT status FROM import_batch`);
    expect(statuses).toEqual([{ status: 'completed' }]);
  }, 600_000);
});
