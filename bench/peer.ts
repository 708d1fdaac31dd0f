/**
 * npm run bench:peer [-- --cases 30000] [--seconds 5] [--rounds 5] [--concurrency 32] [--database-url ...] [--seed S]
 *
 * The gateway side by side with the API a data office would otherwise deploy: PostGraphile 4 with
 * @graphile/pg-aggregates 0.1.1 (bench/peer/, installed there on demand with `npm ci --prefix
 * bench/peer`, never by the root `npm ci`), on the same benchmark database (bench/bench-data.ts),
 * one process each. In rounds, every query runs on the gateway with the result cache on, on the
 * gateway with it off, and on PostGraphile, one after the other; the table gives the medians over
 * the rounds and each round's ratio's median. Equivalent questions (bench/peer-queries.ts): the
 * same groupings over the same rollup tables, and over the raw table; the gateway's side is asked
 * with the real keys of the realistic workload's accounts (disclosure control, licences, budgets and
 * audit all apply), PostGraphile's without any.
 */
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { Command } from 'commander';
import pg from 'pg';
import type { AggregateQuery } from '../src/aggregate/query-plan.js';
import { createAccounts, Credential } from './accounts.js';
import { benchDatabaseUrl, load, log } from './bench-data.js';
import { startGateway, stopGateway } from './gateway-process.js';
import { bearer, HttpRequest, PhaseResult, post, runHttp } from './http-load.js';
import { ensurePeerInstalled, peerFields, startPeer } from './peer-server.js';
import { overRaw, overRollup, PeerQuery, planOf } from './peer-queries.js';
import { fmt, fmtSpread, ratios, spread } from './report.js';
import { wholeNumber } from './options.js';
import { AGGREGATE_QUERY, CITY_MONTH, TYPENAME_BODY } from './query-workload.js';
import { catalogOf } from './sql-floor.js';
import { generateWorkload, Workload, WorkloadRequest } from './workload.js';

function args() {
  const opts = new Command('bench:peer')
    .option(
      '--cases <n>',
      'generated cases (the same database as bench:query for that size)',
      wholeNumber(1000),
      30_000,
    )
    .option('--seconds <n>', 'seconds per measured phase', wholeNumber(1), 5)
    .option('--rounds <n>', 'times every phase is repeated', wholeNumber(1), 5)
    .option('--concurrency <n>', 'connections at once', wholeNumber(1), 32)
    .option('--database-url <url>', 'the database (default: BENCH_DATABASE_URL with a database per size)')
    .option('--seed <seed>', 'seed of the realistic workload', 'hotline-bench')
    .parse()
    .opts<{
      cases: number;
      seconds: number;
      rounds: number;
      concurrency: number;
      databaseUrl?: string;
      seed: string;
    }>();
  return { ...opts, url: benchDatabaseUrl(opts.cases, opts.databaseUrl) };
}

const WARM_UP_SECONDS = [2, 0.5];

interface Row {
  name: string;
  /** The gateway's requests, in order. */
  gateway: HttpRequest[];
  /** PostGraphile's requests, in the same order. */
  peer: HttpRequest[];
  distinct: number;
}

const cycle = (list: HttpRequest[]) => {
  let i = 0;
  return () => list[i++ % list.length];
};

