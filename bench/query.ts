/**
 * npm run bench:query [-- --cases 3000000 | --small | --full] [--seconds 10] [--rounds 5] [--concurrency 32]
 *                     [--database-url postgres://...] [--reload] [--generate-only] [--rebuild-rollups]
 *                     [--per-query] [--seed S]
 *
 * Loads N generated cases straight into case_record (generate_series, seeded), builds the rollups,
 * starts three gateway processes on that database (result cache on; the same on graphql-js's
 * interpreter; result cache off), and then, in rounds that repeat the same phases one after the
 * other (so that every figure has a median and a spread, and each ratio compares phases seconds
 * apart), measures at the same concurrency:
 * - `{ __typename }` (the stack's ceiling);
 * - the realistic mix (bench/workload.ts): many distinct questions from real API keys of every role,
 *   researchers under licences (quota and budget charged), with the result cache on (its hit ratio
 *   is printed) and off, and the same SQL sent straight through `pg` (the database floor);
 * - the fixed replay: 20 fixed bodies with bench-only tokens (bench/fixed-workload.ts), on each
 *   server, and its SQL through `pg`.
 * Results are kept in .bench/query-<N>.json so that a 3M run can be compared with a 300k run.
 */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createAccounts } from './accounts.js';
import { benchDatabaseUrl, load, log, storage } from './bench-data.js';
import { FIXED_WORKLOAD } from './fixed-workload.js';
import { rollupReads, root, startGateway, stopGateway } from './gateway-process.js';
import { bearer, HttpRequest, PhaseResult, post, quantile, runHttp, runLoop } from './http-load.js';
import { mixRequests } from './mix-requests.js';
import { fmt, fmtSpread, ratios, Rounds, spread } from './report.js';
import { sqlCompiler } from './sql-floor.js';
import { generateWorkload } from './workload.js';

const whole = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`a whole number of at least ${min}`);
  return n;
};

function args() {
  const opts = new Command('bench:query')
    .option('--cases <n>', 'generated cases', whole(1000), 3_000_000)
    .option('--small', '300,000 cases')
    .option('--full', '30,000,000 cases')
    .option('--seconds <n>', 'seconds per measured phase', whole(1), 10)
    .option('--rounds <n>', 'times every phase is repeated (medians and spread over them)', whole(1), 5)
    .option('--concurrency <n>', 'connections (and database loops) at once', whole(1), 32)
    .option('--database-url <url>', 'the database (default: BENCH_DATABASE_URL with a database per size)')
    .option('--seed <seed>', 'seed of the realistic workload', 'hotline-bench')
    .option('--reload', 'regenerate the cases even if already loaded')
    .option('--generate-only', 'load (or reuse) the cases and stop before building rollups')
    .option('--rebuild-rollups', 'rebuild the rollups even if their layout has not changed (to time the build)')
    .option('--per-query', 'also run each fixed query alone (2 s each, cache on): throughput and response size')
    .parse()
    .opts<{
      cases: number;
      small?: boolean;
      full?: boolean;
      seconds: number;
      rounds: number;
      concurrency: number;
      databaseUrl?: string;
      seed: string;
      reload?: boolean;
      generateOnly?: boolean;
      rebuildRollups?: boolean;
      perQuery?: boolean;
    }>();
  const cases = opts.full ? 30_000_000 : opts.small ? 300_000 : opts.cases;
  return { ...opts, cases, url: benchDatabaseUrl(cases, opts.databaseUrl) };
}

/** Seconds of warm-up before a phase: longer in the first round (V8, plans, the result cache). */
const WARM_UP_SECONDS = [2, 0.5];

const AGG = `query Bench($q: AggregateQueryInput!) { aggregate(query: $q) { columns rows { keys cells { value flags } } disclosure { suppressedCells } auditEventId } }`;
const TYPENAME = '{"query":"{ __typename }"}';

const PHASE = {
  typename: '{ __typename }',
  mix: 'realistic mix',
  mixOff: 'realistic mix, result cache off',
  mixFloor: 'realistic mix, same SQL straight through pg',
  fixed: 'fixed replay (20 bodies, cache warm)',
  fixedInterpreted: 'fixed replay, graphql-js executor',
  fixedOff: 'fixed replay, result cache off',
  fixedFloor: 'fixed replay, same SQL straight through pg',
} as const;

