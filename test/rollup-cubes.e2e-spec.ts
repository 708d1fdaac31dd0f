import { DataSource } from 'typeorm';
import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import type { AggregateQuery, RowCondition } from '../src/aggregate/query-plan.js';
import { planQuery } from '../src/aggregate/query-planner.js';
import { compileSql } from '../src/aggregate/sql-compiler.js';
import { MemberDirectory, ReferenceRow } from '../src/catalog/member-directory.js';
import type { DatasetDefinition } from '../src/datasets/dataset.entity.js';
import { CASE_SUM_COLUMNS, CUBES, cubeColumns, FINEST_CUBE } from '../src/catalog/registry.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestDatabase } from './utils/test-database.js';

/**
 * The cube lattice: every case cube holds the same totals as the records, the migrations that add
 * middle cubes to a database with history fill them exactly as the refresher builds them, and a
 * question a middle cube answers reads the same rows there as on the fine cube.
 */
const MIDDLE_CUBES_MIGRATION = 'RollupCubes1764202900000';
const DEPARTMENT_CUBES_MIGRATION = 'DepartmentCubes1764205710000';
const DEPARTMENT_CUBES = ['month_dept_category', 'month_dept_street', 'month_dept_status'].map(
  (s) => `rollup_cases_${s}`,
);
// Cubes of every case sum; rollup_topics (cases per keyword, docs/analytics-topics.md) has its own tests.
const CASE_CUBES = CUBES.filter((c) => c.series === 'cases' && c.bases === undefined);

