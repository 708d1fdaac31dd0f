import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../src/bootstrap/server-node-flags.js';
import { stopChild } from './stop-child.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface RunningServer {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

export { ensureBuilt } from './ensure-built.js';

/** The real server process (`dist/src/main.js`, as `npm start` runs it) on the given database. */
export async function startServer(env: Record<string, string>, timeoutMs = 180_000): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hgw-portal-'));
  const child: ChildProcess = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_PRINCIPAL: '100000',
      RATE_LIMIT_PER_ADDRESS: '100000',
      ...env,
    },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!url) {
    url = /portal: (http:\/\/\S+?)\/? /.exec(out)?.[1];
    if (url) break;
    if (child.exitCode !== null) throw new Error(`the server exited: ${out}`);
    if (Date.now() > deadline) {
      await stopChild(child, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`the server did not start in time: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    output: () => out,
    stop: async () => {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The demo keys the server prints when it loads the demo into an empty database. */
export function demoKeys(output: string): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const m of output.matchAll(/demo (\w+)\s.*?Authorization: Bearer (hgw_\S+)/g)) keys[m[1]] = m[2];
  return keys;
}
