import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { noteRollupChange, ROLLUP_CHANNEL } from '../database/rollup-version.js';
import { HOTLINE_TIME_ZONE } from '../records/records.constants.js';
import { HANDLING_DAY_EDGES_SQL } from '../common/histogram.js';
import { rebuildTopicMonths } from './topic-rollup.js';
import {
  BASE_COLUMNS,
  BaseColumnSpec,
  combineSql,
  cubeColumns,
  CubeColumn,
  cubeColumnsOf,
  CUBES,
  CubeSpec,
  FINEST_CUBE,
  recordDimensionsSql,
  Series,
  SERIES,
  SERIES_DEFINITIONS,
  SeriesSpec,
} from '../catalog/registry.js';

/**
 * Keeps the rollup cubes in step with the records, one dirty day at a time. Only the finest cube
 * of each series reads the records; the others are rebuilt from finer cubes. Everything happens in
 * one transaction under an advisory lock, so two gateway instances never rebuild at once and a
 * failed refresh leaves the dirty days in place for the next one.
 */
const ROLLUP_LOCK = 727_275;
/** work_mem of the refresh transaction only. */
const BUILD_WORK_MEM = '128MB';
const TZ = `'${HOTLINE_TIME_ZONE}'`;

const FINE_CASE_CUBE = CUBES.find((c) => c.table === FINEST_CUBE.cases)!;
const FINE_CASE_COLUMNS = cubeColumns(FINE_CASE_CUBE);
/** The fine case cube's dimension columns as the `src` row reads them from the record `r`. */
const FINE_CASE_DIMENSIONS_SQL = recordDimensionsSql(FINE_CASE_CUBE);

/** The SQL that fills the cubes, built from a table of base columns (src/catalog/base-columns.ts). */
export interface RollupSql {
  /** Fine cube of each series from the records of local time [$1, $2). */
  fine: Record<Series, string>;
  /** A coarser cube from a finer one over local time [$1, $2). */
  derive(target: CubeSpec, source: string): string;
}

/**
 * The refresher's SQL for a table of base columns. Each cube column of a series is filled in the
 * fine build by its declared aggregate and combined into coarser cubes by its `combine` rule, so a
 * base column declared once reaches every statement.
 */
export function rollupSql(baseColumns: readonly BaseColumnSpec[] = BASE_COLUMNS): RollupSql {
  const columns = bySeries((series) => cubeColumnsOf(series, baseColumns));
  return {
    fine: bySeries((series) => FINE_BUILDS[series].sql(columns[series])),
    derive: (target, source) => deriveSql(target, source, columns[target.series]),
  };
}

const bySeries = <T>(value: (series: Series) => T) =>
  Object.fromEntries(SERIES.map((series) => [series, value(series)])) as Record<Series, T>;

/**
 * Fine case cube from the records of local time [$1, $2). Repeat chains are counted at their first
 * contact (a case that repeats no earlier case): its chain is walked forward through repeat_of_id,
 * giving the number of contacts and the outcome of the latest one. The inner query is fenced (OFFSET 0) so that
 * each record's handling days and histogram bucket are computed once, not once per aggregate that
 * uses them; `date_part` (float8) instead of `extract` (numeric) keeps that arithmetic cheap; codes
 * are grouped in the "C" collation, as the cube columns store them (byte order, abbreviated keys).
 * Base column aggregates read the `src` row; a new one that needs another record column adds it there.
 */
function fineCasesSql(columns: CubeColumn[]): string {
  return `
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
  SELECT date_trunc('hour', r.received_at AT TIME ZONE ${TZ}) AS t, ${FINE_CASE_DIMENSIONS_SQL.join(', ')},
    r.outcome AS raw_outcome, r.repeat_of_id, r.record_key, r.reply_fingerprint, r.template_reply, h.hd,
    width_bucket(h.hd, ${HANDLING_DAY_EDGES_SQL}) AS hb, cs.contacts, cs.last_outcome
  FROM case_record r
  LEFT JOIN chain_stats cs ON cs.root_id = r.id
  CROSS JOIN LATERAL (SELECT CASE WHEN r.closed_at IS NOT NULL
    THEN greatest(date_part('epoch', r.closed_at - r.received_at) / 86400.0, 0) END AS hd) h
  WHERE r.received_at >= ($1::timestamp AT TIME ZONE ${TZ}) AND r.received_at < ($2::timestamp AT TIME ZONE ${TZ})
  OFFSET 0
)
INSERT INTO ${FINEST_CUBE.cases} (t, ${FINE_CASE_COLUMNS.join(', ')}, ${columns.map((c) => c.name).join(', ')})
SELECT t, ${FINE_CASE_COLUMNS.map((c) => `${c} COLLATE "C"`).join(', ')},
  ${columns.map((c) => c.sql).join(',\n  ')}
FROM src
GROUP BY t, ${FINE_CASE_COLUMNS.map((c) => `${c} COLLATE "C"`).join(', ')}`;
}

