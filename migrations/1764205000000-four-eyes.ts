import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four eyes on licences: who created each principal (a steward may not approve a licence for an
 * identity it created or keyed), and the first of two approvals where LICENSE_SECOND_APPROVAL asks
 * for two stewards. Principals created before this migration get their creator from the audit log.
 */
export class FourEyes1764205000000 implements MigrationInterface {
  name = 'FourEyes1764205000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "principal" ADD "created_by_id" uuid`);
    await queryRunner.query(`ALTER TABLE "license" ADD "first_approved_by_id" text`);
    await queryRunner.query(`ALTER TABLE "license" ADD "first_approved_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `UPDATE "principal" p SET "created_by_id" = a.principal_id::uuid
         FROM "audit_event" a
        WHERE a.operation = 'createPrincipal' AND a.decision = 'allowed' AND a.target = 'principal:' || p.id::text
          AND a.principal_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "license" DROP COLUMN "first_approved_at"`);
    await queryRunner.query(`ALTER TABLE "license" DROP COLUMN "first_approved_by_id"`);
    await queryRunner.query(`ALTER TABLE "principal" DROP COLUMN "created_by_id"`);
  }
}
