/**
 * npm run bench:round-trips [-- --cases 30000] [--requests 2000] [--warm-up 500] [--seed S] [--statements]
 *
 * What each request of the realistic mix costs in database round trips, per role: a figure that
 * does not depend on the machine's load. The real app runs in this process (result cache on, as in
 * production), on a database of its own (`hgw_round_trips_<cases>` on BENCH_DATABASE_URL's server,
 * or `--database-url`), with the workload's real accounts and licences; the mix is sent one request
 * at a time, in its order, after `--warm-up` requests, and every `pg` query call this process makes
 * during a request is counted against that request's role (bench/round-trip-counter.ts). One at a
 * time means every audit event is its own batch: under concurrency the audit's group commit shares
 * its round trip between requests, so these are upper bounds for the audit's part.
 * `--statements` also lists each role's statements by how often a request sends them.
 */
import { Command } from 'commander';
import http from 'node:http';
import pg from 'pg';
import 'reflect-metadata';
import { createApp } from '../src/bootstrap/create-app.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { loadConfig } from '../src/config/app-config.js';
import { createAccounts } from './accounts.js';
import { load, log } from './bench-data.js';
import { post } from './http-load.js';
import { mixRequests } from './mix-requests.js';
import { wholeNumber } from './options.js';
import { countRoundTrips, RoundTrips, roundTripsSince, roundTripsSoFar } from './round-trip-counter.js';
import { generateWorkload, Role } from './workload.js';

const AGG = `query Bench($q: AggregateQueryInput!) { aggregate(query: $q) { columns rows { keys cells { value flags } } disclosure { suppressedCells } auditEventId } }`;

type Row = '{ __typename }' | Role;
const ROWS: Row[] = ['{ __typename }', 'public', 'department', 'steward', 'auditor', 'researcher'];

interface Tally {
  requests: number;
  errors: number;
  roundTrips: number;
  transactions: number;
  explicit: number;
  byStatement: Map<string, number>;
}

function add(t: Tally, d: RoundTrips): void {
  t.requests++;
  t.roundTrips += d.roundTrips;
  t.transactions += d.transactions;
  t.explicit += d.explicit;
  for (const [k, v] of d.byStatement) t.byStatement.set(k, (t.byStatement.get(k) ?? 0) + v);
}

