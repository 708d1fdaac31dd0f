import { MigrationInterface, QueryRunner } from 'typeorm';

/** Data-use licences and their daily usage. */
export class Licensing1764202300000 implements MigrationInterface {
  name = 'Licensing1764202300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "license" ("id" BIGSERIAL NOT NULL, "principal_id" text NOT NULL, "organization_id" text, "requested_by_id" text NOT NULL, "kind" text NOT NULL, "purpose" text NOT NULL, "scopes" jsonb NOT NULL, "valid_from" date NOT NULL, "valid_to" date NOT NULL, "obligations" jsonb NOT NULL, "daily_quota" integer NOT NULL, "status" text NOT NULL DEFAULT 'requested', "status_reason" text, "status_changed_at" TIMESTAMP WITH TIME ZONE, "decided_by_id" text, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "license_quota_check" CHECK ("daily_quota" > 0), CONSTRAINT "license_validity_check" CHECK ("valid_from" <= "valid_to"), CONSTRAINT "license_status_check" CHECK ("status" IN ('requested', 'active', 'rejected', 'suspended', 'revoked', 'expired')), CONSTRAINT "PK_f168ac1ca5ba87286d03b2ef905" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "license_status_idx" ON "license"  ("status")`);
    await queryRunner.query(`CREATE INDEX "license_principal_idx" ON "license"  ("principal_id")`);
    await queryRunner.query(
      `CREATE TABLE "license_usage" ("license_id" bigint NOT NULL, "day" date NOT NULL, "queries" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_eb84b22221a442aecfc34706eaf" PRIMARY KEY ("license_id", "day"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "license_usage"`);
    await queryRunner.query(`DROP TABLE "license"`);
  }
}
