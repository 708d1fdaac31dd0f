import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hot topics (docs/analytics-topics.md): keywords segmented from the scrubbed request text at
 * import (`case_keyword`), the vocabulary of keywords common enough to be shown at all
 * (`topic_vocabulary`), a monthly rollup per city, category level 1, department and keyword
 * (`rollup_topics`), and the dimension `topic` (level `keyword`) in the `hotline-cases` catalog.
 * The open dataset does not get it: topics are offered under a licence, with its query budget.
 */
const DIMENSION = {
  code: 'topic',
  titleZh: '热点话题',
  titleEn: 'Topic',
  levels: [{ code: 'keyword', titleZh: '关键词', titleEn: 'Keyword' }],
};

export class HotTopics1764202710000 implements MigrationInterface {
  name = 'HotTopics1764202710000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Derived from case_record.request_text (already scrubbed); never served.
    await queryRunner.query(`
      CREATE TABLE "case_keyword" (
        "case_id" bigint NOT NULL,
        "keyword" text NOT NULL,
        CONSTRAINT "case_keyword_pkey" PRIMARY KEY ("case_id", "keyword")
      )`);
    await queryRunner.query(`CREATE INDEX "case_keyword_keyword_idx" ON "case_keyword" ("keyword")`);
    await queryRunner.query(`
      CREATE TABLE "topic_vocabulary" (
        "keyword" text PRIMARY KEY,
        "callers" integer NOT NULL,
        "admitted_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "rollup_topics" (
        "t" timestamp NOT NULL,
        "province_code" text NOT NULL,
        "city_code" text NOT NULL,
        "category_l1" text NOT NULL,
        "department_code" text NOT NULL,
        "keyword" text NOT NULL,
        "cases" integer NOT NULL,
        "record_key_sum" bigint NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "rollup_topics_t_idx" ON "rollup_topics" ("t")`);
    await queryRunner.query(`CREATE INDEX "rollup_topics_keyword_idx" ON "rollup_topics" ("keyword", "t")`);
    await queryRunner.query(
      `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{dimensions}', ("definition"->'dimensions') || $1::jsonb)
       WHERE "slug" = 'hotline-cases' AND NOT ("definition"->'dimensions') @> $2::jsonb`,
      [JSON.stringify([DIMENSION]), JSON.stringify([{ code: DIMENSION.code }])],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{dimensions}',
         coalesce((SELECT jsonb_agg(d) FROM jsonb_array_elements("definition"->'dimensions') d WHERE d->>'code' <> $1), '[]'::jsonb))`,
      [DIMENSION.code],
    );
    await queryRunner.query(`DROP TABLE "rollup_topics"`);
    await queryRunner.query(`DROP TABLE "topic_vocabulary"`);
    await queryRunner.query(`DROP TABLE "case_keyword"`);
  }
}