async function xacts(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The statistics of other backends reach the shared counters when they go idle (within a second).
    await new Promise((r) => setTimeout(r, 1_500));
    await client.query('SELECT pg_stat_clear_snapshot()');
    const [row] = (
      await client.query<{ n: string }>(
        `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`,
      )
    ).rows;
    return Number(row.n);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const opts = new Command('bench:round-trips')
    .option('--cases <n>', 'generated cases', wholeNumber(), 30_000)
    .option('--requests <n>', 'requests of the mix measured', wholeNumber(), 2_000)
    .option('--warm-up <n>', 'requests of the mix sent first, not counted', wholeNumber(0), 500)
    .option('--database-url <url>', 'the database (default: BENCH_DATABASE_URL, database hgw_round_trips_<cases>)')
    .option('--seed <seed>', 'seed of the realistic workload', 'hotline-bench')
    .option('--statements', 'list the statements each role sends, per request')
    .parse()
    .opts<{
      cases: number;
      requests: number;
      warmUp: number;
      databaseUrl?: string;
      seed: string;
      statements?: boolean;
    }>();
  const url = new URL(
    opts.databaseUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  if (!opts.databaseUrl) url.pathname = `/hgw_round_trips_${opts.cases}`;
  await load(url.toString(), opts.cases, false);

  countRoundTrips();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url.toString(),
    RATE_LIMIT_PER_PRINCIPAL: '1000000000',
    RATE_LIMIT_PER_ADDRESS: '1000000000',
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    HGW_AGGREGATE_CACHE: 'on',
    // The workload's public stands behind a proxy on this machine (X-Forwarded-For).
    TRUST_PROXY: 'loopback',
  });
  const dataSource = createDataSource(url.toString(), { poolSize: 10 });
  await dataSource.initialize();
  const app = await createApp(config, dataSource);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer() as http.Server).address() as { port: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const tallies = new Map<Row, Tally>(
    ROWS.map((r) => [
      r,
      { requests: 0, errors: 0, roundTrips: 0, transactions: 0, explicit: 0, byStatement: new Map() },
    ]),
  );
  try {
    const workload = generateWorkload({ seed: opts.seed });
    const mix = mixRequests(workload, await createAccounts(url.toString(), agent, port.port, workload.accounts), AGG);
    const send = async (row: Row, body: string, headers: Record<string, string>, counted: boolean) => {
      const before = roundTripsSoFar();
      const { status, text } = await post(agent, port.port, body, headers);
      // Work a request starts in the background (a throttled last-use write) is counted with it.
      await new Promise((r) => setImmediate(r));
      const tally = tallies.get(row)!;
      if (status !== 200 || text.includes('"errors"')) {
        if (tally.errors++ === 0) log(`${row}: ${status} ${text.slice(0, 300)}`);
      }
      if (counted) add(tally, roundTripsSince(before));
    };
    for (let i = 0; i < opts.warmUp; i++) {
      const r = mix.next();
      await send(workload.requests[i % workload.requests.length].role, r.body, r.headers ?? {}, false);
    }
    const xactsBefore = await xacts(url.toString());
    const measured = roundTripsSoFar();
    for (let i = 0; i < 200; i++) await send('{ __typename }', JSON.stringify({ query: '{ __typename }' }), {}, true);
    for (let i = opts.warmUp; i < opts.warmUp + opts.requests; i++) {
      const r = mix.next();
      await send(workload.requests[i % workload.requests.length].role, r.body, r.headers ?? {}, true);
    }
    const ours = roundTripsSince(measured).transactions;
    // The server's own count over the same requests (plus this script's single statement, and any
    // autovacuum or autoanalyze of the database meanwhile): a check on the client-side count.
    const serverTransactions = (await xacts(url.toString())) - xactsBefore - 1;
    log(`transactions counted by the client: ${ours}; by the server (pg_stat_database): ${serverTransactions}`);
  } finally {
    agent.destroy();
    await app.close();
    if (dataSource.isInitialized) await dataSource.destroy();
  }
  const per = (n: number, t: Tally) => (t.requests ? (n / t.requests).toFixed(2) : '-');
  const all: Tally = { requests: 0, errors: 0, roundTrips: 0, transactions: 0, explicit: 0, byStatement: new Map() };
  for (const row of ROWS.slice(1)) {
    const t = tallies.get(row)!;
    all.requests += t.requests;
    all.errors += t.errors;
    all.roundTrips += t.roundTrips;
    all.transactions += t.transactions;
    all.explicit += t.explicit;
  }
  const lines = [
    `${opts.requests} requests of the realistic mix (seed ${opts.seed}) after ${opts.warmUp} of warm-up, one at a time, ${opts.cases} cases, result cache on`,
    '',
    '| requests of | measured | errors | round trips / request | transactions / request | of them BEGIN ... COMMIT |',
    '|---|---:|---:|---:|---:|---:|',
    ...[...ROWS.map((r) => [r, tallies.get(r)!] as const), ['whole mix', all] as const].map(
      ([name, t]) =>
        `| ${name} | ${t.requests} | ${t.errors} | ${per(t.roundTrips, t)} | ${per(t.transactions, t)} | ${per(t.explicit, t)} |`,
    ),
  ];
  if (opts.statements) {
    for (const row of ROWS) {
      const t = tallies.get(row)!;
      if (!t.requests) continue;
      lines.push('', `${row}: statements per request`);
      // By the statement's start: the rollup reads of different questions are one line.
      const byStart = new Map<string, number>();
      for (const [text, n] of t.byStatement)
        byStart.set(text.slice(0, 110), (byStart.get(text.slice(0, 110)) ?? 0) + n);
      for (const [text, n] of [...byStart].sort((a, b) => b[1] - a[1])) {
        lines.push(`  ${(n / t.requests).toFixed(3).padStart(7)}  ${text}`);
      }
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
