import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Template replies (docs/analytics-topics.md): a per-case flag, the reply forms seen so far with
 * their count of unrelated cases, two additive sums on every case rollup and the measure
 * `templateReplyShare` in the `hotline-cases` catalog. Existing cases are classified from their
 * stored reply fingerprints and every case day is marked dirty so the rollups gain the new sums.
 */
const CASE_CUBES = ['rollup_cases_month', 'rollup_cases_day', 'rollup_cases_hour', 'rollup_cases_fine'];
/** Keep equal to TEMPLATE_MIN_UNRELATED_CASES in src/ingest/text-analytics/template-replies.ts. */
const MIN_UNRELATED = 20;

const MEASURE = {
  code: 'templateReplyShare',
  titleZh: '模板化答复占比',
  titleEn: 'Share of template replies',
  unit: 'ratio',
  definition:
    'Cases answered with a template reply (a reply text that, after removing digits, punctuation, spacing and scrubbed personal data, was given to at least 20 unrelated cases) divided by cases with a reply.',
};

export class TemplateReplies1764202700000 implements MigrationInterface {
  name = 'TemplateReplies1764202700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "case_record" ADD "template_reply" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE INDEX "case_record_reply_fingerprint_idx" ON "case_record" ("reply_fingerprint")`);
    // Derived data (like the rollups): one row per normalized reply text.
    await queryRunner.query(`
      CREATE TABLE "reply_form" (
        "fingerprint" text PRIMARY KEY,
        "cases" integer NOT NULL,
        "unrelated_cases" integer NOT NULL,
        "template" boolean NOT NULL DEFAULT false,
        "template_since" timestamptz
      )`);
    for (const table of CASE_CUBES) {
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD "replied" integer NOT NULL DEFAULT 0, ADD "template_replies" integer NOT NULL DEFAULT 0`,
      );
    }
    await queryRunner.query(
      `INSERT INTO "reply_form" ("fingerprint", "cases", "unrelated_cases", "template", "template_since")
       SELECT reply_fingerprint, count(*), count(*) FILTER (WHERE repeat_of_id IS NULL),
         count(*) FILTER (WHERE repeat_of_id IS NULL) >= $1,
         CASE WHEN count(*) FILTER (WHERE repeat_of_id IS NULL) >= $1 THEN now() END
       FROM case_record WHERE reply_fingerprint IS NOT NULL GROUP BY reply_fingerprint`,
      [MIN_UNRELATED],
    );
    await queryRunner.query(
      `UPDATE case_record c SET template_reply = true FROM reply_form f WHERE f.template AND f.fingerprint = c.reply_fingerprint`,
    );
    await queryRunner.query(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT DISTINCT 'cases', (received_at AT TIME ZONE 'Asia/Shanghai')::date FROM case_record ON CONFLICT DO NOTHING`,
    );
    await queryRunner.query(
      `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{measures}', ("definition"->'measures') || $1::jsonb)
       WHERE "slug" = 'hotline-cases' AND NOT ("definition"->'measures') @> $2::jsonb`,
      [JSON.stringify([MEASURE]), JSON.stringify([{ code: MEASURE.code }])],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{measures}',
         coalesce((SELECT jsonb_agg(m) FROM jsonb_array_elements("definition"->'measures') m WHERE m->>'code' <> $1), '[]'::jsonb))`,
      [MEASURE.code],
    );
    for (const table of CASE_CUBES) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "template_replies", DROP COLUMN "replied"`);
    }
    await queryRunner.query(`DROP TABLE "reply_form"`);
    await queryRunner.query(`DROP INDEX "case_record_reply_fingerprint_idx"`);
    await queryRunner.query(`ALTER TABLE "case_record" DROP COLUMN "template_reply"`);
  }
}
