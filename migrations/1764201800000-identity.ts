import { MigrationInterface, QueryRunner } from 'typeorm';

/** Identity: organizations, principals (one role each) and API keys (hash only). */
export class Identity1764201800000 implements MigrationInterface {
  name = 'Identity1764201800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organization" ("id" uuid NOT NULL, "kind" text NOT NULL, "name_zh" text NOT NULL, "name_en" text NOT NULL, "department_code" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "organization_department_code_check" CHECK (("kind" = 'department') = ("department_code" IS NOT NULL)), CONSTRAINT "organization_kind_check" CHECK ("kind" IN ('hotline-centre', 'department', 'university', 'institute', 'audit-office')), CONSTRAINT "PK_472c1f99a32def1b0abb219cd67" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "principal" ("id" uuid NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "organization_id" uuid NOT NULL, "oidc_subject" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "disabled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "principal_role_check" CHECK ("role" IN ('steward', 'department', 'researcher', 'auditor')), CONSTRAINT "PK_b3ff9fc87cb26d8e16f1cc56745" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "principal_organization_idx" ON "principal"  ("organization_id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "principal_oidc_subject_key" ON "principal"  ("oidc_subject")`);
    await queryRunner.query(
      `CREATE TABLE "api_key" ("id" text NOT NULL, "principal_id" uuid NOT NULL, "name" text NOT NULL, "secret_hash" bytea NOT NULL, "scopes" text array, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b1bd840641b8acbaad89c3d8d11" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "api_key_principal_idx" ON "api_key"  ("principal_id")`);
    await queryRunner.query(
      `ALTER TABLE "principal" ADD CONSTRAINT "FK_e854ba038b5e54191b5493c9268" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_key" ADD CONSTRAINT "FK_b6ba75a65f4a62d38d357ba6d6a" FOREIGN KEY ("principal_id") REFERENCES "principal"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "api_key"`);
    await queryRunner.query(`DROP TABLE "principal"`);
    await queryRunner.query(`DROP TABLE "organization"`);
  }
}
