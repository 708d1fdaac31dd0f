/**
 * npm run bench:floor [-- --cases 30000] [--seconds 3] [--rounds 5] [--concurrency 32]
 *                     [--baseline [label=]<checkout> ...] [--no-peer] [--profile typename|city-month]
 *
 * The gateway's per-request floor: what a request pays when there is nothing to do. Two questions,
 * in rounds, one process per server, the phases of a round seconds apart:
 *  - `{ __typename }` (no key, nothing read);
 *  - the public's city × month of the open dataset, a result-cache hit after the warm-up (no key,
 *    `X-Forwarded-For`; the distinct-query budget and the audit still apply), and PostGraphile's
 *    sums over the same rollup.
 * Beside PostGraphile 4 (bench/peer/, unless --no-peer) and, with `--baseline` (repeatable), the same
 * gateway built from other checkouts (their `dist/`, e.g. a worktree of main: before and after a change
 * in one run).
 * `--profile Q` instead runs this checkout's gateway alone under `node --cpu-prof` on question Q and
 * summarizes the measured seconds (bench/profile-summary.ts) with the top functions by own time.
 */
import { Command, Option } from 'commander';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { benchDatabaseUrl, load, log } from './bench-data.js';
import { GatewayProcess, root, startGateway, stopGateway } from './gateway-process.js';
import { HttpRequest, PhaseResult, post, runHttp } from './http-load.js';
import { wholeNumber } from './options.js';
import { overRollup, planOf } from './peer-queries.js';
import { ensurePeerInstalled, peerFields, startPeer } from './peer-server.js';
import { CpuProfile, summarizeProfile } from './profile-summary.js';
import { processCpuSeconds } from './backend-cpu.js';
import { AGGREGATE_QUERY, CITY_MONTH, TYPENAME_BODY } from './query-workload.js';
import { fmt, fmtSpread, ratios, spread } from './report.js';
import { catalogOf } from './sql-floor.js';

const QUESTIONS = ['typename', 'city-month'] as const;
type Question = (typeof QUESTIONS)[number];
const TITLES: Record<Question, string> = {
  typename: '`{ __typename }`',
  'city-month': 'city × month, public, cache hit (peer: the same rollup)',
};

function args() {
  return new Command('bench:floor')
    .option('--cases <n>', 'generated cases (the same database as bench:peer for that size)', wholeNumber(1000), 30_000)
    .option('--seconds <n>', 'seconds per measured phase', wholeNumber(1), 3)
    .option('--rounds <n>', 'times every phase is repeated', wholeNumber(1), 5)
    .option('--concurrency <n>', 'connections at once', wholeNumber(1), 32)
    .option('--database-url <url>', 'the database (default: BENCH_DATABASE_URL with a database per size)')
    .option(
      '--baseline <[label=]checkout>',
      "another checkout whose built gateway (its dist/) runs beside this one's (repeatable)",
      (value: string, list: string[]) => [...list, value],
      [] as string[],
    )
    .option('--no-peer', 'leave PostGraphile out')
    .addOption(new Option('--question <question>', 'measure this question only').choices(QUESTIONS))
    .addOption(new Option('--profile <question>', 'profile this checkout’s gateway on one question').choices(QUESTIONS))
    .parse()
    .opts<{
      cases: number;
      seconds: number;
      rounds: number;
      concurrency: number;
      databaseUrl?: string;
      baseline: string[];
      peer: boolean;
      profile?: Question;
      question?: Question;
    }>();
}

const gatewayRequests = (): Record<Question, HttpRequest> => ({
  typename: { body: TYPENAME_BODY },
  'city-month': {
    body: JSON.stringify({ query: AGGREGATE_QUERY, variables: { q: CITY_MONTH } }),
    headers: { 'x-forwarded-for': '10.200.0.7' },
  },
});

async function peerRequests(url: string, agent: http.Agent, port: number): Promise<Record<Question, HttpRequest>> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const catalog = await catalogOf(pool);
  await pool.end();
  const q = overRollup(planOf(catalog.defs, catalog.directory, CITY_MONTH), CITY_MONTH);
  if (!q) throw new Error('PostGraphile cannot express city × month');
  const field = (await peerFields(agent, port)).get(q.table.replace(/_/g, ''));
  if (!field) throw new Error(`PostGraphile has no connection for table ${q.table}`);
  return {
    typename: { body: TYPENAME_BODY },
    'city-month': { body: JSON.stringify({ query: q.text.replace('ALL_FIELD', field) }) },
  };
}

