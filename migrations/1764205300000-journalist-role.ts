import { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `"role" IN ('steward', 'department', 'researcher', 'auditor')`;
const AFTER = `"role" IN ('steward', 'department', 'researcher', 'auditor', 'journalist')`;

/**
 * The journalist role (src/access-policy/roles.ts): principals may hold it. A role is one
 * definition there and one migration like this, which adds it to `principal_role_check`.
 * Reverting fails while a principal holds the role.
 */
export class JournalistRole1764205300000 implements MigrationInterface {
  name = 'JournalistRole1764205300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "principal" DROP CONSTRAINT "principal_role_check"`);
    await queryRunner.query(`ALTER TABLE "principal" ADD CONSTRAINT "principal_role_check" CHECK (${AFTER})`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "principal" DROP CONSTRAINT "principal_role_check"`);
    await queryRunner.query(`ALTER TABLE "principal" ADD CONSTRAINT "principal_role_check" CHECK (${BEFORE})`);
  }
}
