import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollup cubes (pre-aggregated tables the aggregate engine reads instead of the records), their
 * version counters, and catalog definitions that name each dataset's source series and its
 * measure definitions. Rollups are not entities: they are derived data rebuilt by the refresher.
 */
const CASE_SUMS = `"cases" integer NOT NULL, "consultations" integer NOT NULL, "closed" integer NOT NULL,
  "handling_days_sum" double precision NOT NULL, "on_time" integer NOT NULL, "with_outcome" integer NOT NULL,
  "solved" integer NOT NULL, "rated" integer NOT NULL, "satisfied" integer NOT NULL, "repeats" integer NOT NULL,
  "record_key_sum" bigint NOT NULL, "hist" integer[] NOT NULL`;
const TRAFFIC_SUMS = `"calls_offered" bigint NOT NULL, "calls_answered" bigint NOT NULL, "calls_abandoned" bigint NOT NULL`;

const text = (columns: string[]) => columns.map((c) => `"${c}" text NOT NULL`).join(', ');
const COARSE = ['province_code', 'city_code', 'category_l1', 'channel', 'kind', 'department_code'];
const FINE = [
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

const TABLES: [name: string, dims: string[], sums: string, extraIndexes: string[][]][] = [
  ['rollup_cases_month', COARSE, CASE_SUMS, []],
  [
    'rollup_cases_day',
    COARSE,
    CASE_SUMS,
    [
      ['city_code', 't'],
      ['department_code', 't'],
    ],
  ],
  ['rollup_cases_hour', ['province_code', 'city_code', 'channel'], CASE_SUMS, []],
  [
    'rollup_cases_fine',
    FINE,
    CASE_SUMS,
    [
      ['city_code', 't'],
      ['district_code', 't'],
      ['department_code', 't'],
    ],
  ],
  ['rollup_traffic_month', ['province_code', 'city_code'], TRAFFIC_SUMS, []],
  ['rollup_traffic_day', ['province_code', 'city_code'], TRAFFIC_SUMS, []],
  ['rollup_traffic_hour', ['province_code', 'city_code'], TRAFFIC_SUMS, []],
];

const DEFINITIONS: Record<string, string> = {
  cases: 'Number of requests received in the period (by received time, Asia/Shanghai).',
  consultationShare: 'Cases of kind consultation divided by all cases.',
  avgHandlingDays: 'Mean of (closed at - received at) in days over closed cases; open cases are left out.',
  medianHandlingDays:
    'Median handling time of closed cases, read from a histogram with log-scale buckets (exact to within the bucket holding the true median).',
  p90HandlingDays:
    '90th percentile (nearest rank) of the handling time of closed cases, read from the same histogram (exact to within its bucket).',
  onTimeRate:
    'Closed cases closed within the statutory limit for their kind (consultation 1 d, help 5 d, complaint 5 d, report 5 d, suggestion 10 d, praise 10 d; calendar days) divided by closed cases.',
  solvedRate: 'Cases with outcome solved divided by cases with any outcome (solved, partly, unsolved, returned).',
  satisfactionRate: 'Cases rated satisfied or basically satisfied divided by cases that were rated.',
  repeatRate: 'Cases that repeat an earlier case of the same caller on the same issue, divided by all cases.',
};

const SOURCES: Record<string, string> = {
  'hotline-cases': 'cases',
  'hotline-cases-open': 'cases',
  'call-traffic': 'traffic',
};

export class Rollups1764202000000 implements MigrationInterface {
  name = 'Rollups1764202000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [name, dims, sums, indexes] of TABLES) {
      await queryRunner.query(`CREATE TABLE "${name}" ("t" timestamp NOT NULL, ${text(dims)}, ${sums})`);
      await queryRunner.query(`CREATE INDEX "${name}_t_idx" ON "${name}" ("t")`);
      for (const columns of indexes) {
        await queryRunner.query(
          `CREATE INDEX "${name}_${columns[0]}_idx" ON "${name}" (${columns.map((c) => `"${c}"`).join(', ')})`,
        );
      }
    }
    // Bumped by every refresh, so result caches on every instance know when to forget.
    await queryRunner.query(
      `CREATE TABLE "rollup_state" ("series" text PRIMARY KEY, "version" bigint NOT NULL DEFAULT 0, "refreshed_at" timestamptz)`,
    );
    await queryRunner.query(`INSERT INTO "rollup_state" ("series") VALUES ('cases'), ('traffic')`);

    const rows = (await queryRunner.query(`SELECT slug, definition FROM dataset`)) as {
      slug: string;
      definition: Record<string, unknown>;
    }[];
    for (const row of rows) {
      const definition = row.definition as {
        measures: { code: string; definition: string }[];
        source?: string;
        statutoryLimitDays?: Record<string, number>;
      };
      definition.source = SOURCES[row.slug] ?? 'cases';
      for (const m of definition.measures) m.definition = DEFINITIONS[m.code] ?? m.definition;
      if (definition.source === 'cases') {
        definition.statutoryLimitDays = {
          consultation: 1,
          help: 5,
          complaint: 5,
          report: 5,
          suggestion: 10,
          praise: 10,
        };
      }
      await queryRunner.query(`UPDATE dataset SET definition = $2 WHERE slug = $1`, [
        row.slug,
        JSON.stringify(definition),
      ]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE dataset SET definition = definition - 'source' - 'statutoryLimitDays'`);
    await queryRunner.query(`DROP TABLE "rollup_state"`);
    for (const [name] of [...TABLES].reverse()) await queryRunner.query(`DROP TABLE "${name}"`);
  }
}
