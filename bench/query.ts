/**
 * npm run bench:query [-- --cases 3000000 | --small | --full] [--seconds 10] [--concurrency 32]
 *                     [--database-url postgres://...] [--reload] [--generate-only] [--rebuild-rollups]
 *
 * Loads N generated cases straight into case_record (generate_series, seeded), builds the rollups,
 * then on one gateway process measures, at the same concurrency: 20 realistic aggregate queries over
 * HTTP (result cache on; the same on graphql-js's interpreter; result cache off), the trivial
 * `{ __typename }` query (the stack's ceiling) and the same 20 SQL statements sent straight through
 * `pg` (the database floor). Results are kept in .bench/query-<N>.json so that a 3M run can be
 * compared with a 300k run.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { planQuery } from '../src/aggregate/query-planner.js';
import { AggregateQuery } from '../src/aggregate/query-plan.js';
import { refreshRollups, ROLLUP_LAYOUT } from '../src/aggregate/rollup-refresher.js';
import { CUBES } from '../src/aggregate/registry.js';
import { compileSql } from '../src/aggregate/sql-compiler.js';
import { SERVER_NODE_FLAGS } from '../src/bootstrap/server-node-flags.js';
import { createDataSource } from '../src/database/data-source.js';
import { migrate } from '../src/database/open-database.js';
import { MemberDirectory, ReferenceRow } from '../src/datasets/member-directory.js';
import type { DatasetDefinition } from '../src/datasets/dataset.entity.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function args() {
  const argv = process.argv.slice(2);
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  let cases = Number(get('cases') ?? 3_000_000);
  if (argv.includes('--small')) cases = 300_000;
  if (argv.includes('--full')) cases = 30_000_000;
  if (!Number.isInteger(cases) || cases < 1000) throw new Error('--cases: a whole number of at least 1000');
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(get('database-url') ?? base);
  if (!get('database-url')) url.pathname = `/hgw_bench_${cases}`;
  return {
    cases,
    seconds: Number(get('seconds') ?? 10),
    concurrency: Number(get('concurrency') ?? 32),
    url: url.toString(),
    reload: argv.includes('--reload'),
    /** Load (or reuse) the cases and stop before building rollups: for a first load in the background. */
    generateOnly: argv.includes('--generate-only'),
    /** Rebuild the rollups of the loaded cases even if their layout has not changed (to time the build). */
    rebuildRollups: argv.includes('--rebuild-rollups'),
    /** Also run each query alone (2 s each, cache on) and print its throughput and response size. */
    perQuery: argv.includes('--per-query'),
  };
}

const CITIES = [
  '320100',
  '320200',
  '320300',
  '320400',
  '320500',
  '320600',
  '320700',
  '320800',
  '320900',
  '321000',
  '321100',
  '321200',
  '321300',
];
const WARM_UP_SECONDS = 2;
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function ensureDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await client.end();
}

type Sql = <T>(text: string, params?: unknown[]) => Promise<T[]>;