async function profile(url: string, question: Question, seconds: number, concurrency: number): Promise<void> {
  const dir = join(root, '.bench', 'profiles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.env.BENCH_SERVER_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${dir}`;
  const gateway = await startGateway(url, true);
  const request = gatewayRequests()[question];
  try {
    await runHttp('warm-up', gateway.port, 3, concurrency, () => request);
    const r = await runHttp(question, gateway.port, seconds, concurrency, () => request);
    log(`${question}: ${r.rps.toFixed(0)} req/s, p95 ${r.p95.toFixed(1)} ms, ${r.errors} errors ${r.firstError ?? ''}`);
  } finally {
    await stopGateway(gateway.child);
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile was written to ${dir}`);
  const cpu = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const load1 = loadavg()[0].toFixed(1);
  process.stdout.write(
    [`profile: ${join(dir, file)} (1-min load average ${load1})`, ...summarizeProfile(cpu, seconds, 30)].join('\n') +
      '\n',
  );
}

async function main(): Promise<void> {
  const opts = args();
  const url = benchDatabaseUrl(opts.cases, opts.databaseUrl);
  await load(url, opts.cases, false);
  if (opts.profile) return profile(url, opts.profile, opts.seconds, opts.concurrency);
  if (opts.peer) ensurePeerInstalled();
  const questions = opts.question ? [opts.question] : QUESTIONS;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const servers: { name: string; process: GatewayProcess; requests: Record<Question, HttpRequest> }[] = [];
  const loadBefore = loadavg()[0];
  const results = new Map<string, PhaseResult[]>();
  const cpuPerRequest = new Map<string, number[]>();
  try {
    servers.push({ name: 'gateway', process: await startGateway(url, true), requests: gatewayRequests() });
    for (const baseline of opts.baseline) {
      const [label, dir] = baseline.includes('=') ? baseline.split('=', 2) : ['baseline', baseline];
      const dist = join(resolve(dir), 'dist', 'bench', 'server.js');
      servers.push({
        name: label,
        process: await startGateway(url, true, 'compiled', dist),
        requests: gatewayRequests(),
      });
    }
    if (opts.peer) {
      const peer = await startPeer(url);
      servers.push({ name: 'PostGraphile', process: peer, requests: await peerRequests(url, agent, peer.port) });
    }
    for (const s of servers) for (let i = 0; i < 50; i++) await post(agent, s.process.port, TYPENAME_BODY);
    for (let round = 0; round < opts.rounds; round++) {
      log(`round ${round + 1} of ${opts.rounds}`);
      for (const q of questions) {
        for (const s of servers) {
          const next = () => s.requests[q];
          await runHttp('warm-up', s.process.port, round === 0 ? 2 : 0.5, opts.concurrency, next);
          const cpuBefore = processCpuSeconds(s.process.child.pid!) ?? NaN;
          const r = await runHttp(q, s.process.port, opts.seconds, opts.concurrency, next);
          const cpu = (processCpuSeconds(s.process.child.pid!) ?? NaN) - cpuBefore;
          results.set(`${s.name} ${q}`, [...(results.get(`${s.name} ${q}`) ?? []), r]);
          cpuPerRequest.set(`${s.name} ${q}`, [
            ...(cpuPerRequest.get(`${s.name} ${q}`) ?? []),
            (cpu * 1e6) / r.requests,
          ]);
        }
      }
    }
  } finally {
    await Promise.all(servers.map((s) => stopGateway(s.process.child)));
    agent.destroy();
  }
  const names = servers.map((s) => s.name);
  const rps = (s: string, q: Question) => (results.get(`${s} ${q}`) ?? []).map((r) => r.rps);
  const others = names.slice(1);
  const lines = [
    `${opts.cases.toLocaleString('en')} cases, concurrency ${opts.concurrency}, ${opts.seconds} s per phase, ${opts.rounds} rounds, one process per server, node ${process.version}`,
    `machine: ${cpus().length} cores, 1-min load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`,
    'req/s: medians over the rounds (min–max); ratios: within each round, then the median (min–max)',
    'CPU µs/request: each server process’s user + system CPU time over a phase ÷ its answers (load-insensitive, unlike req/s)',
    '',
    `| query | ${names.map((n) => `${n} req/s`).join(' | ')} | ${others.map((n) => `gateway ÷ ${n}`).join(' | ')} | ${names.map((n) => `${n} CPU µs/request`).join(' | ')} | p95 ms ${names.join(' / ')} | errors |`,
    `|---|${names.map(() => '---:').join('|')}|${others.map(() => '---:').join('|')}|${names.map(() => '---:').join('|')}|---:|---:|`,
  ];
  for (const q of questions) {
    const p95 = names.map((n) => fmt(spread((results.get(`${n} ${q}`) ?? []).map((r) => r.p95)).median, 1));
    const errors = names.map((n) => (results.get(`${n} ${q}`) ?? []).reduce((a, r) => a + r.errors, 0));
    lines.push(
      `| ${TITLES[q]} | ${names.map((n) => fmtSpread(rps(n, q), 0)).join(' | ')} | ${others.map((n) => `**${fmtSpread(ratios(rps('gateway', q), rps(n, q)), 2)}**`).join(' | ')} | ${names.map((n) => fmtSpread(cpuPerRequest.get(`${n} ${q}`) ?? [], 0)).join(' | ')} | ${p95.join(' / ')} | ${errors.join(' / ')} |`,
    );
  }
  for (const [key, list] of results) {
    const failed = list.find((r) => r.firstError);
    if (failed) lines.push(`first error, ${key}: ${failed.firstError}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
