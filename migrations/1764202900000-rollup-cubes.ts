import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Middle rollup cubes, so that the common queries read a small cube instead of the fine one (about
 * one row per record), and member codes stored in the "C" collation (byte order: cheaper sorts and
 * index maintenance when the rollups are rebuilt, and the same order on every server locale).
 *
 * Each new cube is created LIKE rollup_cases_fine and then loses the dimension columns it does not
 * keep, so it carries exactly the fine cube's sum columns (and types) as they are when this runs,
 * including sums that other migrations added before it. It is filled here from an existing cube
 * that keeps everything it needs (numbers summed, the histogram summed bucket by bucket), so it is
 * as current as the cubes were; later changes reach it through the refresher like any cube.
 */
const CASE_DIMENSIONS = [
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
];

/** Existing cubes and their dimension columns (migration 1764202000000). */
const EXISTING: Record<string, string[]> = {
  rollup_cases_month: ['province_code', 'city_code', 'category_l1', 'channel', 'kind', 'department_code'],
  rollup_cases_day: ['province_code', 'city_code', 'category_l1', 'channel', 'kind', 'department_code'],
  rollup_cases_hour: ['province_code', 'city_code', 'channel'],
  rollup_cases_fine: CASE_DIMENSIONS,
  rollup_traffic_month: ['province_code', 'city_code'],
  rollup_traffic_day: ['province_code', 'city_code'],
  rollup_traffic_hour: ['province_code', 'city_code'],
};

/** New cubes: dimension columns kept, columns that lead an index (each with `t`), and where the rows come from. */
const CUBES: [table: string, keep: string[], indexed: string[], from: [table: string, grain: string]][] = [
  ['rollup_cases_month_city', ['province_code', 'city_code', 'channel', 'kind'], [], ['rollup_cases_month', 'month']],
  [
    'rollup_cases_month_status',
    ['province_code', 'city_code', 'kind', 'outcome', 'satisfaction'],
    ['city_code'],
    ['rollup_cases_fine', 'month'],
  ],
  [
    'rollup_cases_day_city',
    ['province_code', 'city_code', 'category_l1'],
    ['city_code', 'category_l1'],
    ['rollup_cases_day', 'day'],
  ],
  [
    'rollup_cases_month_area',
    ['province_code', 'city_code', 'district_code', 'street_code', 'kind'],
    ['city_code', 'district_code'],
    ['rollup_cases_fine', 'month'],
  ],
  [
    'rollup_cases_month_category',
    ['province_code', 'city_code', 'category_l1', 'category_l2', 'category_l3', 'kind'],
    ['city_code', 'category_l1'],
    ['rollup_cases_fine', 'month'],
  ],
  [
    'rollup_cases_month_mid',
    ['province_code', 'city_code', 'district_code', 'category_l1', 'category_l2', 'kind', 'department_code'],
    ['city_code', 'district_code', 'department_code'],
    ['rollup_cases_fine', 'month'],
  ],
];

/** Buckets of the handling-time histogram (`hist`) when this migration was written. */
const HIST_BUCKETS = 23;

/** Indexes added to existing cubes for filters the planner sends them. */
const EXTRA_INDEXES: [table: string, column: string][] = [
  ['rollup_cases_month', 'city_code'],
  ['rollup_cases_month', 'department_code'],
  ['rollup_cases_hour', 'city_code'],
];

const collate = (columns: string[], collation: string) =>
  columns.map((c) => `ALTER COLUMN "${c}" TYPE text COLLATE "${collation}"`).join(', ');

export class RollupCubes1764202900000 implements MigrationInterface {
  name = 'RollupCubes1764202900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, columns] of Object.entries(EXISTING)) {
      await queryRunner.query(`ALTER TABLE "${table}" ${collate(columns, 'C')}`);
    }
    for (const [table, column] of EXTRA_INDEXES) {
      await queryRunner.query(`CREATE INDEX "${table}_${column}_idx" ON "${table}" ("${column}", "t")`);
    }
    for (const [table, keep, indexed, [source, grain]] of CUBES) {
      await queryRunner.query(`CREATE TABLE "${table}" (LIKE "rollup_cases_fine")`);
      const drop = CASE_DIMENSIONS.filter((c) => !keep.includes(c));
      await queryRunner.query(`ALTER TABLE "${table}" ${drop.map((c) => `DROP COLUMN "${c}"`).join(', ')}`);
      const columns = (await queryRunner.query(
        `SELECT column_name AS name, data_type AS type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      )) as { name: string; type: string }[];
      const sums = columns.filter((c) => c.name !== 't' && !keep.includes(c.name));
      const aggregate = ({ name, type }: { name: string; type: string }) => {
        if (type !== 'ARRAY') return `sum("${name}")`;
        if (name !== 'hist') throw new Error(`${table}: no rule to sum the array column "${name}"`);
        const buckets = Array.from({ length: HIST_BUCKETS }, (_, i) => `sum("hist"[${i + 1}])`);
        return `ARRAY[${buckets.join(', ')}]::integer[]`;
      };
      const dims = keep.map((c) => `"${c}"`).join(', ');
      await queryRunner.query(
        `INSERT INTO "${table}" ("t", ${dims}, ${sums.map((c) => `"${c.name}"`).join(', ')})
         SELECT date_trunc('${grain}', "t"), ${dims}, ${sums.map(aggregate).join(', ')}
         FROM "${source}" GROUP BY 1, ${dims}`,
      );
      await queryRunner.query(`CREATE INDEX "${table}_t_idx" ON "${table}" ("t")`);
      for (const column of indexed) {
        await queryRunner.query(`CREATE INDEX "${table}_${column}_idx" ON "${table}" ("${column}", "t")`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table] of [...CUBES].reverse()) await queryRunner.query(`DROP TABLE "${table}"`);
    for (const [table, column] of EXTRA_INDEXES) await queryRunner.query(`DROP INDEX "${table}_${column}_idx"`);
    for (const [table, columns] of Object.entries(EXISTING)) {
      await queryRunner.query(`ALTER TABLE "${table}" ${collate(columns, 'default')}`);
    }
  }
}
