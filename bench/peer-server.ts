/**
 * PostGraphile 4 + @graphile/pg-aggregates (bench/peer/) as a child process: installed on demand
 * with `npm ci --prefix bench/peer`, started on a benchmark database, and asked for its schema.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { log } from './bench-data.js';
import { GatewayProcess, printedPort, root } from './gateway-process.js';
import { post } from './http-load.js';

const PEER_DIR = join(root, 'bench', 'peer');

/** Installs the peer from its own lock file when it is missing. */
export function ensurePeerInstalled(): void {
  if (existsSync(join(PEER_DIR, 'node_modules', 'postgraphile', 'package.json'))) return;
  log('installing PostGraphile 4 and @graphile/pg-aggregates into bench/peer (npm ci --prefix bench/peer)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const done = spawnSync(npm, ['ci', '--prefix', PEER_DIR, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (done.status !== 0) throw new Error(`npm ci --prefix bench/peer failed with status ${done.status}`);
}

export async function startPeer(url: string): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [join(PEER_DIR, 'server.cjs')], {
    env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { port: await printedPort(child, 'PostGraphile'), child };
}

/** The peer's connection field of each table (`rollup_cases_month_city` → `allRollupCasesMonthCities`). */
export async function peerFields(agent: http.Agent, port: number): Promise<Map<string, string>> {
  const { text } = await post(
    agent,
    port,
    JSON.stringify({
      query: `{ __schema { queryType { fields { name type { name } } } types { name fields { name type { kind name ofType { kind name ofType { kind name ofType { name } } } } } } } }`,
    }),
  );
  type T = { name: string | null; ofType?: T | null };
  const schema = (
    JSON.parse(text) as {
      data: {
        __schema: {
          queryType: { fields: { name: string; type: { name: string | null } }[] };
          types: { name: string; fields: { name: string; type: T }[] | null }[];
        };
      };
    }
  ).data.__schema;
  const innermost = (t: T): string | null => (t.ofType ? innermost(t.ofType) : t.name);
  const nodeOfConnection = new Map<string, string>();
  for (const t of schema.types) {
    const nodes = t.fields?.find((f) => f.name === 'nodes');
    if (t.name.endsWith('Connection') && nodes) nodeOfConnection.set(t.name, innermost(nodes.type) ?? '');
  }
  const fields = new Map<string, string>();
  for (const f of schema.queryType.fields) {
    const node = f.type.name ? nodeOfConnection.get(f.type.name) : undefined;
    // PostGraphile names a table's type by the table in UpperCamelCase, singular (our tables already are).
    if (node) fields.set(node.toLowerCase(), f.name);
  }
  return fields;
}
