import { DataSource } from 'typeorm';
import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { CASE_SUM_COLUMNS, CUBES, cubeColumns } from '../src/catalog/registry.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestDatabase } from './utils/test-database.js';

/**
 * The cube lattice: every case cube holds the same totals as the records, and the migration that
 * adds the middle cubes to a database with history fills them exactly as the refresher builds them.
 */
const MIDDLE_CUBES_MIGRATION = 'RollupCubes1764202900000';
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
    const applied = async () =>
      (await sql<{ name: string }>(`SELECT name FROM schema_migrations`)).some(
        (m) => m.name === MIDDLE_CUBES_MIGRATION,
      );
    while (await applied()) await ds.undoLastMigration({ transaction: 'each' });
    expect(await sql(`SELECT to_regclass('rollup_cases_month_mid') AS t`)).toEqual([{ t: null }]);
    await migrate(ds);

    expect(await Promise.all(added.map((c) => snapshot(c.table)))).toEqual(built);
    // And a refresh over everything changes nothing.
    await ds.query(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT DISTINCT 'cases', (received_at AT TIME ZONE 'Asia/Shanghai')::date FROM case_record`,
    );
    await refreshRollups(ds);
    expect(await Promise.all(added.map((c) => snapshot(c.table)))).toEqual(built);
  });
});
