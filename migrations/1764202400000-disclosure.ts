import { MigrationInterface, QueryRunner } from 'typeorm';

/** Disclosure budgets: distinct queries seen and budget spent per licence and dataset. */
export class Disclosure1764202400000 implements MigrationInterface {
  name = 'Disclosure1764202400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "disclosure_budget" (
        "holder" text NOT NULL,
        "dataset_slug" text NOT NULL,
        "kind" text NOT NULL,
        "spent" numeric NOT NULL DEFAULT 0,
        CONSTRAINT "disclosure_budget_pkey" PRIMARY KEY ("holder", "dataset_slug", "kind"),
        CONSTRAINT "disclosure_budget_kind_check" CHECK ("kind" IN ('queries', 'epsilon')),
        CONSTRAINT "disclosure_budget_spent_check" CHECK ("spent" >= 0)
      )`);
    await queryRunner.query(`
      CREATE TABLE "disclosure_query_seen" (
        "holder" text NOT NULL,
        "dataset_slug" text NOT NULL,
        "query_hash" text NOT NULL,
        "first_seen_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "disclosure_query_seen_pkey" PRIMARY KEY ("holder", "dataset_slug", "query_hash")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "disclosure_query_seen"`);
    await queryRunner.query(`DROP TABLE "disclosure_budget"`);
  }
}