describe('rollup cubes', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  const sql = <T = Record<string, unknown>>(text: string) => ds.query<T[]>(text);
  const snapshot = (table: string) => {
    const cube = CUBES.find((c) => c.table === table)!;
    const keys = ['t', ...cubeColumns(cube)];
    // Float sums may differ in the last bits with the order they were added in.
    const sums = CASE_SUM_COLUMNS.map((c) => `round(${c}::numeric, 9)::text AS ${c}`);
    return sql(`SELECT ${[...keys, ...sums, 'hist'].join(', ')} FROM ${table} ORDER BY ${keys.join(', ')}`);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await migrate(ds);
    await insertReferenceData(ds);
    await insertCases(ds, { count: 1500, seed: 5 });
    await insertCases(ds, { count: 200, seed: 6, from: '2021-03-01', to: '2021-03-09', source: 'second' });
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('keeps the records totals in every case cube', async () => {
    const [truth] = await sql<{ cases: number; closed: number; keys: string }>(
      `SELECT count(*)::int AS cases, count(closed_at)::int AS closed, sum(record_key)::text AS keys FROM case_record`,
    );
    expect(truth.cases).toBe(1700);
    for (const cube of CASE_CUBES) {
      const [sums] = await sql<{ cases: number; closed: number; keys: string; hist: number }>(
        `SELECT sum(cases)::int AS cases, sum(closed)::int AS closed, sum(record_key_sum)::text AS keys,
           (SELECT sum(x)::int FROM ${cube.table}, unnest(hist) x) AS hist FROM ${cube.table}`,
      );
      expect([cube.table, sums]).toEqual([cube.table, { ...truth, hist: truth.closed }]);
    }
  });

  it('derives every cube from a source that keeps all its levels at a grain at least as fine', () => {
    const grains = { month: 0, day: 1, hour: 2 };
    for (const cube of CUBES.filter((c) => c.from !== undefined)) {
      const source = CUBES.find((c) => c.table === cube.from)!;
      expect([cube.table, source.series]).toEqual([cube.table, cube.series]);
      expect(grains[source.grain]).toBeGreaterThanOrEqual(grains[cube.grain]);
      expect(cubeColumns(source)).toEqual(expect.arrayContaining(cubeColumns(cube)));
    }
  });

  /** Undo migrations down to and including `name`, migrate forward again, and return the rows of `tables` before and after. */
  const remigrate = async (name: string, tables: string[]) => {
    const applied = async () =>
      (await sql<{ name: string }>(`SELECT name FROM schema_migrations`)).some((m) => m.name === name);
    while (await applied()) await ds.undoLastMigration({ transaction: 'each' });
    for (const table of tables) expect(await sql(`SELECT to_regclass('${table}') AS t`)).toEqual([{ t: null }]);
    await migrate(ds);
  };

  it('fills the middle cubes on a database with history exactly as the refresher does', async () => {
    const added = CASE_CUBES.filter((c) =>
      ['month_city', 'month_status', 'day_city', 'month_area', 'month_category', 'month_mid'].some(
        (s) => c.table === `rollup_cases_${s}`,
      ),
    );
    expect(added).toHaveLength(6);
    const built = await Promise.all(added.map((c) => snapshot(c.table)));
    expect(built.every((rows) => rows.length > 0)).toBe(true);

    // Back to the schema before the middle cubes (the older cubes keep their rows), then forward.
    await remigrate(MIDDLE_CUBES_MIGRATION, ['rollup_cases_month_mid']);

    expect(await Promise.all(added.map((c) => snapshot(c.table)))).toEqual(built);
    // And a refresh over everything changes nothing.
    await ds.query(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT DISTINCT 'cases', (received_at AT TIME ZONE 'Asia/Shanghai')::date FROM case_record`,
    );
    await refreshRollups(ds);
    expect(await Promise.all(added.map((c) => snapshot(c.table)))).toEqual(built);
  });

  it('fills the department cubes on a database with history exactly as the refresher does', async () => {
    const added = CASE_CUBES.filter((c) => DEPARTMENT_CUBES.includes(c.table));
    expect(added).toHaveLength(3);
    // Built by the refresher over every day (the test's own insertCases refresh).
    await ds.query(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT DISTINCT 'cases', (received_at AT TIME ZONE 'Asia/Shanghai')::date FROM case_record`,
    );
    await refreshRollups(ds);
    const built = await Promise.all(added.map((c) => snapshot(c.table)));
    expect(built.every((rows) => rows.length > 0)).toBe(true);

    await remigrate(DEPARTMENT_CUBES_MIGRATION, DEPARTMENT_CUBES);
    expect(await Promise.all(added.map((c) => snapshot(c.table)))).toEqual(built);
  });

  it("answers a department's questions from the department cubes with the fine cube's rows", async () => {
    const definition = (
      await sql<{ definition: DatasetDefinition }>(`SELECT definition FROM dataset WHERE slug = 'hotline-cases'`)
    )[0].definition;
    const directory = new MemberDirectory(
      await sql<ReferenceRow>(`SELECT code, level, name_zh, name_en, parent_code FROM area`),
      await sql<ReferenceRow>(`SELECT code, level::text AS level, name_zh, name_en, parent_code FROM category`),
      await sql<ReferenceRow>(
        `SELECT code, 'department' AS level, name_zh, name_en, area_code AS parent_code FROM department`,
      ),
    );
    const own: RowCondition[] = [
      { dimension: 'department', level: 'department', in: ['320500-housing'], reason: "own department's cases" },
    ];
    // Measures that read every kind of base: counts with their cell keys, sums, the histogram.
    const measures = ['cases', 'solvedRate', 'satisfactionRate', 'avgHandlingDays', 'medianHandlingDays', 'repeatRate'];
    const questions: [Partial<AggregateQuery>, RowCondition[], string][] = [
      [
        {
          groupBy: [
            { dimension: 'category', level: 'l3' },
            { dimension: 'time', level: 'quarter' },
          ],
        },
        own,
        'month_dept_category',
      ],
      [{ groupBy: [{ dimension: 'area', level: 'street' }] }, own, 'month_dept_street'],
      [
        {
          groupBy: [{ dimension: 'outcome' }, { dimension: 'satisfaction' }],
          filters: [{ dimension: 'kind', in: ['complaint', 'help'] }],
        },
        own,
        'month_dept_status',
      ],
      [
        {
          groupBy: [{ dimension: 'outcome' }],
          filters: [
            { dimension: 'area', level: 'city', in: ['320500'] },
            { dimension: 'category', level: 'l1', in: ['HOUSING'] },
          ],
        },
        [],
        'month_dept_status',
      ],
    ];
    // Counts and key sums come back exact (as strings); float sums may differ in the last bits with
    // the order they were added in, as between any two cubes.
    const read = async (text: string, params: unknown[]) =>
      (await ds.query<Record<string, unknown>[]>(text, params)).map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(12)) : v]),
        ),
      );
    for (const [question, scope, cube] of questions) {
      const plan = planQuery(
        { slug: 'hotline-cases', definition },
        { dataset: 'hotline-cases', measures, ...question },
        directory,
      );
      const compiled = compileSql(plan, scope);
      expect([question, compiled.cube]).toEqual([question, `rollup_cases_${cube}`]);
      // The same statement on the fine cube (it keeps every column the statement reads). The
      // answer, disclosure control included, is computed from these rows alone.
      const onFine = compiled.sql.replace(`FROM ${compiled.cube} `, `FROM ${FINEST_CUBE.cases} `);
      expect(onFine).not.toBe(compiled.sql);
      const rows = await read(compiled.sql, compiled.params);
      expect(rows.length).toBeGreaterThan(1);
      expect([question, rows]).toEqual([question, await read(onFine, compiled.params)]);
    }
  });
});