/** Reference data, cases and call traffic, generated inside PostgreSQL (seeded). */
async function generate(sql: Sql, cases: number): Promise<void> {
  const started = Date.now();
  await sql(`DELETE FROM app_meta WHERE key IN ('bench_cases', 'bench_rollups')`);
  await sql(`TRUNCATE case_record, call_traffic, area, category, department, rollup_dirty_day`);
  await sql(`INSERT INTO area VALUES ('320000', 'province', NULL, '江苏省', 'Jiangsu')`);
  await sql(`INSERT INTO area SELECT c, 'city', '320000', '城市' || c, 'City ' || c FROM unnest($1::text[]) c`, [
    CITIES,
  ]);
  await sql(
    `INSERT INTO area SELECT left(c, 4) || lpad(d::text, 2, '0'), 'district', c, '区' || left(c, 4) || d, 'District ' || d
    FROM unnest($1::text[]) c, generate_series(1, 8) d`,
    [CITIES],
  );
  await sql(`INSERT INTO area SELECT a.code || lpad(s::text, 3, '0'), 'street', a.code, '街道' || s, 'Street ' || s
    FROM area a, generate_series(1, 10) s WHERE a.level = 'district'`);
  await sql(
    `INSERT INTO category SELECT 'C' || i, 1, NULL, '一级' || i, 'Category ' || i FROM generate_series(0, 11) i`,
  );
  await sql(`INSERT INTO category SELECT 'C' || i || '.' || j, 2, 'C' || i, '二级' || i || '.' || j, 'Sub ' || i || '.' || j
    FROM generate_series(0, 11) i, generate_series(0, 3) j`);
  await sql(`INSERT INTO category SELECT c.code || '.' || k, 3, c.code, '三级' || c.code || '.' || k, 'Detail ' || c.code || '.' || k
    FROM category c, generate_series(0, 2) k WHERE c.level = 2`);
  await sql(
    `INSERT INTO department SELECT c || '-d' || i, '部门' || c || i, 'Department ' || c || ' ' || i, c
    FROM unnest($1::text[]) c, generate_series(0, 11) i`,
    [CITIES],
  );
  // The year's month partitions (the import creates them on demand; this writes past it).
  await sql(`SELECT hgw_ensure_month_partition(t, m::date) FROM unnest(ARRAY['case_record', 'call_traffic']) t,
    generate_series(date '2021-01-01', date '2021-12-01', interval '1 month') m`);
  await sql(`SELECT setseed(0.42)`);
  const chunk = 250_000;
  for (let from = 1; from <= cases; from += chunk) {
    const to = Math.min(cases, from + chunk - 1);
    await sql(
      `INSERT INTO case_record (source, case_number, received_at, closed_at, channel, kind, category_l1, category_l2,
         category_l3, province_code, city_code, district_code, street_code, department_code, outcome, satisfaction,
         repeat_of_id, record_key)
       SELECT 'bench', 'B' || g, rcv,
         CASE WHEN u_closed < 0.92 THEN rcv + make_interval(secs => hd * 86400) END,
         (ARRAY['phone','phone','phone','phone','phone','phone','phone','web','app','wechat'])[1 + floor(u_ch * 10)::int],
         kind, 'C' || l1, 'C' || l1 || '.' || l2, 'C' || l1 || '.' || l2 || '.' || l3, '320000', city,
         left(city, 4) || lpad((1 + di)::text, 2, '0'), left(city, 4) || lpad((1 + di)::text, 2, '0') || lpad((1 + si)::text, 3, '0'),
         city || '-d' || l1,
         CASE WHEN u_closed < 0.92 THEN (ARRAY['solved','solved','solved','partly','unsolved','returned'])[1 + floor(u_out * 6)::int] END,
         (ARRAY['satisfied','satisfied','satisfied','basically','dissatisfied','unrated','unrated'])[1 + floor(u_sat * 7)::int],
         CASE WHEN u_rep < 0.08 THEN g - 1 END, floor(random() * 2147483647)::int
       FROM (
         SELECT g, rcv, city, di, si, l1, l2, l3, kind, u_closed, u_ch, u_out, u_sat, u_rep,
           -ln(1 - random()) * CASE WHEN kind = 'consultation' THEN 1.4 ELSE 4.3 END AS hd
         FROM (
           SELECT g, timestamptz '2021-01-01 00:00+08' + random() * interval '365 days' AS rcv,
             $3::text[] AS cities, floor(power(random(), 1.4) * 13)::int AS ci, floor(random() * 8)::int AS di,
             floor(random() * 10)::int AS si, floor(power(random(), 1.5) * 12)::int AS l1, floor(random() * 4)::int AS l2,
             floor(random() * 3)::int AS l3,
             CASE WHEN random() < 0.49 THEN 'consultation'
               ELSE (ARRAY['help','complaint','report','suggestion','praise'])[1 + floor(random() * 5)::int] END AS kind,
             random() AS u_closed, random() AS u_ch, random() AS u_out, random() AS u_sat, random() AS u_rep
           FROM generate_series($1::int, $2::int) g
         ) a CROSS JOIN LATERAL (SELECT (a.cities)[1 + a.ci] AS city) c
       ) b`,
      [from, to, CITIES],
    );
    log(`cases ${to.toLocaleString('en')} / ${cases.toLocaleString('en')}`);
  }
  await sql(
    `INSERT INTO call_traffic (city_code, hour_start, source, calls_offered, calls_answered, calls_abandoned)
     SELECT c, h, 'bench', o, floor(o * (0.75 + random() * 0.24))::int, 0
     FROM unnest($1::text[]) c, generate_series(timestamptz '2021-01-01 00:00+08', timestamptz '2021-12-31 23:00+08', interval '1 hour') h,
       LATERAL (SELECT (50 + random() * 400)::int AS o) x`,
    [CITIES],
  );
  await sql(`ANALYZE`);
  log(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await sql(`INSERT INTO app_meta (key, value) VALUES ('bench_cases', $1) ON CONFLICT (key) DO UPDATE SET value = $1`, [
    String(cases),
  ]);
}

/** Loads (or reuses) the cases, then builds (or reuses) the rollups. */
async function load(
  url: string,
  cases: number,
  reload: boolean,
  generateOnly = false,
  rebuildRollups = false,
): Promise<void> {
  await ensureDatabase(url);
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  await migrate(ds);
  // The bulk load runs on its own connection without the app's per-statement ceiling.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET statement_timeout = 0`);
  const sql: Sql = async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[];
  const [marker] = await sql<{ value: string }>(`SELECT value FROM app_meta WHERE key = 'bench_cases'`);
  if (marker?.value === String(cases) && !reload) {
    log(`reusing ${cases} cases already loaded in ${new URL(url).pathname.slice(1)}`);
  } else {
    await generate(sql, cases);
  }
  if (generateOnly) {
    await client.end();
    await ds.destroy();
    return;
  }
  // Rollups are rebuilt whenever the cube layout changed since they were built (or with --reload).
  const [built] = await sql<{ value: string }>(`SELECT value FROM app_meta WHERE key = 'bench_rollups'`);
  if (built?.value !== ROLLUP_LAYOUT || reload || rebuildRollups || marker?.value !== String(cases)) {
    for (const table of CUBES.map((c) => c.table)) await sql(`TRUNCATE ${table}`);
    const started = Date.now();
    log('building rollups');
    await sql(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT 'cases', d::date FROM generate_series(date '2021-01-01', date '2021-12-31', interval '1 day') d
       UNION ALL SELECT 'traffic', d::date FROM generate_series(date '2021-01-01', date '2021-12-31', interval '1 day') d
       ON CONFLICT DO NOTHING`,
    );
    const done = await refreshRollups(ds);
    const seconds = (Date.now() - started) / 1000;
    await sql(`ANALYZE`);
    const sizes = await sql<{ t: string; n: string }>(
      `SELECT relname AS t, n_live_tup AS n FROM pg_stat_user_tables WHERE relname LIKE 'rollup_%' ORDER BY 1`,
    );
    log(
      `rollups for ${done.cases} + ${done.traffic} days in ${seconds.toFixed(1)} s: ${sizes.map((s) => `${s.t}=${s.n}`).join(' ')}`,
    );
    await sql(
      `INSERT INTO app_meta (key, value) VALUES ('bench_rollups', $1) ON CONFLICT (key) DO UPDATE SET value = $1`,
      [ROLLUP_LAYOUT],
    );
    await sql(
      `INSERT INTO app_meta (key, value) VALUES ('bench_rollup_seconds', $1) ON CONFLICT (key) DO UPDATE SET value = $1`,
      [seconds.toFixed(1)],
    );
  } else {
    log('reusing rollups built for the current cube layout');
  }
  await client.end();
  await ds.destroy();
}

interface StoragePart {
  part: string;
  tableBytes: number;
  indexBytes: number;
}

/**
 * Disk taken by the records, their keywords, the rollups and the rest, tables (with TOAST) and
 * indexes apart, after a VACUUM so that dead rows of the load do not count.
 */
async function storage(url: string): Promise<{ parts: StoragePart[]; rollupSeconds: string | null }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET statement_timeout = 0`);
    await client.query(`VACUUM`);
    const rows = (
      await client.query<{ relname: string; t: string; i: string }>(
        `SELECT c.relname, pg_table_size(c.oid) AS t, pg_indexes_size(c.oid) AS i
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'm')`,
      )
    ).rows;
    const partOf = (name: string) =>
      name === 'case_record'
        ? 'case records'
        : name === 'case_keyword'
          ? 'case keywords'
          : name.startsWith('rollup_') && name !== 'rollup_state' && name !== 'rollup_dirty_day'
            ? 'rollups'
            : name === 'call_traffic'
              ? 'call traffic'
              : 'other';
    const parts = new Map<string, StoragePart>();
    for (const r of rows) {
      const part = partOf(r.relname);
      const p = parts.get(part) ?? { part, tableBytes: 0, indexBytes: 0 };
      p.tableBytes += Number(r.t);
      p.indexBytes += Number(r.i);
      parts.set(part, p);
    }
    const [seconds] = (
      await client.query<{ value: string }>(`SELECT value FROM app_meta WHERE key = 'bench_rollup_seconds'`)
    ).rows;
    return {
      parts: ['case records', 'case keywords', 'rollups', 'call traffic', 'other'].flatMap((p) =>
        parts.has(p) ? [parts.get(p)!] : [],
      ),
      rollupSeconds: seconds?.value ?? null,
    };
  } finally {
    await client.end();
  }
}

const Y = { dimension: 'time', from: '2021-01', to: '2021-12' };
const SZ = { dimension: 'area', level: 'city', in: ['320500'] };
/** A realistic mix: what departments, researchers and the public ask most. */
export const WORKLOAD: { token?: string; query: AggregateQuery }[] = [
  {
    query: {
      dataset: 'hotline-cases-open',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
      ],
      measures: ['cases'],
      filters: [Y],
    },
  },
  {
    query: {
      dataset: 'hotline-cases-open',
      groupBy: [{ dimension: 'category', level: 'l1' }],
      measures: ['cases', 'avgHandlingDays'],
      filters: [SZ, Y],
    },
  },
  {
    query: {
      dataset: 'hotline-cases-open',
      groupBy: [{ dimension: 'area', level: 'city' }],
      measures: ['consultationShare', 'solvedRate', 'satisfactionRate'],
    },
  },
  {
    query: {
      dataset: 'hotline-cases-open',
      groupBy: [{ dimension: 'channel' }, { dimension: 'time', level: 'quarter' }],
      measures: ['cases'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [
        { dimension: 'area', level: 'district' },
        { dimension: 'time', level: 'month' },
      ],
      measures: ['cases', 'avgHandlingDays'],
      filters: [SZ],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'category', level: 'l2' }],
      measures: ['cases'],
      filters: [{ dimension: 'area', level: 'city', in: ['320100'] }],
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 10,
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'department' }],
      measures: ['cases', 'onTimeRate', 'solvedRate'],
      filters: [SZ],
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 20,
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'kind' }],
      measures: ['medianHandlingDays', 'p90HandlingDays'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'quarter' },
      ],
      measures: ['satisfactionRate'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'category', level: 'l1' }],
      measures: ['repeatRate', 'cases'],
      filters: [{ dimension: 'time', level: 'quarter', in: ['2021-Q2'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'time', level: 'hour' }],
      measures: ['cases'],
      filters: [SZ, { dimension: 'time', level: 'day', in: ['2021-03-15'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'day' },
      ],
      measures: ['cases'],
      filters: [{ dimension: 'time', from: '2021-03-01', to: '2021-03-31' }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'time', level: 'week' }],
      measures: ['cases', 'onTimeRate'],
      filters: [{ dimension: 'category', level: 'l1', in: ['C3'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'area', level: 'street' }],
      measures: ['cases'],
      filters: [{ dimension: 'area', level: 'district', in: ['320501'] }, Y],
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 20,
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'outcome' }, { dimension: 'kind' }],
      measures: ['cases'],
      filters: [SZ, { dimension: 'time', level: 'month', in: ['2021-06'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'call-traffic',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
      ],
      measures: ['answerRate', 'callsOffered'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'call-traffic',
      groupBy: [{ dimension: 'time', level: 'hour' }],
      measures: ['callsOffered', 'answerRate'],
      filters: [SZ, { dimension: 'time', level: 'day', in: ['2021-03-15'] }],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'call-traffic',
      groupBy: [{ dimension: 'time', level: 'day' }],
      measures: ['answerRate'],
      filters: [
        { dimension: 'area', level: 'city', in: ['320200'] },
        { dimension: 'time', from: '2021-Q1', to: '2021-Q1' },
      ],
    },
  },
  {
    token: 'bench-department-320500-d3',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'time', level: 'month' }],
      measures: ['cases', 'avgHandlingDays', 'onTimeRate'],
    },
  },
  {
    token: 'bench-steward',
    query: {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'category', level: 'l3' }],
      measures: ['p90HandlingDays', 'cases'],
      filters: [SZ, { dimension: 'time', level: 'month', in: ['2021-09'] }],
      orderBy: [{ field: 'p90HandlingDays', direction: 'DESC' }],
      limit: 10,
    },
  },
];

