import { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log table (append-only; the chain, protection triggers and checkpoints come in later migrations). */
export class AuditLog1764201750000 implements MigrationInterface {
  name = 'AuditLog1764201750000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_event" ("id" BIGSERIAL NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "principal_id" text, "role" text NOT NULL, "organization_id" text, "api_key_id" text, "license_id" text, "operation" text NOT NULL, "dataset_slug" text, "query" jsonb, "result_size" integer, "cells_suppressed" integer, "decision" text NOT NULL, "reason" text, "target" text, "request_id" text, "client_address" text, CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "audit_event_principal_idx" ON "audit_event"  ("principal_id")`);
    await queryRunner.query(`CREATE INDEX "audit_event_occurred_at_idx" ON "audit_event"  ("occurred_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_event"`);
  }
}
