import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disclosure control that holds against differencing and pinning (docs/disclosure-control.md):
 *
 * - Every case cube gains, for each count it keeps, the sum of the record keys of the records
 *   that count covers (`<count>_key`), so a numerator or denominator is perturbed by a cell key of
 *   its own records: the same records always get the same noise, whichever query selected them.
 *   It also gains `handling_days_bounded`, the handling-time sum with each case top-coded at 365
 *   days, the bounded sum that perturbed means are computed from.
 * - Budgets of distinct queries can be held per period (a public address or a department per
 *   day), besides per licence: `period` is '' for a licence's whole life.
 * - The case datasets move to the wider perturbation table (maxNoise 6, variance 6) where they
 *   still use the former defaults (3, 2): with those, a perturbed count equals the true one 28.5%
 *   of the time (more near the threshold), more than the 25% a released value may give away.
 *
 * Every day with cases is marked dirty, so the rollups are rebuilt with the new columns at once.
 */
const CASE_CUBES = [
  'rollup_cases_month',
  'rollup_cases_day',
  'rollup_cases_hour',
  'rollup_cases_fine',
  'rollup_cases_month_city',
  'rollup_cases_month_status',
  'rollup_cases_day_city',
  'rollup_cases_month_area',
  'rollup_cases_month_category',
  'rollup_cases_month_mid',
];

const KEYED_COUNTS = [
  'consultations',
  'closed',
  'on_time',
  'with_outcome',
  'solved',
  'rated',
  'satisfied',
  'repeats',
  'chains',
  'unsolved_after_three',
  'replied',
  'template_replies',
];

export class DisclosureRelease1764203500000 implements MigrationInterface {
  name = 'DisclosureRelease1764203500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const added = [
      // Kept modulo 2^31 (the cell key range), so four bytes each.
      ...KEYED_COUNTS.map((c) => `ADD COLUMN "${c}_key" integer NOT NULL DEFAULT 0`),
      `ADD COLUMN "handling_days_bounded" double precision NOT NULL DEFAULT 0`,
    ].join(', ');
    for (const table of CASE_CUBES) await queryRunner.query(`ALTER TABLE "${table}" ${added}`);

    for (const table of ['disclosure_budget', 'disclosure_query_seen']) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD COLUMN "period" text NOT NULL DEFAULT ''`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_pkey"`);
    }
    await queryRunner.query(
      `ALTER TABLE "disclosure_budget" ADD CONSTRAINT "disclosure_budget_pkey" PRIMARY KEY ("holder", "dataset_slug", "kind", "period")`,
    );
    await queryRunner.query(
      `ALTER TABLE "disclosure_query_seen" ADD CONSTRAINT "disclosure_query_seen_pkey" PRIMARY KEY ("holder", "dataset_slug", "period", "query_hash")`,
    );
    // Daily periods are pruned by age.
    await queryRunner.query(`CREATE INDEX "disclosure_query_seen_period_idx" ON "disclosure_query_seen" ("period")`);

    await queryRunner.query(
      `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{disclosure}',
         "definition"->'disclosure' || '{"maxNoise": 6, "noiseVariance": 6}'::jsonb)
       WHERE "definition"->'disclosure'->>'method' = 'cell-key'
         AND ("definition"->'disclosure'->>'maxNoise')::numeric = 3
         AND ("definition"->'disclosure'->>'noiseVariance')::numeric = 2`,
    );
    await queryRunner.query(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT DISTINCT 'cases', (received_at AT TIME ZONE 'Asia/Shanghai')::date FROM case_record
       ON CONFLICT DO NOTHING`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{disclosure}',
         "definition"->'disclosure' || '{"maxNoise": 3, "noiseVariance": 2}'::jsonb)
       WHERE "definition"->'disclosure'->>'method' = 'cell-key'
         AND ("definition"->'disclosure'->>'maxNoise')::numeric = 6
         AND ("definition"->'disclosure'->>'noiseVariance')::numeric = 6`,
    );
    await queryRunner.query(`DROP INDEX "disclosure_query_seen_period_idx"`);
    await queryRunner.query(`DELETE FROM "disclosure_query_seen" WHERE "period" <> ''`);
    await queryRunner.query(`DELETE FROM "disclosure_budget" WHERE "period" <> ''`);
    for (const [table, key] of [
      ['disclosure_budget', '"holder", "dataset_slug", "kind"'],
      ['disclosure_query_seen', '"holder", "dataset_slug", "query_hash"'],
    ]) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${table}_pkey"`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "period"`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${table}_pkey" PRIMARY KEY (${key})`);
    }
    const dropped = [...KEYED_COUNTS.map((c) => `DROP COLUMN "${c}_key"`), `DROP COLUMN "handling_days_bounded"`].join(
      ', ',
    );
    for (const table of CASE_CUBES) await queryRunner.query(`ALTER TABLE "${table}" ${dropped}`);
  }
}