async function main(): Promise<void> {
  const opts = args();
  ensurePeerInstalled();
  await load(opts.url, opts.cases, false);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const workload = generateWorkload({ seed: opts.seed });
  const pool = new pg.Pool({ connectionString: opts.url, max: 2 });
  const catalog = await catalogOf(pool);
  await pool.end();
  const loadBefore = loadavg()[0];

  const on = await startGateway(opts.url, true);
  const off = await startGateway(opts.url, false);
  const peer = await startPeer(opts.url);
  const results = new Map<string, Map<'on' | 'off' | 'peer', PhaseResult[]>>();
  let rows: Row[];
  try {
    for (const p of [on.port, off.port, peer.port]) for (let i = 0; i < 50; i++) await post(agent, p, TYPENAME_BODY);
    log(`creating ${workload.accounts.length} accounts and their keys through the API`);
    const credentials = await createAccounts(opts.url, agent, on.port, workload.accounts);
    const fields = await peerFields(agent, peer.port);
    const peerBody = (q: PeerQuery): HttpRequest => {
      const field = fields.get(q.table.replace(/_/g, ''));
      if (!field) throw new Error(`PostGraphile has no connection for table ${q.table}`);
      return { body: JSON.stringify({ query: q.text.replace('ALL_FIELD', field) }) };
    };
    rows = buildRows(workload, credentials, catalog, peerBody);
    for (const row of rows) log(`${row.name}: ${row.gateway.length} requests, ${row.distinct} distinct`);

    for (let round = 0; round < opts.rounds; round++) {
      const warm = WARM_UP_SECONDS[Math.min(round, 1)];
      log(`round ${round + 1} of ${opts.rounds}`);
      for (const row of rows) {
        const byServer = results.get(row.name) ?? new Map<'on' | 'off' | 'peer', PhaseResult[]>();
        results.set(row.name, byServer);
        for (const [server, port, list] of [
          ['on', on.port, row.gateway],
          ['off', off.port, row.gateway],
          ['peer', peer.port, row.peer],
        ] as const) {
          const next = cycle(list);
          await runHttp('warm-up', port, warm, opts.concurrency, next);
          const r = await runHttp(row.name, port, opts.seconds, opts.concurrency, next);
          byServer.set(server, [...(byServer.get(server) ?? []), r]);
        }
      }
    }
  } finally {
    await Promise.all([on, off, peer].map((g) => stopGateway(g.child)));
    agent.destroy();
  }

  const loadAfter = loadavg()[0];
  const lines = [
    `cases: ${opts.cases.toLocaleString('en')}, concurrency ${opts.concurrency}, ${opts.seconds} s per phase, ${opts.rounds} rounds, one process per server, node ${process.version}`,
    `machine: ${cpus().length} cores, 1-min load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
    `req/s: medians over the rounds (min–max); ratios: gateway ÷ PostGraphile within each round, median (min–max)`,
    '',
    '| query | distinct | gateway req/s | gateway, cache off | PostGraphile 4 + pg-aggregates | gateway ÷ PostGraphile | cache off ÷ PostGraphile | p95 ms gateway / cache off / PostGraphile | errors (gateway / off / peer) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const firstErrors: string[] = [];
  for (const row of rows) {
    const r = results.get(row.name)!;
    const rps = (s: 'on' | 'off' | 'peer') => (r.get(s) ?? []).map((x) => x.rps);
    const p95 = (s: 'on' | 'off' | 'peer') => fmt(spread((r.get(s) ?? []).map((x) => x.p95)).median, 1);
    const errors = (s: 'on' | 'off' | 'peer') => (r.get(s) ?? []).reduce((n, x) => n + x.errors, 0);
    lines.push(
      `| ${row.name} | ${row.distinct} | ${fmtSpread(rps('on'), 0)} | ${fmtSpread(rps('off'), 0)} | ${fmtSpread(rps('peer'), 0)} | **${fmtSpread(ratios(rps('on'), rps('peer')), 2)}** | ${fmtSpread(ratios(rps('off'), rps('peer')), 2)} | ${p95('on')} / ${p95('off')} / ${p95('peer')} | ${errors('on')} / ${errors('off')} / ${errors('peer')} |`,
    );
    for (const s of ['on', 'off', 'peer'] as const) {
      const failed = (r.get(s) ?? []).find((x) => x.firstError);
      if (failed) firstErrors.push(`first error, ${row.name} (${s}): ${failed.firstError}`);
    }
  }
  lines.push('', ...firstErrors);
  process.stdout.write(lines.join('\n') + '\n');
}

/** The rows of the table: the trivial query, two named questions, and the realistic mix's expressible parts. */
function buildRows(
  workload: Workload,
  credentials: Map<string, Credential>,
  catalog: Awaited<ReturnType<typeof catalogOf>>,
  peerBody: (q: PeerQuery) => HttpRequest,
): Row[] {
  const departments = new Map(workload.accounts.map((a) => [a.id, a.departmentCode]));
  const steward = credentials.get(workload.accounts.find((a) => a.role === 'steward')!.id)!;
  const gatewayRequest = (r: Pick<WorkloadRequest, 'account' | 'address' | 'licensed'>, q: AggregateQuery) => {
    const credential = r.account ? credentials.get(r.account) : undefined;
    const query = r.licensed ? { ...q, licenseId: credential!.licenseId } : q;
    return {
      body: JSON.stringify({ query: AGGREGATE_QUERY, variables: { q: query } }),
      headers: r.address ? { 'x-forwarded-for': r.address } : bearer(credential?.token),
    };
  };
  const named = (name: string, who: 'public' | 'steward', q: AggregateQuery, raw: boolean): Row => {
    const peerQuestion = raw ? { ...q, measures: ['cases'] } : q;
    const plan = planOf(catalog.defs, catalog.directory, peerQuestion);
    const p = raw ? overRaw(plan, peerQuestion) : overRollup(plan, q);
    if (!p) throw new Error(`${name}: PostGraphile cannot express it`);
    const gateway =
      who === 'public'
        ? gatewayRequest({ address: '10.200.0.7', licensed: false }, q)
        : { ...gatewayRequest({ licensed: false }, q), headers: bearer(steward.token) };
    return { name, gateway: [gateway], peer: [peerBody(p)], distinct: 1 };
  };
  const mix = (name: string, translate: typeof overRollup): Row => {
    const gateway: HttpRequest[] = [];
    const peer: HttpRequest[] = [];
    const keys = new Set<string>();
    const translated = new Map<string, PeerQuery | undefined>();
    for (const r of workload.requests) {
      if (!r.aggregate) continue;
      const department = r.account ? departments.get(r.account) : undefined;
      if (!translated.has(r.key)) {
        translated.set(r.key, translate(planOf(catalog.defs, catalog.directory, r.aggregate), r.aggregate, department));
      }
      const p = translated.get(r.key);
      if (!p) continue;
      gateway.push(gatewayRequest(r, r.aggregate));
      peer.push(peerBody(p));
      keys.add(r.key);
    }
    return { name, gateway, peer, distinct: keys.size };
  };
  const cityCategory: AggregateQuery = {
    dataset: 'hotline-cases',
    groupBy: [
      { dimension: 'area', level: 'city' },
      { dimension: 'category', level: 'l1' },
    ],
    measures: ['cases', 'avgHandlingDays'],
  };
  return [
    {
      name: '`{ __typename }`',
      gateway: [{ body: TYPENAME_BODY }],
      peer: [{ body: TYPENAME_BODY }],
      distinct: 1,
    },
    named('city × month, cases (public, open dataset; peer: the same rollup)', 'public', CITY_MONTH, false),
    named(
      'city × category l1, cases + avg handling days (steward; peer: the same rollup)',
      'steward',
      cityCategory,
      false,
    ),
    named(
      'city × category l1, cases + avg handling days (steward on rollups; peer: raw case_record, cases only)',
      'steward',
      cityCategory,
      true,
    ),
    mix('realistic mix, the part the peer can express over the same rollups', overRollup),
    mix('realistic mix, the part the peer can express over case_record (cases only)', overRaw),
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
