/**
 * npm run bench:profile [-- --cases 30000] [--seconds 10] [--concurrency 32] [--cache off] [--seed S]
 *
 * Where one gateway process spends its CPU under the realistic mix: the gateway runs with
 * `node --cpu-prof` (on the benchmark database of `--cases`, loaded by bench:query or bench:peer),
 * the mix runs for `--seconds` after 3 s of warm-up, and the profile of the measured seconds is
 * summarized: the share of CPU under each part of the request path (inclusive: a frame of that part
 * anywhere on the stack) and the packages' own (self) time. The .cpuprofile stays in .bench/profiles
 * for Chrome DevTools.
 */
import { Command, Option } from 'commander';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { createAccounts } from './accounts.js';
import { benchDatabaseUrl, load, log } from './bench-data.js';
import { root, startGateway, stopGateway } from './gateway-process.js';
import { runHttp } from './http-load.js';
import { mixRequests } from './mix-requests.js';
import { wholeNumber } from './options.js';
import { generateWorkload } from './workload.js';

const AGG = `query Bench($q: AggregateQueryInput!) { aggregate(query: $q) { columns rows { keys cells { value flags } } disclosure { suppressedCells } auditEventId } }`;

/** Parts of the request path, by the script URL or function name of a frame. */
const PARTS: [string, RegExp][] = [
  ['the pg driver and TypeORM (database round trips)', /node_modules\/(pg|pg-pool|pg-protocol|typeorm)\//],
  ['Express, its router and middleware (and all they call)', /node_modules\/(express|router|body-parser)\//],
  ['Apollo Server', /node_modules\/@apollo\/server\//],
  ['graphql-jit', /node_modules\/graphql-jit\//],
  ['the aggregate engine (src/aggregate)', /dist\/src\/aggregate\//],
  ['the audit (src/audit)', /dist\/src\/audit\//],
  ['disclosure control (src/disclosure)', /dist\/src\/disclosure\//],
  ['licensing (src/licensing)', /dist\/src\/licensing\//],
  ['authentication and API keys', /dist\/src\/(api-keys|access-policy)\//],
  ['rate limiting (src/rate-limit)', /dist\/src\/rate-limit\//],
  ['request logging (pino)', /node_modules\/(pino|pino-http|pino-std-serializers)\/|dist\/src\/logging\//],
  ['metrics (prom-client, src/metrics)', /node_modules\/prom-client\/|dist\/src\/metrics\//],
  ['validation (class-validator, class-transformer)', /node_modules\/(class-validator|class-transformer)\//],
];

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Inclusive shares of PARTS and self time by package over the last `seconds` of a profile. */
function summarizeProfile(profile: CpuProfile, seconds: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map<number, number>();
  let at = 0;
  const end = profile.timeDeltas.reduce((a, b) => a + b, 0);
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    if (at >= end - seconds * 1e6) time.set(id, (time.get(id) ?? 0) + profile.timeDeltas[i]);
  });
  const total = [...time.values()].reduce((a, b) => a + b, 0);
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  for (const [id, t] of time) {
    const frame = byId.get(id)!.callFrame;
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
    const own = pkg ?? (frame.url.includes('/dist/src/') ? 'the gateway (src/)' : frame.functionName || '(native)');
    self.set(own, (self.get(own) ?? 0) + t);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const url = byId.get(x)!.callFrame.url;
      for (const [name, re] of PARTS) if (!seen.has(name) && re.test(url)) seen.add(name);
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1)}%`;
  return [
    `${(total / 1e6).toFixed(1)} s of samples`,
    '',
    '| part of the request path (inclusive) | CPU |',
    '|---|---:|',
    ...PARTS.map(([name]) => [name, inclusive.get(name) ?? 0] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([name, t]) => `| ${name} | ${pct(t)} |`),
    '',
    '| own (self) time, top 15 | CPU |',
    '|---|---:|',
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, t]) => `| ${name} | ${pct(t)} |`),
  ];
}

async function main(): Promise<void> {
  const opts = new Command('bench:profile')
    .option('--cases <n>', 'generated cases', wholeNumber(), 30_000)
    .option('--seconds <n>', 'seconds profiled', wholeNumber(), 10)
    .option('--concurrency <n>', 'connections at once', wholeNumber(), 32)
    .addOption(new Option('--cache <on|off>', 'the result cache').choices(['on', 'off']).default('on'))
    .option('--database-url <url>', 'the database (default: BENCH_DATABASE_URL with a database per size)')
    .option('--seed <seed>', 'seed of the realistic workload', 'hotline-bench')
    .parse()
    .opts<{ cases: number; seconds: number; concurrency: number; cache: string; databaseUrl?: string; seed: string }>();
  const url = benchDatabaseUrl(opts.cases, opts.databaseUrl);
  await load(url, opts.cases, false);
  const dir = join(root, '.bench', 'profiles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.env.BENCH_SERVER_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${dir}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const workload = generateWorkload({ seed: opts.seed });
  const gateway = await startGateway(url, opts.cache === 'on');
  try {
    const mix = mixRequests(workload, await createAccounts(url, agent, gateway.port, workload.accounts), AGG);
    await runHttp('warm-up', gateway.port, 3, opts.concurrency, mix.next);
    const r = await runHttp('mix', gateway.port, opts.seconds, opts.concurrency, mix.next);
    log(`realistic mix: ${r.rps.toFixed(0)} req/s, p95 ${r.p95.toFixed(0)} ms, ${r.errors} errors`);
  } finally {
    await stopGateway(gateway.child);
    agent.destroy();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile was written to ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  process.stdout.write([`profile: ${join(dir, file)}`, ...summarizeProfile(profile, opts.seconds)].join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
