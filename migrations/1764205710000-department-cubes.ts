import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Month cubes of a department's own cases (its row condition always filters department_code), so
 * that the realistic mix's department questions by category l3, street, or outcome and satisfaction
 * (and researchers' outcome and satisfaction within a city and category l1) no longer read the fine
 * cube (about one row per record): `npm run bench:mix-cubes` lists what is left to it.
 *
 * As in 1764202900000-rollup-cubes.ts, each cube is created LIKE rollup_cases_fine and loses the
 * dimension columns it does not keep, so it carries exactly the fine cube's sum columns as they are
 * when this runs, and is filled from the fine cube by the refresher's rules (src/catalog/base-columns.ts):
 * numbers summed, a record-key sum kept in an integer column summed modulo 2^31, the histogram summed
 * bucket by bucket (a bucket no case falls in stays NULL, 1764205500000-sparse-histograms.ts). Later
 * changes reach them through the refresher like any cube.
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

/** New cubes: dimension columns kept and the columns that lead an index (each with `t`). */
const CUBES: [table: string, keep: string[], indexed: string[]][] = [
  [
    'rollup_cases_month_dept_category',
    ['province_code', 'city_code', 'category_l1', 'category_l2', 'category_l3', 'kind', 'department_code'],
    ['department_code', 'city_code'],
  ],
  [
    'rollup_cases_month_dept_street',
    ['province_code', 'city_code', 'district_code', 'street_code', 'department_code'],
    ['department_code', 'city_code'],
  ],
  [
    'rollup_cases_month_dept_status',
    ['province_code', 'city_code', 'category_l1', 'kind', 'department_code', 'outcome', 'satisfaction'],
    ['department_code', 'city_code'],
  ],
];

/** Buckets of the handling-time histogram (`hist`) when this migration was written. */
const HIST_BUCKETS = 23;
/** Record-key sums in integer columns are kept modulo 2^31 (the cell key range). */
const KEY_MODULUS = '2147483648';

export class DepartmentCubes1764205710000 implements MigrationInterface {
  name = 'DepartmentCubes1764205710000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Each fill reads the whole fine cube (about one row per record: minutes at tens of millions),
    // longer than the pool's per-statement ceiling; the refresher's build settings, for this
    // migration's transaction only.
    await queryRunner.query(`SET LOCAL statement_timeout = 0`);
    await queryRunner.query(`SET LOCAL work_mem = '128MB'`);
    await queryRunner.query(`SET LOCAL jit = off`);
    for (const [table, keep, indexed] of CUBES) {
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
        if (type === 'integer' && name.endsWith('_key')) return `sum("${name}") % ${KEY_MODULUS}`;
        if (type !== 'ARRAY') return `sum("${name}")`;
        if (name !== 'hist') throw new Error(`${table}: no rule to sum the array column "${name}"`);
        const buckets = Array.from({ length: HIST_BUCKETS }, (_, i) => `sum("hist"[${i + 1}])`);
        return `ARRAY[${buckets.join(', ')}]::integer[]`;
      };
      const dims = keep.map((c) => `"${c}"`).join(', ');
      await queryRunner.query(
        `INSERT INTO "${table}" ("t", ${dims}, ${sums.map((c) => `"${c.name}"`).join(', ')})
         SELECT date_trunc('month', "t"), ${dims}, ${sums.map(aggregate).join(', ')}
         FROM "rollup_cases_fine" GROUP BY 1, ${dims} ORDER BY 1, ${dims}`,
      );
      await queryRunner.query(`CREATE INDEX "${table}_t_idx" ON "${table}" ("t")`);
      for (const column of indexed) {
        await queryRunner.query(`CREATE INDEX "${table}_${column}_idx" ON "${table}" ("${column}", "t")`);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table] of [...CUBES].reverse()) await queryRunner.query(`DROP TABLE "${table}"`);
  }
}
