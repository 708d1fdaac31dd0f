import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../src/bootstrap/server-node-flags.js';
import { ensureBuilt } from './utils/ensure-built.js';
import { stopChild } from './utils/stop-child.js';

/**
 * The real `npm start` path on the embedded database: build, start, second start refused,
 * the CLI joins a running server, clean stop on SIGTERM, data survives a restart.
 */
const root = join(import.meta.dirname, '..');
/** Every server process this file starts, stopped in afterAll whatever happened. */
const started: ChildProcess[] = [];

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Running {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  // As `npm start` runs it.
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(root, 'dist/src/main.js')], {
    cwd: root,
    env: childEnv,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  started.push(child);
  return { child, output: () => out, exited };
}

async function waitFor(running: Running, pattern: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = running.output().match(pattern);
    if (m) return m;
    if (running.child.exitCode !== null) throw new Error(`process exited: ${running.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${pattern}: ${running.output()}`);
}

describe('server process on the embedded database', () => {
  let dataDir: string;
  const env = () => ({ DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'false', LOG_LEVEL: 'warn' });

  beforeAll(() => {
    ensureBuilt();
    const parent = mkdtempSync(join(tmpdir(), 'hgw-proc-'));
    chmodSync(parent, 0o755);
    dataDir = join(parent, 'data');
  });
  afterAll(async () => {
    // Every server this file started is gone (with its embedded PostgreSQL) before its folder is.
    await Promise.all(started.map((child) => stopChild(child)));
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('starts, refuses a second server on the same DATA_DIR, lets the CLI join, stops cleanly and restarts', async () => {
    const first = start(env());
    try {
      const [, url] = await waitFor(first, /GraphQL: (http:\/\/\S+)/);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ datasets { slug } }' }),
      });
      expect(await res.json()).toEqual({ data: { datasets: [{ slug: 'hotline-cases-open' }] } });
      expect((await fetch(url.replace('/graphql', '/readyz'))).status).toBe(200);

      const second = start(env());
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/DATA_DIR .* is in use by a running hotline-gateway server \(pid \d+/);

      const cli = execFileSync(process.execPath, [join(root, 'bin/hotline-gateway.js'), 'migrate', '--json'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir },
      }).toString();
      expect(JSON.parse(cli)).toEqual({ applied: [] });

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(existsSync(join(dataDir, 'gateway.lock'))).toBe(false);
    } finally {
      await stopChild(first.child);
    }

    const again = start(env());
    try {
      await waitFor(again, /ready in/);
      expect(again.output()).not.toMatch(/applied \d+ migration/);
      expect(again.output()).not.toMatch(/creating the embedded PostgreSQL cluster/);
    } finally {
      await stopChild(again.child);
    }
  });
});