const AGG = `query Bench($q: AggregateQueryInput!) { aggregate(query: $q) { columns rows { keys cells { value flags } } disclosure { suppressedCells } auditEventId } }`;

interface PhaseResult {
  name: string;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
}

const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function run(
  name: string,
  seconds: number,
  concurrency: number,
  once: (i: number) => Promise<boolean>,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const i = n++;
        const t0 = process.hrtime.bigint();
        const ok = await once(i).catch(() => false);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (!ok) errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    rps: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
  };
}

function post(agent: http.Agent, port: number, body: string, token?: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve(res.statusCode === 200 && !text.includes('"errors"')));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function startServer(
  url: string,
  cache: boolean,
  executor: 'compiled' | 'interpreted',
): Promise<{ port: number; child: ChildProcess }> {
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the gateway process.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // Started as `npm start` starts the gateway (SERVER_NODE_FLAGS), plus any profiling flags.
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, join(root, 'dist', 'bench', 'server.js')], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      HGW_AGGREGATE_CACHE: cache ? 'on' : 'off',
      HGW_GRAPHQL_EXECUTOR: executor,
      DATA_DIR: join(root, '.bench', 'data'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { port, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function main(): Promise<void> {
  const opts = args();
  await load(opts.url, opts.cases, opts.reload, opts.generateOnly, opts.rebuildRollups);
  if (opts.generateOnly) return;
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const bodies = WORKLOAD.map((w) => JSON.stringify({ query: AGG, variables: { q: w.query } }));
  const results: PhaseResult[] = [];
  const firstRun: number[] = [];
  const perQuery: { query: number; bytes: number; rps: number; p50: number }[] = [];
  const loadBefore = loadavg()[0];

  // Every measured phase first runs its own workload for WARM_UP_SECONDS (V8's optimizing compiler,
  // the result cache and the plans), so that each is measured in its steady state.
  const measure = async (name: string, once: (i: number) => Promise<boolean>) => {
    await run('warm-up', WARM_UP_SECONDS, opts.concurrency, once);
    return run(name, opts.seconds, opts.concurrency, once);
  };
  // The main server (compiled executor, result cache on); the same with graphql-js's interpreter
  // (what the compiled executor gains); the compiled executor with the result cache off.
  const servers = [
    { cache: true, executor: 'compiled', name: 'aggregate (20-query mix)' },
    { cache: true, executor: 'interpreted', name: 'aggregate, graphql-js executor' },
    { cache: false, executor: 'compiled', name: 'aggregate, result cache off' },
  ] as const;
  for (const server of servers) {
    const main = server === servers[0];
    const { port, child } = await startServer(opts.url, server.cache, server.executor);
    try {
      // Each query once, one at a time: with the cache on, this is its cold (uncached) latency. The
      // HTTP and GraphQL stack is warmed first, so that the first query does not pay for it.
      for (let i = 0; i < 50; i++) await post(agent, port, '{"query":"{ __typename }"}');
      for (const [i, b] of bodies.entries()) {
        const t0 = process.hrtime.bigint();
        if (!(await post(agent, port, b, WORKLOAD[i].token))) throw new Error(`workload query ${i + 1} failed: ${b}`);
        if (main) firstRun.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      if (main) results.push(await measure('{ __typename }', () => post(agent, port, '{"query":"{ __typename }"}')));
      results.push(
        await measure(server.name, (i) =>
          post(agent, port, bodies[i % bodies.length], WORKLOAD[i % bodies.length].token),
        ),
      );
      if (main && opts.perQuery) {
        for (const [q, body] of bodies.entries()) {
          const size = await responseBytes(port, body, WORKLOAD[q].token);
          const r = await run(`query ${q + 1}`, 2, opts.concurrency, () => post(agent, port, body, WORKLOAD[q].token));
          perQuery.push({ query: q + 1, bytes: size, rps: r.rps, p50: r.p50 });
        }
      }
    } finally {
      await stopServer(child);
    }
  }

  // The same SQL straight through pg: the database floor.
  const pool = new pg.Pool({ connectionString: opts.url, max: 20 });
  const rows = async <T>(sql: string) => (await pool.query(sql)).rows as T[];
  const directory = new MemberDirectory(
    await rows<ReferenceRow>(`SELECT code, level, name_zh, name_en, parent_code FROM area`),
    await rows<ReferenceRow>(`SELECT code, level::text AS level, name_zh, name_en, parent_code FROM category`),
    await rows<ReferenceRow>(
      `SELECT code, 'department' AS level, name_zh, name_en, area_code AS parent_code FROM department`,
    ),
  );
  const defs = new Map(
    (await rows<{ slug: string; definition: DatasetDefinition }>(`SELECT slug, definition FROM dataset`)).map((d) => [
      d.slug,
      d.definition,
    ]),
  );
  const compiled = WORKLOAD.map((w) => {
    const plan = planQuery({ slug: w.query.dataset, definition: defs.get(w.query.dataset)! }, w.query, directory);
    const dept = w.token?.startsWith('bench-department-') ? w.token.slice('bench-department-'.length) : undefined;
    return compileSql(
      plan,
      dept ? [{ dimension: 'department', level: 'department', in: [dept], reason: 'bench' }] : [],
    );
  });
  const direct = async (i: number) => {
    const c = compiled[i % compiled.length];
    await pool.query(c.sql, c.params);
    return true;
  };
  results.push(await measure('same SQL straight through pg', direct));
  await pool.end();
  agent.destroy();

  const loadAfter = loadavg()[0];
  const disk = await storage(opts.url);
  const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const sortedFirst = [...firstRun].sort((a, b) => a - b);
  const lines = [
    `cases: ${opts.cases.toLocaleString('en')}, concurrency ${opts.concurrency}, ${opts.seconds} s per phase, node ${process.version}`,
    `machine: ${cpus().length} cores, 1-min load average ${loadBefore.toFixed(1)} before the phases, ${loadAfter.toFixed(1)} after`,
    '',
    '| phase | requests | errors | throughput (req/s) | p50 (ms) | p95 (ms) |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) => `| ${r.name} | ${r.requests} | ${r.errors} | ${fmt(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} |`,
    ),
  ];
  const byName = (n: string) => results.find((r) => r.name.startsWith(n))!;
  const agg = byName('aggregate (20');
  const cold = byName('aggregate, result cache off');
  const interpreted = byName('aggregate, graphql-js executor');
  const typename = byName('{ __typename }');
  lines.push(
    '',
    `aggregate / __typename throughput: ${fmt(agg.rps / typename.rps, 2)} (target >= 0.6); cache off: ${fmt(cold.rps / typename.rps, 2)}; graphql-js executor: ${fmt(interpreted.rps / typename.rps, 2)}`,
  );
  lines.push(`aggregate p95: ${fmt(agg.p95, 2)} ms (target < 50 ms at 3M); cache off: ${fmt(cold.p95, 2)} ms`);
  lines.push(
    `first run of each query (cold cache, one at a time), ms: median ${fmt(quantile(sortedFirst, 0.5), 1)}, max ${fmt(sortedFirst[sortedFirst.length - 1], 1)}; by query: ${firstRun.map((x) => fmt(x, 0)).join(' ')}`,
  );
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
  writeFileSync(
    join(dir, `query-${opts.cases}.json`),
    JSON.stringify({ cases: opts.cases, load: [loadBefore, loadAfter], firstRun, results, storage: disk }, null, 2),
  );
  // Side by side with every smaller run kept in .bench/ (300k for 3M; 300k and 3M for 30M).
  for (const smaller of [300_000, 3_000_000].filter((n) => n < opts.cases)) {
    const file = join(dir, `query-${smaller}.json`);
    if (!existsSync(file)) continue;
    const other = JSON.parse(readFileSync(file, 'utf8')) as { results: PhaseResult[] };
    const s = (n: string) => other.results.find((r) => r.name.startsWith(n))!;
    lines.push(
      `aggregate p95 at ${opts.cases.toLocaleString('en')} / p95 at ${smaller.toLocaleString('en')}: ${fmt(agg.p95 / s('aggregate (20').p95, 2)} (target <= 1.5); cache off: ${fmt(cold.p95 / s('aggregate, result cache off').p95, 2)}; throughput ratio ${fmt(agg.rps / typename.rps, 2)} here, ${fmt(s('aggregate (20').rps / s('{ __typename }').rps, 2)} there`,
    );
  }
  if (perQuery.length > 0) {
    lines.push('', '| query alone (cache on) | response bytes | throughput (req/s) | / __typename | p50 (ms) |');
    lines.push('|---:|---:|---:|---:|---:|');
    for (const q of perQuery) {
      lines.push(`| ${q.query} | ${q.bytes} | ${fmt(q.rps)} | ${fmt(q.rps / typename.rps, 2)} | ${fmt(q.p50, 2)} |`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function responseBytes(port: number, body: string, token?: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  return (await res.arrayBuffer()).byteLength;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
