import { DataSource, EntityManager } from 'typeorm';
import { HOTLINE_TIME_ZONE } from '../records/records.constants.js';
import { HANDLING_DAY_EDGES_SQL, HISTOGRAM_BUCKETS } from './histogram.js';
import { rebuildTopicMonths } from './topic-rollup.js';
import {
  CASE_SUM_COLUMNS,
  CUBES,
  CubeSpec,
  HIST_SQL,
  Series,
  STATUTORY_LIMIT_DAYS,
  TRAFFIC_SUM_COLUMNS,
} from './registry.js';

/**
 * Keeps the rollup cubes in step with the records, one dirty day at a time. Only the finest cube
 * of each series reads the records; the others are rebuilt from finer cubes. Everything happens in
 * one transaction under an advisory lock, so two gateway instances never rebuild at once and a
 * failed refresh leaves the dirty days in place for the next one.
 */
const ROLLUP_LOCK = 727_275;
const TZ = `'${HOTLINE_TIME_ZONE}'`;

/** Cube columns in the order the registry and the migration define them. */
const CUBE_COLUMNS: Record<string, string[]> = {
  rollup_cases_month: ['province_code', 'city_code', 'category_l1', 'channel', 'kind', 'department_code'],
  rollup_cases_day: ['province_code', 'city_code', 'category_l1', 'channel', 'kind', 'department_code'],
  rollup_cases_hour: ['province_code', 'city_code', 'channel'],
  rollup_cases_fine: [
    'province_code',
    'city_code',
    'district_code',
    'street_code',
    'category_l1',
    'category_l2',
    'category_l3',
    'channel',
    'kind',
    'department_code',
    'outcome',
    'satisfaction',
  ],
  rollup_topics: ['province_code', 'city_code', 'category_l1', 'department_code', 'keyword'],
  rollup_traffic_month: ['province_code', 'city_code'],
  rollup_traffic_day: ['province_code', 'city_code'],
  rollup_traffic_hour: ['province_code', 'city_code'],
};

export function cubeColumns(cube: CubeSpec): string[] {
  return CUBE_COLUMNS[cube.table];
}

/** Changes whenever this process refreshed the rollups; part of the result-cache key. */
let localGeneration = 0;
export function rollupGeneration(): number {
  return localGeneration;
}

const limitCase = `CASE kind ${Object.entries(STATUTORY_LIMIT_DAYS)
  .map(([k, d]) => `WHEN '${k}' THEN ${d}`)
  .join(' ')} END`;

/**
 * Fine case cube from the records of the given local days ($1). Repeat chains are counted at
 * their first contact (a case that repeats no earlier case): its chain is walked forward through
 * repeat_of_id, giving the number of contacts and the outcome of the latest one.
 */
const FINE_CASES_SQL = `
WITH RECURSIVE chain AS (
  SELECT r.id AS root_id, r.id, r.received_at, r.outcome
  FROM case_record r
  WHERE r.received_at >= ($1::timestamp AT TIME ZONE ${TZ}) AND r.received_at < ($2::timestamp AT TIME ZONE ${TZ})
    AND r.repeat_of_id IS NULL AND EXISTS (SELECT 1 FROM case_record x WHERE x.repeat_of_id = r.id)
  UNION ALL
  SELECT c.root_id, x.id, x.received_at, x.outcome FROM chain c JOIN case_record x ON x.repeat_of_id = c.id
), chain_stats AS (
  SELECT root_id, count(*)::int AS contacts,
    (array_agg(coalesce(outcome, 'open') ORDER BY received_at DESC, id DESC))[1] AS last_outcome
  FROM chain GROUP BY root_id
), src AS (
  SELECT r.received_at AT TIME ZONE ${TZ} AS lt, r.province_code, r.city_code,
    coalesce(r.district_code, '') AS district_code, coalesce(r.street_code, '') AS street_code,
    r.category_l1, coalesce(r.category_l2, '') AS category_l2, coalesce(r.category_l3, '') AS category_l3,
    r.channel, r.kind, coalesce(r.department_code, '') AS department_code, coalesce(r.outcome, '') AS outcome,
    r.satisfaction, r.outcome AS raw_outcome, r.repeat_of_id, r.record_key, r.reply_text, r.template_reply,
    hd, width_bucket(hd, ${HANDLING_DAY_EDGES_SQL}) AS hb,
    cs.contacts, cs.last_outcome
  FROM case_record r
  LEFT JOIN chain_stats cs ON cs.root_id = r.id
  CROSS JOIN LATERAL (SELECT CASE WHEN r.closed_at IS NOT NULL
    THEN greatest(extract(epoch FROM r.closed_at - r.received_at)::float8 / 86400.0, 0) END AS hd) h
  WHERE r.received_at >= ($1::timestamp AT TIME ZONE ${TZ}) AND r.received_at < ($2::timestamp AT TIME ZONE ${TZ})
)
INSERT INTO rollup_cases_fine (t, ${CUBE_COLUMNS.rollup_cases_fine.join(', ')}, ${CASE_SUM_COLUMNS.join(', ')}, hist)
SELECT date_trunc('hour', lt), ${CUBE_COLUMNS.rollup_cases_fine.join(', ')},
  count(*), count(*) FILTER (WHERE kind = 'consultation'), count(hd), coalesce(sum(hd), 0),
  count(*) FILTER (WHERE hd <= ${limitCase}), count(raw_outcome), count(*) FILTER (WHERE raw_outcome = 'solved'),
  count(*) FILTER (WHERE satisfaction <> 'unrated'), count(*) FILTER (WHERE satisfaction IN ('satisfied', 'basically')),
  count(repeat_of_id), sum(record_key::bigint),
  count(contacts), coalesce(sum(contacts), 0), count(*) FILTER (WHERE contacts >= 3 AND last_outcome <> 'solved'),
  count(reply_text), count(*) FILTER (WHERE template_reply),
  ARRAY[${Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => `count(*) FILTER (WHERE hb = ${i + 1})`).join(', ')}]
FROM src
GROUP BY 1, ${CUBE_COLUMNS.rollup_cases_fine.join(', ')}`;

