import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../src/bootstrap/server-node-flags.js';
import { createTestDatabase } from './utils/test-database.js';
import { ensureBuilt } from './utils/ensure-built.js';
import { stopChild } from './utils/stop-child.js';

const root = join(import.meta.dirname, '..');

/** Child process ids of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  return out === '' ? [] : out.split('\n').map((l) => Number(l.trim()));
}

/** WORKERS=2: one server process per worker behind one port, sharing one database and one rate limit. */
describe('WORKERS (node:cluster)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    // Whatever the test did: the server and its workers are gone before the database is.
    await stopChild(child);
    await db?.drop();
  });

  it('starts two workers on one port, enforces one rate limit across them, and stops them all on SIGTERM', async () => {
    child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(root, 'dist/src/main.js')], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        WORKERS: '2',
        TRUST_PROXY: 'loopback',
        PORT: '0',
        SEED_DEMO: 'false',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_ADDRESS: '6',
        RATE_LIMIT_PER_PRINCIPAL: '1000',
      },
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child!.on('exit', (code) => r(code)));
    const deadline = Date.now() + 90_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /GraphQL: (http:\/\/\S+)\/graphql/.exec(output)?.[1];
      if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('2 worker processes');
    expect(childrenOf(child.pid!)).toHaveLength(2);

    // Six requests from one address are allowed and the seventh refused, although each comes on a
    // new connection and the cluster hands connections to the workers in turn.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await postOnNewConnection(`${url}/graphql`));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);

    const workers = childrenOf(child.pid!);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workers.filter((pid) => existsProcess(pid))).toEqual([]);
  });
});

function postOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '198.18.77.7', Connection: 'close' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query: '{ __typename }' }));
  });
}

function existsProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
