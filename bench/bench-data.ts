/**
 * The benchmark's database: N generated cases loaded straight into case_record (generate_series,
 * seeded), call traffic, reference data, the rollups, and what they take on disk. Shared by
 * `npm run bench:query` and `npm run bench:peer`.
 */
import pg from 'pg';
import { refreshRollups, rollupLayout } from '../src/aggregate/rollup-refresher.js';
import { CUBES } from '../src/catalog/registry.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { BENCH_CITIES } from './workload.js';

const CITIES = [...BENCH_CITIES];
export const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** The database for `cases` cases: `--database-url`, else BENCH_DATABASE_URL's server with a database per size. */
export function benchDatabaseUrl(cases: number, explicit?: string): string {
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(explicit ?? base);
  if (!explicit) url.pathname = `/hgw_bench_${cases}`;
  return url.toString();
}

export async function ensureDatabase(url: string): Promise<void> {
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

/** A connection for bulk statements, without the app's per-statement ceiling. */
async function openBulkClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET statement_timeout = 0`);
  return client;
}

/** Connections that generate cases at once: BENCH_GENERATE_CONNECTIONS, default 2. */
function generateConnections(): number {
  const n = Number(process.env.BENCH_GENERATE_CONNECTIONS ?? 2);
  if (!Number.isInteger(n) || n < 1) throw new Error('BENCH_GENERATE_CONNECTIONS: a whole number of at least 1');
  return n;
}

/** Reference data, cases and call traffic, generated inside PostgreSQL (seeded). */
async function generate(sql: Sql, url: string, cases: number, connections: number): Promise<void> {
  const started = Date.now();
  await sql(`DELETE FROM app_meta WHERE key IN ('bench_cases', 'bench_rollups')`);
  await sql(`TRUNCATE case_record, call_traffic, area, category, department, rollup_dirty_day RESTART IDENTITY`);
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
  // Chunks of 250,000 cases, each seeded of its own (the same cases whatever the order), on as many
  // connections as the server has cores to spare (BENCH_GENERATE_CONNECTIONS, default 2).
  const chunk = 250_000;
  const starts: number[] = [];
  for (let from = 1; from <= cases; from += chunk) starts.push(from);
  let loaded = 0;
  const worker = async () => {
    const client = await openBulkClient(url);
    const chunkSql = async (text: string, params: unknown[]) => client.query(text, params);
    try {
      for (let from = starts.shift(); from !== undefined; from = starts.shift()) {
        const to = Math.min(cases, from + chunk - 1);
        await chunkSql(`SELECT setseed($1)`, [((from - 1) / chunk / 10_000 + 0.42) % 1]);
        await chunkSql(
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
        loaded += to - from + 1;
        log(`cases ${loaded.toLocaleString('en')} / ${cases.toLocaleString('en')}`);
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
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
export async function load(
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
  const client = await openBulkClient(url);
  const sql: Sql = async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[];
  const [marker] = await sql<{ value: string }>(`SELECT value FROM app_meta WHERE key = 'bench_cases'`);
  if (marker?.value === String(cases) && !reload) {
    log(`reusing ${cases} cases already loaded in ${new URL(url).pathname.slice(1)}`);
  } else {
    await generate(sql, url, cases, generateConnections());
  }
  if (generateOnly) {
    await client.end();
    await ds.destroy();
    return;
  }
  // Rollups are rebuilt whenever the cube layout changed since they were built (or with --reload).
  const [built] = await sql<{ value: string }>(`SELECT value FROM app_meta WHERE key = 'bench_rollups'`);
  if (built?.value !== rollupLayout() || reload || rebuildRollups || marker?.value !== String(cases)) {
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
      [rollupLayout()],
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

export interface StoragePart {
  part: string;
  tableBytes: number;
  indexBytes: number;
}

/**
 * Disk taken by the records, their keywords, the rollups and the rest, tables (with TOAST) and
 * indexes apart, after a VACUUM so that dead rows of the load do not count.
 */
export async function storage(url: string): Promise<{ parts: StoragePart[]; rollupSeconds: string | null }> {
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
    // Month partitions (case_record_y2021m01, call_traffic_y2021m01) count towards their table.
    const partOf = (relname: string) => {
      const name = relname.replace(/_y\d{4}m\d{2}$/, '');
      return name === 'case_record'
        ? 'case records'
        : name === 'case_keyword'
          ? 'case keywords'
          : name.startsWith('rollup_') && name !== 'rollup_state' && name !== 'rollup_dirty_day'
            ? 'rollups'
            : name === 'call_traffic'
              ? 'call traffic'
              : 'other';
    };
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
