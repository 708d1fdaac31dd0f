import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit windows shared by several gateway processes without Redis (RATE_LIMIT_STORE=database).
 * Unlogged: counters need no crash safety or replication, only speed; a crash resets them.
 */
export class SharedRateLimits1764204500000 implements MigrationInterface {
  name = 'SharedRateLimits1764204500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "rate_limit_window" ("key" text PRIMARY KEY, "hits" integer NOT NULL, "window_ends_at" timestamptz NOT NULL, "blocked_until" timestamptz)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rate_limit_window"`);
  }
}
