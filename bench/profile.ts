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
import { CpuProfile, summarizeProfile } from './profile-summary.js';

const AGG = `query Bench($q: AggregateQueryInput!) { aggregate(query: $q) { columns rows { keys cells { value flags } } disclosure { suppressedCells } auditEventId } }`;

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
