/**
 * The gateway as a child process (bench/server.ts: the real app, as `npm start` starts it), and its
 * Prometheus counters.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../src/bootstrap/server-node-flags.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs from dist/bench/). */
export const root = join(here, '..', '..');

export interface GatewayProcess {
  port: number;
  child: ChildProcess;
}

export async function startGateway(
  url: string,
  cache: boolean,
  executor: 'compiled' | 'interpreted' = 'compiled',
  /** Another build's bench/server.js (bench:floor's --baseline). */
  server = join(root, 'dist', 'bench', 'server.js'),
): Promise<GatewayProcess> {
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the gateway process.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // Started as `npm start` starts the gateway (SERVER_NODE_FLAGS), plus any profiling flags.
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, server], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      HGW_AGGREGATE_CACHE: cache ? 'on' : 'off',
      HGW_GRAPHQL_EXECUTOR: executor,
      DATA_DIR: join(root, '.bench', 'data'),
      // The workload stands in for clients behind a proxy on this machine (X-Forwarded-For).
      TRUST_PROXY: 'loopback',
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { port: await printedPort(child, 'bench server'), child };
}

/** The port a child server prints on standard output (`... port 12345`); rejects if it exits first. */
export function printedPort(child: ChildProcess, name: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

/** The token the benchmarked gateway's `/metrics` requires (METRICS_TOKEN). */
const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';

export async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Rollup reads the gateway has made (`hgw_db_reads_total{purpose="rollups"}`): one per answer that
 * missed the result cache (and one per part of an analysis), none for a hit.
 */
export async function rollupReads(port: number): Promise<number> {
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { Authorization: `Bearer ${BENCH_METRICS_TOKEN}` },
  });
  const text = await metrics.text();
  // Without the counter the hit ratio would read as 1: fail instead.
  if (!metrics.ok) throw new Error(`GET /metrics answered ${metrics.status}: ${text.slice(0, 200)}`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('hgw_db_reads_total{') && line.includes('purpose="rollups"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