/**
 * Fine traffic cube. The baseline of an hour is the mean of calls offered in the same hour of the
 * week over the previous four weeks (the weeks with data); hours without any have no baseline
 * and are left out of the surge ratio (calls_offered_baselined).
 */
function fineTrafficSql(columns: CubeColumn[]): string {
  return `
INSERT INTO ${FINEST_CUBE.traffic} (t, province_code, city_code, ${columns.map((c) => c.name).join(', ')})
SELECT date_trunc('hour', ct.hour_start AT TIME ZONE ${TZ}), coalesce(a.parent_code, ''), ct.city_code,
  ${columns.map((c) => c.sql).join(',\n  ')}
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
}

/**
 * Rebuild a coarser cube from a finer one over local time [$1, $2): every column of the cube's
 * series (or of its `bases`) combined by its rule. Rows are written in (t, province, city, ...)
 * order, so the cells a query on one period and city reads sit in few pages.
 */
function deriveSql(target: CubeSpec, source: string, seriesColumns: CubeColumn[]): string {
  const dims = cubeColumns(target).join(', ');
  const columns = seriesColumns.filter((c) => target.bases === undefined || target.bases.includes(c.name));
  const sums = columns.map((c) => (c.combine === 'buckets' ? `${combineSql(c)}::${c.type}` : combineSql(c)));
  return `INSERT INTO ${target.table} (t, ${dims}, ${columns.map((c) => c.name).join(', ')})
SELECT date_trunc('${target.grain}', s.t), ${dims}, ${sums.join(', ')}
FROM ${source} s WHERE s.t >= $1::timestamp AND s.t < $2::timestamp
GROUP BY 1, ${dims}
ORDER BY 1, ${dims}`;
}

/**
 * Fingerprint of the cube layout and the SQL that fills it: rollups built under another layout must
 * be rebuilt (the benchmark uses it to decide whether loaded rollups can be reused).
 */
export function rollupLayout(): string {
  const sql = rollupSql();
  return createHash('sha256')
    .update(JSON.stringify({ CUBES, BASE_COLUMNS, fine: sql.fine }))
    .update(CUBES.map((c) => sql.derive(c, 'source')).join(';'))
    .digest('hex')
    .slice(0, 16);
}

function deleteSql(table: string): string {
  return `DELETE FROM ${table} WHERE t >= $1::timestamp AND t < $2::timestamp`;
}

/**
 * Runs of consecutive periods as [start, end) pairs, at most `maxPeriods` long: a rebuild is a few
 * range scans, each small enough for its sort or hash table to stay in work_mem.
 */
export function spans(starts: string[], next: (start: string) => string, maxPeriods = Infinity): [string, string][] {
  const out: [string, string][] = [];
  let length = 0;
  for (const start of [...new Set(starts)].sort()) {
    const last = out[out.length - 1];
    if (last && last[1] === start && length < maxPeriods) {
      last[1] = next(start);
      length++;
    } else {
      out.push([start, next(start)]);
      length = 1;
    }
  }
  return out;
}

/** Days per statement when day and hour cubes are rebuilt (a week of Jiangsu's volume is ~600k records). */
const DAYS_PER_STATEMENT = 7;

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const nextMonth = (d: string) => {
  const t = new Date(`${d}T00:00:00Z`);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
};

/**
 * The cubes of a series the refresher builds, in build order: the finest from the records, then each
 * after the cube it is derived from. Cubes with neither are maintained elsewhere.
 */
function buildOrder(series: Series): CubeSpec[] {
  const pending = CUBES.filter((c) => c.series === series && (c.from !== undefined || c.table === FINEST_CUBE[series]));
  const done: CubeSpec[] = [];
  while (pending.length > 0) {
    const i = pending.findIndex((c) => c.from === undefined || done.some((d) => d.table === c.from));
    if (i < 0) throw new Error(`rollup cubes of ${series}: a cube's source is missing or circular`);
    done.push(...pending.splice(i, 1));
  }
  return done;
}

