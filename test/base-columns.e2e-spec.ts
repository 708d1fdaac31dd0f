import { DataSource } from 'typeorm';
import { markAllDaysDirty, refreshRollups, rollupSql } from '../src/aggregate/rollup-refresher.js';
import {
  addBaseColumnDdl,
  BASE_COLUMNS,
  BaseColumnSpec,
  COUNT_BASES,
  countBasesOf,
  cubeColumnsOf,
  CUBES,
  cubeColumns,
  MeasureSpec,
  measureBases,
  ROW_COUNT,
  SERIES,
} from '../src/catalog/registry.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { DEFAULT_DISCLOSURE } from '../src/disclosure/disclosure-settings.js';
import { releaseRow } from '../src/disclosure/measure-release.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestDatabase } from './utils/test-database.js';

/**
 * The recipe "add a measure (and a base column)" of docs/architecture.md, on a real database: one
 * base column added to a copy of the table (src/catalog/base-columns.ts) and one measure reach the
 * migration DDL of every cube, the refresher's SQL (fine build and every derived cube) and the
 * measure's bases and release, with nothing else edited.
 */
const WEB_CASES: BaseColumnSpec = {
  series: 'cases',
  name: 'web_cases',
  type: 'integer',
  kind: 'count',
  where: `channel = 'web'`,
  cellKey: true,
};
const WEB_SHARE: MeasureSpec = {
  code: 'webShare',
  series: 'cases',
  titleZh: '网络渠道占比',
  titleEn: 'Share of web cases',
  unit: 'ratio',
  definition: 'Cases received through the web channel divided by all cases.',
  shape: { kind: 'ratio', numerator: 'web_cases', denominator: 'cases', proportion: true },
};
const EXTENDED = [...BASE_COLUMNS, WEB_CASES];
const KEY_MODULUS = 2n ** 31n;

describe('base columns', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => ds.query<T[]>(text, params);
  /** Every cube's columns besides its dimensions, with their types, as the database has them. */
  const schemaColumns = async (table: string) =>
    (
      await sql<{ name: string; type: string }>(
        `SELECT column_name AS name, CASE WHEN data_type = 'ARRAY' THEN 'integer[]' ELSE data_type END AS type
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
         ORDER BY ordinal_position`,
        [table],
      )
    ).filter((c) => c.name !== 't' && !cubeColumns(CUBES.find((cube) => cube.table === table)!).includes(c.name));

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await migrate(ds);
    await insertReferenceData(ds);
    await insertCases(ds, { count: 1200, seed: 11 });
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('declares exactly the columns the migrations gave every cube, with their types', async () => {
    for (const cube of CUBES) {
      const declared = cubeColumnsOf(cube.series)
        .filter((c) => cube.bases === undefined || cube.bases.includes(c.name))
        .map((c) => ({ name: c.name, type: c.type }));
      const columns = await schemaColumns(cube.table);
      expect([cube.table, [...columns].sort((a, b) => a.name.localeCompare(b.name))]).toEqual([
        cube.table,
        [...declared].sort((a, b) => a.name.localeCompare(b.name)),
      ]);
    }
  });

  it('gives measures the counts declared in the table', () => {
    for (const series of SERIES) {
      expect(countBasesOf(series)).toEqual(
        Object.fromEntries(Object.entries(COUNT_BASES[series]).filter(([name]) => name !== 'first_contacts')),
      );
      expect(COUNT_BASES[series][ROW_COUNT[series]]).toBeDefined();
    }
  });

  it('adds a base column and a measure, each in one place, to the DDL, the rollups and the release', async () => {
    const ddl = addBaseColumnDdl(WEB_CASES, CUBES);
    const caseCubes = CUBES.filter((c) => c.series === 'cases' && c.bases === undefined);
    expect(ddl).toHaveLength(caseCubes.length);
    for (const [i, cube] of caseCubes.entries()) {
      expect(ddl[i]).toBe(
        `ALTER TABLE "${cube.table}" ADD COLUMN "web_cases" integer NOT NULL DEFAULT 0, ADD COLUMN "web_cases_key" integer NOT NULL DEFAULT 0`,
      );
    }
    // What a migration for the new column runs.
    for (const statement of ddl) await sql(statement);
    await markAllDaysDirty(ds);

    const built = rollupSql(EXTENDED);
    expect(built.fine.cases).toContain(`count(*) FILTER (WHERE channel = 'web')`);
    expect(built.fine.cases).toContain(
      `coalesce(sum(record_key::bigint) FILTER (WHERE channel = 'web'), 0) % 2147483648`,
    );
    for (const cube of caseCubes.filter((c) => c.from !== undefined)) {
      expect(built.derive(cube, cube.from!)).toContain('sum(web_cases), sum(web_cases_key) % 2147483648');
    }
    const done = await refreshRollups(ds, built);
    expect(done.cases).toBeGreaterThan(0);

    const [truth] = await sql<{ cases: number; web: number; keys: string }>(
      `SELECT count(*)::int AS cases, count(*) FILTER (WHERE channel = 'web')::int AS web,
         coalesce(sum(record_key::bigint) FILTER (WHERE channel = 'web'), 0)::text AS keys FROM case_record`,
    );
    expect(truth.web).toBeGreaterThan(0);
    expect(truth.web).toBeLessThan(truth.cases);
    for (const cube of caseCubes) {
      const [sums] = await sql<{ cases: number; web: number; keys: string }>(
        `SELECT sum(cases)::int AS cases, sum(web_cases)::int AS web, (sum(web_cases_key) % 2147483648)::text AS keys
         FROM ${cube.table}`,
      );
      expect([cube.table, sums]).toEqual([
        cube.table,
        { cases: truth.cases, web: truth.web, keys: String(BigInt(truth.keys) % KEY_MODULUS) },
      ]);
    }

    // The measure reads the new count and its key sum, and is released from them.
    const bases = { ...COUNT_BASES.cases, ...countBasesOf('cases', EXTENDED) };
    expect(measureBases(WEB_SHARE, bases)).toEqual(['web_cases', 'web_cases_key', 'cases', 'record_key_sum']);
    const [row] = await sql<Record<string, string>>(
      `SELECT sum(cases) AS cases, sum(record_key_sum) % 2147483648 AS record_key_sum,
         sum(web_cases) AS web_cases, sum(web_cases_key) % 2147483648 AS web_cases_key FROM rollup_cases_month`,
    );
    const sums = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
    const setting = { config: DEFAULT_DISCLOSURE.restricted, countBases: bases, rowCount: 'cases' };
    const exact = releaseRow({ ...setting, mode: 'exact' }, [WEB_SHARE], sums);
    expect(exact?.cells).toEqual([{ measure: 'webShare', value: truth.web / truth.cases, flags: [] }]);
    // Under the cell key method the share is a perturbed count over a perturbed count: near the truth.
    const protectedShare = releaseRow({ ...setting, mode: 'cell-key' }, [WEB_SHARE], sums)?.cells[0].value;
    expect(protectedShare).toBeCloseTo(truth.web / truth.cases, 1);
  });
});