/**
 * Fine traffic cube. The baseline of an hour is the mean of calls offered in the same hour of the
 * week over the previous four weeks (the weeks with data); hours without any have no baseline
 * and are left out of the surge ratio (calls_offered_baselined).
 */
const FINE_TRAFFIC_SQL = `
INSERT INTO rollup_traffic_hour (t, province_code, city_code, ${TRAFFIC_SUM_COLUMNS.join(', ')})
SELECT date_trunc('hour', ct.hour_start AT TIME ZONE ${TZ}), coalesce(a.parent_code, ''), ct.city_code,
  sum(ct.calls_offered), sum(ct.calls_answered), sum(ct.calls_abandoned),
  coalesce(sum(b.baseline), 0), coalesce(sum(ct.calls_offered) FILTER (WHERE b.baseline IS NOT NULL), 0)
FROM call_traffic ct
LEFT JOIN area a ON a.code = ct.city_code
CROSS JOIN LATERAL (
  SELECT avg(p.calls_offered)::float8 AS baseline FROM call_traffic p
  WHERE p.city_code = ct.city_code
    AND p.hour_start = ANY(ARRAY[ct.hour_start - interval '7 days', ct.hour_start - interval '14 days',
      ct.hour_start - interval '21 days', ct.hour_start - interval '28 days'])
) b
WHERE ct.hour_start >= ($1::timestamp AT TIME ZONE ${TZ}) AND ct.hour_start < ($2::timestamp AT TIME ZONE ${TZ})
GROUP BY 1, 2, 3`;

/** Rebuild a coarser cube from a finer one over local time [$1, $2). */
function deriveSql(target: CubeSpec, source: string): string {
  const dims = CUBE_COLUMNS[target.table].join(', ');
  const sums =
    target.series === 'cases'
      ? `${CASE_SUM_COLUMNS.map((c) => `sum(${c})`).join(', ')}, ${HIST_SQL}::int[]`
      : TRAFFIC_SUM_COLUMNS.map((c) => `sum(${c})`).join(', ');
  const columns = target.series === 'cases' ? `${CASE_SUM_COLUMNS.join(', ')}, hist` : TRAFFIC_SUM_COLUMNS.join(', ');
  return `INSERT INTO ${target.table} (t, ${dims}, ${columns})
SELECT date_trunc('${target.grain}', s.t), ${dims}, ${sums}
FROM ${source} s WHERE s.t >= $1::timestamp AND s.t < $2::timestamp
GROUP BY 1, ${dims}`;
}

function deleteSql(table: string): string {
  return `DELETE FROM ${table} WHERE t >= $1::timestamp AND t < $2::timestamp`;
}

