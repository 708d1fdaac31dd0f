// Steps 1 to 5 first: the registry entries must be in place before anything derives from them.
import { SESSIONS } from './utils/sessions-series.js';
import './utils/sessions-series-cubes.js';
import { markAllDaysDirty, refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { COUNT_BASES, FINEST_CUBE, ROW_COUNT, SERIES, SERIES_DIMENSIONS } from '../src/catalog/registry.js';
import { insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * The recipe "add a data series" of docs/architecture.md, followed on a real database with a new
 * series `sessions`: web-portal sessions per city and hour. Steps 1 to 5 (series definition, base
 * columns, cubes, measures, fine build) are the entries in test/utils/sessions-series.ts and
 * test/utils/sessions-series-cubes.ts; step 6 is the migration below (records table, cube tables,
 * the series' rollup state, the dirty-day check, a dataset); step 7, an importer, is stood in for by
 * records inserted with their days marked dirty in one transaction, as importers do (a whole import
 * pipeline is the ingest tests' subject). The refresher, the catalog, `publishDataset`, the planner,
 * the SQL compiler and `aggregate` then serve the series with nothing else changed.
 */
const MIGRATION = [
  `CREATE TABLE "web_session_hour" ("city_code" text NOT NULL, "hour_start" timestamptz NOT NULL,
     "sessions" integer NOT NULL, "completed" integer NOT NULL, PRIMARY KEY ("city_code", "hour_start"),
     CHECK ("completed" BETWEEN 0 AND "sessions"))`,
  ...['rollup_sessions_hour', 'rollup_sessions_month'].flatMap((table) => [
    `CREATE TABLE "${table}" ("t" timestamp NOT NULL, "province_code" text COLLATE "C" NOT NULL,
       "city_code" text COLLATE "C" NOT NULL, "sessions" bigint NOT NULL, "completed" bigint NOT NULL)`,
    `CREATE INDEX "${table}_t_idx" ON "${table}" ("t")`,
  ]),
  `INSERT INTO "rollup_state" ("series") VALUES ('sessions')`,
  `ALTER TABLE "rollup_dirty_day" DROP CONSTRAINT "rollup_dirty_day_series_check",
     ADD CONSTRAINT "rollup_dirty_day_series_check" CHECK ("series" IN ('cases', 'traffic', 'sessions'))`,
  `INSERT INTO "dataset" ("slug", "title_zh", "title_en", "description_zh", "description_en", "publisher",
     "version_date", "classification", "terms_of_use", "definition")
   VALUES ('web-sessions', '网站会话', 'Web sessions', '各地市每小时网站会话数。', 'Web-portal sessions per city and hour.',
     'Jiangsu 12345 Hotline Centre data office', '2022-01-01', 'restricted', 'Licensed use only.',
     '{"source": "sessions", "jurisdiction": "320000",
       "dimensions": [
         {"code": "time", "titleZh": "时间", "titleEn": "Time", "levels": [
           {"code": "month", "titleZh": "月", "titleEn": "Month"}, {"code": "day", "titleZh": "日", "titleEn": "Day"}]},
         {"code": "area", "titleZh": "地区", "titleEn": "Area", "levels": [{"code": "city", "titleZh": "地市", "titleEn": "City"}]}],
       "measures": [
         {"code": "sessions", "titleZh": "网站会话数", "titleEn": "Web sessions", "unit": "count",
          "definition": "Sessions on the hotline web portal."},
         {"code": "completionRate", "titleZh": "网站提交率", "titleEn": "Completion rate", "unit": "ratio",
          "definition": "Sessions that ended in a submitted request divided by all sessions."}],
       "disclosure": {"method": "threshold", "threshold": 10}}'::jsonb)`,
];

const AGGREGATE = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) {
  columns rows { keys cells { measure value } } } }`;

describe('recipe: add a data series', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    for (const statement of MIGRATION) await t.dataSource.query(statement);
    await insertReferenceData(t.dataSource);
    // Three cities, 20 days of hours across a month boundary.
    await t.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO web_session_hour (city_code, hour_start, sessions, completed)
         SELECT c, h, s, s * ((extract(hour FROM h)::int + length(c)) % 5) / 5
         FROM unnest(ARRAY['320500', '320100', '320200']) c,
              generate_series('2021-03-20T00:00:00+08'::timestamptz, '2021-04-08T23:00:00+08', interval '1 hour') h,
              LATERAL (SELECT 5 + (extract(epoch FROM h)::bigint / 3600 * 7 + length(c)) % 40 AS s) x`,
      );
      await m.query(
        `INSERT INTO rollup_dirty_day (series, day)
         SELECT DISTINCT 'sessions', (hour_start AT TIME ZONE 'Asia/Shanghai')::date FROM web_session_hour
         ON CONFLICT DO NOTHING`,
      );
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('derives the per-series tables from the definition', () => {
    expect(SERIES).toEqual(['cases', 'traffic', SESSIONS]);
    expect(SERIES_DIMENSIONS[SESSIONS]).toEqual({ time: 'hour', area: 'city' });
    expect(FINEST_CUBE[SESSIONS]).toBe('rollup_sessions_hour');
    expect(ROW_COUNT[SESSIONS]).toBe('sessions');
    expect(COUNT_BASES[SESSIONS]).toEqual({ sessions: { count: 'sessions' }, completed: { count: 'completed' } });
  });

  it('builds its cubes from its records, and marks its days dirty with the others', async () => {
    const done = await refreshRollups(t.dataSource);
    expect(done[SESSIONS]).toBe(20);
    const truth = await t.dataSource.query<{ month: string; city: string; sessions: string; completed: string }[]>(
      `SELECT to_char(hour_start AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, city_code AS city,
         sum(sessions)::text AS sessions, sum(completed)::text AS completed
       FROM web_session_hour GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(truth).toHaveLength(6);
    for (const table of ['rollup_sessions_hour', 'rollup_sessions_month']) {
      const cube = await t.dataSource.query(
        `SELECT to_char(t, 'YYYY-MM') AS month, city_code AS city, sum(sessions)::text AS sessions,
           sum(completed)::text AS completed
         FROM ${table} GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      expect([table, cube]).toEqual([table, truth]);
    }
    const [province] = await t.dataSource.query<{ p: string[] }[]>(
      `SELECT array_agg(DISTINCT province_code) AS p FROM rollup_sessions_month`,
    );
    expect(province.p).toEqual(['320000']);
    const [state] = await t.dataSource.query<{ version: string }[]>(
      `SELECT version::text FROM rollup_state WHERE series = 'sessions'`,
    );
    expect(Number(state.version)).toBeGreaterThan(0);

    await markAllDaysDirty(t.dataSource);
    const [dirty] = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM rollup_dirty_day WHERE series = 'sessions'`,
    );
    expect(dirty.n).toBe(20);
    expect((await refreshRollups(t.dataSource))[SESSIONS]).toBe(20);
  });

  it('lists its dataset in the catalog and lets stewards publish others from it', async () => {
    const res = await t
      .gql(`{ dataset(slug: "web-sessions") { source measures { code } dimensions { code } } }`, {}, 'test-steward')
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.dataset).toEqual({
      source: 'sessions',
      measures: [{ code: 'sessions' }, { code: 'completionRate' }],
      dimensions: [{ code: 'time' }, { code: 'area' }],
    });
    const published = await t
      .gql(
        `mutation P($input: PublishDatasetInput!) { publishDataset(input: $input) { slug source measures { code } } }`,
        {
          input: {
            slug: 'web-sessions-monthly',
            titleZh: '网站会话（月）',
            titleEn: 'Web sessions (monthly)',
            descriptionZh: '按月',
            descriptionEn: 'Monthly',
            publisher: 'Test',
            versionDate: '2022-01-01',
            classification: 'restricted',
            termsOfUse: 'Licensed use only.',
            source: 'sessions',
            dimensions: [{ dimension: 'time', levels: ['month'] }],
            measures: ['sessions'],
            disclosureMethod: 'threshold',
            disclosureThreshold: 10,
          },
        },
        'test-steward',
      )
      .expect(200);
    expect(published.body.errors).toBeUndefined();
    expect(published.body.data.publishDataset).toEqual({
      slug: 'web-sessions-monthly',
      source: 'sessions',
      measures: [{ code: 'sessions' }],
    });
  });

  it('answers aggregate queries on it from its cubes, matching the records', async () => {
    const res = await t
      .gql(
        AGGREGATE,
        {
          q: {
            dataset: 'web-sessions',
            groupBy: [
              { dimension: 'time', level: 'month' },
              { dimension: 'area', level: 'city' },
            ],
            measures: ['sessions', 'completionRate'],
          },
        },
        'test-steward',
      )
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    const r = res.body.data.aggregate;
    expect(r.columns).toEqual(['time.month', 'area.city', 'sessions', 'completionRate']);
    const truth = await t.dataSource.query<{ month: string; city: string; sessions: number; rate: number }[]>(
      `SELECT to_char(hour_start AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, city_code AS city,
         sum(sessions)::int AS sessions, sum(completed)::float8 / sum(sessions) AS rate
       FROM web_session_hour GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const got = [...r.rows].sort((a: { keys: string[] }, b: { keys: string[] }) =>
      a.keys.join('/') < b.keys.join('/') ? -1 : 1,
    ) as { keys: string[]; cells: { value: number }[] }[];
    expect(got).toHaveLength(truth.length);
    for (const [i, row] of got.entries()) {
      expect([...row.keys, row.cells[0].value]).toEqual([truth[i].month, truth[i].city, truth[i].sessions]);
      expect(row.cells[1].value).toBeCloseTo(truth[i].rate, 9);
    }
  });
});
