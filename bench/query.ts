/**
 * npm run bench:query [-- --cases 3000000 | --small | --full] [--seconds 10] [--rounds 5] [--concurrency 32]
 *                     [--database-url postgres://...] [--reload] [--generate-only] [--rebuild-rollups]
 *                     [--per-query] [--seed S] [--storage-only]
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
import { Command } from 'commander';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createAccounts } from './accounts.js';
import { benchDatabaseUrl, load, log, storage } from './bench-data.js';
import { rollupReads, root, startGateway, stopGateway } from './gateway-process.js';
import { Phases, post, responseBytes, runHttp } from './http-load.js';
import { wholeNumber } from './options.js';
import { FixedReplay, realisticMix, TYPENAME_BODY } from './query-workload.js';
import { QUERY_PHASE as PHASE, QueryRun, queryReport, Rounds, saveQueryRun, storageReport } from './report.js';
import { sqlCompiler } from './sql-floor.js';
import { generateWorkload } from './workload.js';

function args() {
  const opts = new Command('bench:query')
    .option('--cases <n>', 'generated cases', wholeNumber(1000), 3_000_000)
    .option('--small', '300,000 cases')
    .option('--full', '30,000,000 cases')
    .option('--seconds <n>', 'seconds per measured phase', wholeNumber(1), 10)
    .option('--rounds <n>', 'times every phase is repeated (medians and spread over them)', wholeNumber(1), 5)
    .option('--concurrency <n>', 'connections (and database loops) at once', wholeNumber(1), 32)
    .option('--database-url <url>', 'the database (default: BENCH_DATABASE_URL with a database per size)')
    .option('--seed <seed>', 'seed of the realistic workload', 'hotline-bench')
    .option('--reload', 'regenerate the cases even if already loaded')
    .option('--generate-only', 'load (or reuse) the cases and stop before building rollups')
    .option('--rebuild-rollups', 'rebuild the rollups even if their layout has not changed (to time the build)')
    .option('--per-query', 'also run each fixed query alone (2 s each, cache on): throughput and response size')
    .option('--storage-only', 'load (or reuse) the cases and the rollups, print the disk they take per case, and stop')
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
      storageOnly?: boolean;
    }>();
  const cases = opts.full ? 30_000_000 : opts.small ? 300_000 : opts.cases;
  return { ...opts, cases, url: benchDatabaseUrl(cases, opts.databaseUrl) };
}

/** Seconds of warm-up before a phase: longer in the first round (V8, plans, the result cache). */
const WARM_UP_SECONDS = [2, 0.5];

async function main(): Promise<void> {
  const opts = args();
  await load(opts.url, opts.cases, opts.reload ?? false, opts.generateOnly, opts.rebuildRollups);
  if (opts.generateOnly) return;
  if (opts.storageOnly) {
    process.stdout.write(storageReport(await storage(opts.url), opts.cases).join('\n') + '\n');
    return;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const fixed = new FixedReplay();
  const rounds = new Rounds();
  const hitRatios: number[] = [];
  const firstRun: number[] = [];
  const perQuery: QueryRun['perQuery'] = [];
  const workload = generateWorkload({ seed: opts.seed });
  const loadBefore = loadavg()[0];

  const main = await startGateway(opts.url, true, 'compiled');
  const interpreted = await startGateway(opts.url, true, 'interpreted');
  const off = await startGateway(opts.url, false, 'compiled');
  const pool = new pg.Pool({ connectionString: opts.url, max: 20 });
  try {
    for (const g of [main, interpreted, off]) {
      for (let i = 0; i < 50; i++) await post(agent, g.port, TYPENAME_BODY);
    }
    // Each fixed query once, one at a time: with the cache on, this is its cold (uncached) latency.
    for (const [i, b] of fixed.bodies.entries()) {
      const t0 = process.hrtime.bigint();
      const { status, text } = await post(agent, main.port, b, fixed.request(i).headers);
      if (status !== 200 || text.includes('"errors"')) throw new Error(`fixed query ${i + 1} failed: ${text}`);
      firstRun.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    log(`creating ${workload.accounts.length} accounts and their keys through the API`);
    const credentials = await createAccounts(opts.url, agent, main.port, workload.accounts);
    const mix = realisticMix(workload, credentials);
    log(
      `realistic mix: ${workload.requests.length} requests, ${mix.cacheOn.distinct} distinct questions, seed ${workload.seed}`,
    );
    const compile = await sqlCompiler(pool);
    const direct = (sql: { sql: string; params: unknown[] }[]) => async (i: number) => {
      const c = sql[i % sql.length];
      await pool.query(c.sql, c.params);
      return true;
    };
    const fixedDirect = direct(fixed.sql(compile));
    const mixDirect = direct(mix.cacheOn.sql(compile));

    for (let round = 0; round < opts.rounds; round++) {
      log(`round ${round + 1} of ${opts.rounds}`);
      const phases = new Phases(
        { seconds: opts.seconds, warmSeconds: WARM_UP_SECONDS[Math.min(round, 1)], concurrency: opts.concurrency },
        (result) => rounds.add(result),
      );
      let i = 0;
      await phases.http(PHASE.typename, main.port, () => ({ body: TYPENAME_BODY }));
      // The mix with the cache on: its hit ratio from the gateway's own count of rollup reads.
      await phases.warmHttp(main.port, mix.cacheOn.next);
      const readsBefore = await rollupReads(main.port);
      const aggregatesBefore = mix.cacheOn.aggregatesSent;
      await phases.measureHttp(PHASE.mix, main.port, mix.cacheOn.next);
      const reads = (await rollupReads(main.port)) - readsBefore;
      hitRatios.push(1 - reads / (mix.cacheOn.aggregatesSent - aggregatesBefore));
      await phases.http(PHASE.mixOff, off.port, mix.cacheOff.next);
      await phases.loop(PHASE.mixFloor, mixDirect);
      await phases.http(PHASE.fixed, main.port, () => fixed.request(i++));
      await phases.http(PHASE.fixedInterpreted, interpreted.port, () => fixed.request(i++));
      await phases.http(PHASE.fixedOff, off.port, () => fixed.request(i++));
      await phases.loop(PHASE.fixedFloor, fixedDirect);
    }
    if (opts.perQuery) {
      for (const [q, body] of fixed.bodies.entries()) {
        const bytes = await responseBytes(main.port, body, fixed.token(q));
        const r = await runHttp(`query ${q + 1}`, main.port, 2, opts.concurrency, () => fixed.request(q));
        perQuery.push({ query: q + 1, bytes, rps: r.rps, p50: r.p50 });
      }
    }
  } finally {
    await Promise.all([main, interpreted, off].map((g) => stopGateway(g.child)));
    await pool.end();
    agent.destroy();
  }

  const run: QueryRun = {
    cases: opts.cases,
    concurrency: opts.concurrency,
    seconds: opts.seconds,
    rounds,
    load: [loadBefore, loadavg()[0]],
    cores: cpus().length,
    firstRun,
    hitRatios,
    storage: await storage(opts.url),
    perQuery,
  };
  const smaller = saveQueryRun(join(root, '.bench'), run);
  process.stdout.write(queryReport(run, smaller).join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