/** Runs of consecutive periods as [start, end) pairs, so a full rebuild is one range scan. */
export function spans(starts: string[], next: (start: string) => string): [string, string][] {
  const out: [string, string][] = [];
  for (const start of [...new Set(starts)].sort()) {
    const last = out[out.length - 1];
    if (last && last[1] === start) last[1] = next(start);
    else out.push([start, next(start)]);
  }
  return out;
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const nextMonth = (d: string) => {
  const t = new Date(`${d}T00:00:00Z`);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
};

const cube = (table: string) => CUBES.find((c) => c.table === table)!;

/**
 * Days whose rollups depend on the given days besides themselves: for cases, the first-contact
 * days of the repeat chains the days' cases belong to; for traffic, the four weeks after (whose
 * baselines read these days).
 */
async function dependentDays(m: EntityManager, series: Series, days: string[]): Promise<string[]> {
  if (series === 'traffic') {
    return days.flatMap((d) =>
      [7, 14, 21, 28].map((k) => new Date(Date.parse(`${d}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10)),
    );
  }
  const out: string[] = [];
  for (const span of spans(days, nextDay)) {
    const rows = await m.query<{ day: string }[]>(
      `WITH RECURSIVE up AS (
         SELECT r.repeat_of_id AS id FROM case_record r
         WHERE r.received_at >= ($1::timestamp AT TIME ZONE ${TZ}) AND r.received_at < ($2::timestamp AT TIME ZONE ${TZ})
           AND r.repeat_of_id IS NOT NULL
         UNION
         SELECT p.repeat_of_id FROM up JOIN case_record p ON p.id = up.id WHERE p.repeat_of_id IS NOT NULL
       )
       SELECT DISTINCT to_char((c.received_at AT TIME ZONE ${TZ})::date, 'YYYY-MM-DD') AS day
       FROM up JOIN case_record c ON c.id = up.id WHERE c.repeat_of_id IS NULL`,
      span,
    );
    out.push(...rows.map((r) => r.day));
  }
  return out;
}

async function rebuild(m: EntityManager, series: Series, dirty: string[]): Promise<void> {
  const days = [...new Set([...dirty, ...(await dependentDays(m, series, dirty))])];
  const [fine, hour, day, month] =
    series === 'cases'
      ? ['rollup_cases_fine', 'rollup_cases_hour', 'rollup_cases_day', 'rollup_cases_month']
      : ['rollup_traffic_hour', undefined, 'rollup_traffic_day', 'rollup_traffic_month'];
  for (const span of spans(days, nextDay)) {
    for (const table of [fine, hour, day]) if (table) await m.query(deleteSql(table), span);
    await m.query(series === 'cases' ? FINE_CASES_SQL : FINE_TRAFFIC_SQL, span);
    if (hour) await m.query(deriveSql(cube(hour), fine), span);
    await m.query(deriveSql(cube(day), fine), span);
  }
  const monthSpans = spans(
    days.map((d) => `${d.slice(0, 7)}-01`),
    nextMonth,
  );
  for (const span of monthSpans) {
    await m.query(deleteSql(month), span);
    await m.query(deriveSql(cube(month), day), span);
  }
  if (series === 'cases') await rebuildTopicMonths(m, monthSpans);
  await m.query(`UPDATE rollup_state SET version = version + 1, refreshed_at = now() WHERE series = $1`, [series]);
}

/**
 * Consumes the dirty days and rebuilds their rollups. Dirty rows are deleted first, inside the
 * transaction: a writer that marks the same day meanwhile waits for this commit and then marks it
 * again, so its records are never lost. Returns the number of days rebuilt per series.
 */
export async function refreshRollups(dataSource: DataSource): Promise<Record<Series, number>> {
  const done: Record<Series, number> = { cases: 0, traffic: 0 };
  await dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
    // A first build of a large history takes longer than the pool's per-statement ceiling.
    await m.query(`SET LOCAL statement_timeout = 0`);
    for (const series of ['cases', 'traffic'] as Series[]) {
      const rows = await m.query<{ day: string }[]>(
        `WITH consumed AS (DELETE FROM rollup_dirty_day WHERE series = $1 RETURNING day)
         SELECT to_char(day, 'YYYY-MM-DD') AS day FROM consumed ORDER BY 1`,
        [series],
      );
      if (rows.length === 0) continue;
      await rebuild(
        m,
        series,
        rows.map((r) => r.day),
      );
      done[series] = rows.length;
    }
  });
  if (done.cases + done.traffic > 0) localGeneration++;
  return done;
}

/** Marks every day that has records as dirty (first build, or after a change to the rollup rules). */
export async function markAllDaysDirty(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT INTO rollup_dirty_day (series, day)
     SELECT DISTINCT 'cases', (received_at AT TIME ZONE ${TZ})::date FROM case_record
     UNION SELECT DISTINCT 'traffic', (hour_start AT TIME ZONE ${TZ})::date FROM call_traffic
     ON CONFLICT DO NOTHING`,
  );
}

/** The RECORDS_CHANGED_HOOKS entry. */
export async function refreshRollupsHook(dataSource: DataSource): Promise<void> {
  await refreshRollups(dataSource);
}