/** How the refresher builds the finest cube of a series from its records: one entry per series. */
export interface FineBuild {
  /** The INSERT into the finest cube from the records of local time [$1, $2), given the series' cube columns. */
  sql(columns: CubeColumn[]): string;
  /** Days whose rollups depend on the given days besides themselves (none if omitted). */
  dependentDays?(m: EntityManager, days: string[]): Promise<string[]>;
  /** Work after the series' cubes are rebuilt, given the rebuilt months. */
  after?(m: EntityManager, months: [string, string][]): Promise<void>;
}

/**
 * The first-contact days of the repeat chains the days' cases belong to (a chain counts where and
 * when it started).
 */
async function chainStartDays(m: EntityManager, days: string[]): Promise<string[]> {
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

export const FINE_BUILDS: Record<Series, FineBuild> = {
  cases: { sql: fineCasesSql, dependentDays: chainStartDays, after: rebuildTopicMonths },
  traffic: {
    sql: fineTrafficSql,
    // The four weeks after: their baselines read these days.
    dependentDays: async (_m, days) =>
      days.flatMap((d) =>
        [7, 14, 21, 28].map((k) => new Date(Date.parse(`${d}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10)),
      ),
  },
};

async function rebuild(m: EntityManager, series: Series, dirty: string[], sql: RollupSql): Promise<void> {
  const build = FINE_BUILDS[series];
  const days = [...new Set([...dirty, ...((await build.dependentDays?.(m, dirty)) ?? [])])];
  const daySpans = spans(days, nextDay, DAYS_PER_STATEMENT);
  const monthSpans = spans(
    days.map((d) => `${d.slice(0, 7)}-01`),
    nextMonth,
    1,
  );
  for (const target of buildOrder(series)) {
    // A month cell is rebuilt whole, from a source that is already complete for that month.
    for (const span of target.grain === 'month' ? monthSpans : daySpans) {
      await m.query(deleteSql(target.table), span);
      if (target.from === undefined) {
        // Sorting is cheaper than a hash table of (nearly) one group per record.
        await m.query(`SET LOCAL enable_hashagg = off`);
        await m.query(sql.fine[series], span);
        await m.query(`SET LOCAL enable_hashagg TO DEFAULT`);
      } else {
        await m.query(sql.derive(target, target.from), span);
      }
    }
  }
  await build.after?.(m, monthSpans);
  await m.query(`UPDATE rollup_state SET version = version + 1, refreshed_at = now() WHERE series = $1`, [series]);
  // Delivered at commit to every instance listening (RollupChangeListener): their result caches clear.
  await m.query(`SELECT pg_notify('${ROLLUP_CHANNEL}', $1)`, [series]);
}

/**
 * Consumes the dirty days and rebuilds their rollups. Dirty rows are deleted first, inside the
 * transaction: a writer that marks the same day meanwhile waits for this commit and then marks it
 * again, so its records are never lost. Returns the number of days rebuilt per series. `sql` is the
 * registry's unless a test builds it from another table of base columns.
 */
export async function refreshRollups(
  dataSource: DataSource,
  sql: RollupSql = rollupSql(),
): Promise<Record<Series, number>> {
  const done = bySeries(() => 0);
  await dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK]);
    // A first build of a large history takes longer than the pool's per-statement ceiling. Sorts and
    // hash tables of a build fit in memory with a larger work_mem; JIT compilation costs more than it
    // saves on the small statements of an incremental refresh.
    await m.query(`SET LOCAL statement_timeout = 0`);
    await m.query(`SET LOCAL work_mem = '${BUILD_WORK_MEM}'`);
    await m.query(`SET LOCAL jit = off`);
    for (const series of SERIES) {
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
        sql,
      );
      done[series] = rows.length;
    }
  });
  if (Object.values(done).some((n) => n > 0)) noteRollupChange();
  return done;
}

/** Marks every day that has records as dirty (first build, or after a change to the rollup rules). */
export async function markAllDaysDirty(dataSource: DataSource): Promise<void> {
  const days = SERIES.map((series) => {
    const { table, time } = (SERIES_DEFINITIONS as Record<Series, SeriesSpec>)[series].records;
    return `SELECT DISTINCT '${series}', (${time} AT TIME ZONE ${TZ})::date FROM ${table}`;
  });
  await dataSource.query(
    `INSERT INTO rollup_dirty_day (series, day)\n${days.join('\nUNION ')}\nON CONFLICT DO NOTHING`,
  );
}
