import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Free text is kept only for FREE_TEXT_RETENTION_DAYS (default 0: not stored). Cases still holding
 * text are few and found through this partial index when the import clears what has aged out; the
 * replied count of the rollups is taken from the reply fingerprint, which stays.
 */
export class FreeTextRetention1764204600000 implements MigrationInterface {
  name = 'FreeTextRetention1764204600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "case_record_text_kept_idx" ON "case_record" ("received_at") WHERE "request_text" IS NOT NULL OR "reply_text" IS NOT NULL OR "dissatisfaction_reason" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "case_record_text_kept_idx"`);
  }
}
