import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Smaller keywords: `case_keyword` is looked up by case (the topic rollup's join, retention's
 * delete) and by keyword (the topic vocabulary), never by the pair. Its primary key on
 * `(case_id, keyword)` held one entry per keyword, each repeating its case id and keyword (30 MB at
 * 300,000 cases); a plain index on `case_id` keeps one entry per case with the row pointers of
 * its keywords (B-tree deduplication, which a unique index cannot do): 13 MB. A case's keywords
 * are distinct by construction (src/ingest/text-analytics/keyword-extractor.ts keeps each word
 * once) and are written once, when the case is stored, so the pair needs no constraint.
 * `down` restores the key, dropping any repeated pair first (a repeat carries nothing).
 */
export class CaseKeywordIndex1764205520000 implements MigrationInterface {
  name = 'CaseKeywordIndex1764205520000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "case_keyword" DROP CONSTRAINT "case_keyword_pkey"`);
    await queryRunner.query(`CREATE INDEX "case_keyword_case_idx" ON "case_keyword" ("case_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "case_keyword" a USING "case_keyword" b
       WHERE a."case_id" = b."case_id" AND a."keyword" = b."keyword" AND a.ctid > b.ctid`,
    );
    await queryRunner.query(`DROP INDEX "case_keyword_case_idx"`);
    await queryRunner.query(
      `ALTER TABLE "case_keyword" ADD CONSTRAINT "case_keyword_pkey" PRIMARY KEY ("case_id", "keyword")`,
    );
  }
}