async function main(): Promise<void> {
  const opts = args();
  await load(opts.url, opts.cases, opts.reload ?? false, opts.generateOnly, opts.rebuildRollups);
  if (opts.generateOnly) return;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const fixedBodies = FIXED_WORKLOAD.map((w) => JSON.stringify({ query: AGG, variables: { q: w.query } }));
  const fixedRequest = (i: number): HttpRequest => ({
    body: fixedBodies[i % fixedBodies.length],
    headers: bearer(FIXED_WORKLOAD[i % fixedBodies.length].token),
  });
  const rounds = new Rounds();
  const hitRatios: number[] = [];
  const firstRun: number[] = [];
  const perQuery: { query: number; bytes: number; rps: number; p50: number }[] = [];
  const workload = generateWorkload({ seed: opts.seed });
  const loadBefore = loadavg()[0];

  const main = await startGateway(opts.url, true, 'compiled');
  const interpreted = await startGateway(opts.url, true, 'interpreted');
  const off = await startGateway(opts.url, false, 'compiled');
  const pool = new pg.Pool({ connectionString: opts.url, max: 20 });
  try {
    for (const g of [main, interpreted, off]) {
      for (let i = 0; i < 50; i++) await post(agent, g.port, TYPENAME);
    }
    // Each fixed query once, one at a time: with the cache on, this is its cold (uncached) latency.
    for (const [i, b] of fixedBodies.entries()) {
      const t0 = process.hrtime.bigint();
      const { status, text } = await post(agent, main.port, b, bearer(FIXED_WORKLOAD[i].token));
      if (status !== 200 || text.includes('"errors"')) throw new Error(`fixed query ${i + 1} failed: ${text}`);
      firstRun.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    log(`creating ${workload.accounts.length} accounts and their keys through the API`);
    const credentials = await createAccounts(opts.url, agent, main.port, workload.accounts);
    // Each server reads the mix in order from its own cursor, as its own population would ask it.
    const mixOn = mixRequests(workload, credentials, AGG);
    const mixOff = mixRequests(workload, credentials, AGG);
    log(
      `realistic mix: ${workload.requests.length} requests, ${mixOn.distinct} distinct questions, seed ${workload.seed}`,
    );
    const compile = await sqlCompiler(pool);
    const fixedSql = FIXED_WORKLOAD.map((w) =>
      compile(
        w.query,
        w.token?.startsWith('bench-department-') ? w.token.slice('bench-department-'.length) : undefined,
      ),
    );
    const mixSql = mixOn.sql(compile);
    const direct = (sql: { sql: string; params: unknown[] }[]) => async (i: number) => {
      const c = sql[i % sql.length];
      await pool.query(c.sql, c.params);
      return true;
    };
    const fixedDirect = direct(fixedSql);
    const mixDirect = direct(mixSql);

    for (let round = 0; round < opts.rounds; round++) {
      const warm = WARM_UP_SECONDS[Math.min(round, 1)];
      log(`round ${round + 1} of ${opts.rounds}`);
      const http = async (name: string, port: number, next: () => HttpRequest) => {
        await runHttp('warm-up', port, warm, opts.concurrency, next);
        return rounds.add(await runHttp(name, port, opts.seconds, opts.concurrency, next));
      };
      const loop = async (name: string, once: (i: number) => Promise<boolean>) => {
        await runLoop('warm-up', warm, opts.concurrency, once);
        return rounds.add(await runLoop(name, opts.seconds, opts.concurrency, once));
      };
      let i = 0;
      await http(PHASE.typename, main.port, () => ({ body: TYPENAME }));
      // The mix with the cache on: its hit ratio from the gateway's own count of rollup reads.
      await runHttp('warm-up', main.port, warm, opts.concurrency, mixOn.next);
      const readsBefore = await rollupReads(main.port);
      const aggregatesBefore = mixOn.aggregatesSent;
      rounds.add(await runHttp(PHASE.mix, main.port, opts.seconds, opts.concurrency, mixOn.next));
      const reads = (await rollupReads(main.port)) - readsBefore;
      hitRatios.push(1 - reads / (mixOn.aggregatesSent - aggregatesBefore));
      await http(PHASE.mixOff, off.port, mixOff.next);
      await loop(PHASE.mixFloor, mixDirect);
      await http(PHASE.fixed, main.port, () => fixedRequest(i++));
      await http(PHASE.fixedInterpreted, interpreted.port, () => fixedRequest(i++));
      await http(PHASE.fixedOff, off.port, () => fixedRequest(i++));
      await loop(PHASE.fixedFloor, fixedDirect);
    }
    if (opts.perQuery) {
      for (const [q, body] of fixedBodies.entries()) {
        const size = await responseBytes(main.port, body, FIXED_WORKLOAD[q].token);
        const r = await runHttp(`query ${q + 1}`, main.port, 2, opts.concurrency, () => ({
          body,
          headers: bearer(FIXED_WORKLOAD[q].token),
        }));
        perQuery.push({ query: q + 1, bytes: size, rps: r.rps, p50: r.p50 });
      }
    }
  } finally {
    await Promise.all([main, interpreted, off].map((g) => stopGateway(g.child)));
    await pool.end();
    agent.destroy();
  }

  const loadAfter = loadavg()[0];
  const disk = await storage(opts.url);
  const rps = rounds.rps;
  const p95 = rounds.p95;
  const sortedFirst = [...firstRun].sort((a, b) => a - b);
  const lines = [
    `cases: ${opts.cases.toLocaleString('en')}, concurrency ${opts.concurrency}, ${opts.seconds} s per phase, ${opts.rounds} rounds, node ${process.version}`,
    `machine: ${cpus().length} cores, 1-min load average ${loadBefore.toFixed(1)} before the phases, ${loadAfter.toFixed(1)} after`,
    `medians over the rounds, (min–max) beside them; ratios are taken within each round`,
    '',
    ...rounds.table(),
    '',
    `realistic mix, cache off ÷ the same SQL straight through pg: ${fmtSpread(ratios(rps(PHASE.mixOff), rps(PHASE.mixFloor)), 2)} (target >= 0.7)`,
    `realistic mix ÷ __typename throughput: ${fmtSpread(ratios(rps(PHASE.mix), rps(PHASE.typename)), 2)}; cache off: ${fmtSpread(ratios(rps(PHASE.mixOff), rps(PHASE.typename)), 2)}`,
    `realistic mix p95: ${fmtSpread(p95(PHASE.mix), 2)} ms (target < 50 ms at 3M); cache off: ${fmtSpread(p95(PHASE.mixOff), 2)} ms`,
    `realistic mix result-cache hit ratio: ${fmtSpread(hitRatios, 2)} (1 - rollup reads / aggregate requests)`,
    `fixed replay ÷ __typename throughput: ${fmtSpread(ratios(rps(PHASE.fixed), rps(PHASE.typename)), 2)}; graphql-js executor: ${fmtSpread(ratios(rps(PHASE.fixedInterpreted), rps(PHASE.typename)), 2)}; cache off ÷ its SQL through pg: ${fmtSpread(ratios(rps(PHASE.fixedOff), rps(PHASE.fixedFloor)), 2)}`,
    `fixed replay p95: ${fmtSpread(p95(PHASE.fixed), 2)} ms; first run of each fixed query (cold cache, one at a time), ms: median ${fmt(quantile(sortedFirst, 0.5))}, max ${fmt(sortedFirst[sortedFirst.length - 1])}; by query: ${firstRun.map((x) => fmt(x, 0)).join(' ')}`,
  ];
  const mb = (b: number) => (b / 1e6).toFixed(0);
  const perCase = (b: number) => (b / opts.cases).toFixed(0);
  const total = disk.parts.reduce((sum, p) => sum + p.tableBytes + p.indexBytes, 0);
  lines.push(
    '',
    `rollup build (all cubes, one year): ${disk.rollupSeconds ?? '-'} s (when they were last built; --rebuild-rollups to time it)`,
    '',
    '| storage | table MB | index MB | table bytes/case | index bytes/case |',
    '|---|---:|---:|---:|---:|',
    ...disk.parts.map(
      (p) =>
        `| ${p.part} | ${mb(p.tableBytes)} | ${mb(p.indexBytes)} | ${perCase(p.tableBytes)} | ${perCase(p.indexBytes)} |`,
    ),
    `| **all** | ${mb(total)} MB | | **${perCase(total)} bytes/case** (target <= 1,000 at 30M) | |`,
  );
  const dir = join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const medians = Object.fromEntries(
    [...rounds.phases.keys()].map((name) => [
      name,
      { rps: spread(rps(name)).median, p95: spread(p95(name)).median } satisfies Pick<PhaseResult, 'rps' | 'p95'>,
    ]),
  );
  writeFileSync(
    join(dir, `query-${opts.cases}.json`),
    JSON.stringify(
      {
        cases: opts.cases,
        load: [loadBefore, loadAfter],
        firstRun,
        medians,
        hitRatios,
        rounds: rounds.toJSON(),
        storage: disk,
      },
      null,
      2,
    ),
  );
  // Side by side with every smaller run kept in .bench/ (300k for 3M; 300k and 3M for 30M).
  for (const smaller of [300_000, 3_000_000].filter((n) => n < opts.cases)) {
    const file = join(dir, `query-${smaller}.json`);
    if (!existsSync(file)) continue;
    const other = JSON.parse(readFileSync(file, 'utf8')) as { medians?: Record<string, { rps: number; p95: number }> };
    const there = other.medians?.[PHASE.mix];
    if (!there) continue;
    lines.push(
      `realistic mix p95 at ${opts.cases.toLocaleString('en')} / p95 at ${smaller.toLocaleString('en')}: ${fmt(medians[PHASE.mix].p95 / there.p95, 2)} (target <= 1.5); cache off: ${fmt(medians[PHASE.mixOff].p95 / (other.medians?.[PHASE.mixOff]?.p95 ?? NaN), 2)}`,
    );
  }
  if (perQuery.length > 0) {
    const typename = spread(rps(PHASE.typename)).median;
    lines.push('', '| fixed query alone (cache on) | response bytes | throughput (req/s) | / __typename | p50 (ms) |');
    lines.push('|---:|---:|---:|---:|---:|');
    for (const q of perQuery) {
      lines.push(`| ${q.query} | ${q.bytes} | ${fmt(q.rps)} | ${fmt(q.rps / typename, 2)} | ${fmt(q.p50, 2)} |`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function responseBytes(port: number, body: string, token?: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body,
  });
  return (await res.arrayBuffer()).byteLength;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
