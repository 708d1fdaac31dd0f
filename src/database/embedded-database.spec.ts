import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, findFreePort, isProcessAlive, LockInfo } from './embedded-database.js';

describe('embedded database lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hgw-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const info = (pid: number): LockInfo => ({ pid, port: 5555, kind: 'server', startedAt: new Date().toISOString() });

  it('takes a free lock and records the owner', async () => {
    const lockPath = join(dir, 'gateway.lock');
    await expect(acquireLock(lockPath, info(process.pid))).resolves.toEqual({ acquired: true });
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
  });

  it('refuses when a live process holds it, and names the owner', async () => {
    const lockPath = join(dir, 'gateway.lock');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      writeFileSync(lockPath, JSON.stringify(info(other.pid as number)));
      const sut = await acquireLock(lockPath, info(process.pid));
      expect(sut).toEqual({ acquired: false, owner: expect.objectContaining({ pid: other.pid, port: 5555 }) });
    } finally {
      const exited = new Promise((r) => other.once('exit', r));
      other.kill();
      await exited;
    }
  });

  it('replaces a stale lock left by a dead process', async () => {
    const lockPath = join(dir, 'gateway.lock');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    expect(isProcessAlive(dead.pid as number)).toBe(false);
    writeFileSync(lockPath, JSON.stringify(info(dead.pid as number)));
    await expect(acquireLock(lockPath, info(process.pid))).resolves.toEqual({ acquired: true });
  });
});

describe(findFreePort.name, () => {
  it('skips a port that is taken', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1' }, () => r()));
    const taken = (server.address() as { port: number }).port;
    try {
      const sut = await findFreePort(taken);
      expect(sut).not.toBe(taken);
      expect(sut).toBeGreaterThan(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
