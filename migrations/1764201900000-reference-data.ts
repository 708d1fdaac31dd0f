import { MigrationInterface, QueryRunner } from 'typeorm';
import { categoryRows } from '../src/ingest/reference/categories.js';
import { jiangsuDepartmentRows } from '../src/ingest/reference/departments.js';
import { jiangsuAreaRows } from '../src/ingest/reference/jiangsu-areas.js';
import { nycAreaRows } from '../src/ingest/reference/nyc-areas.js';

/**
 * Reference data for imports: Jiangsu's areas (real codes, synthetic streets), the category
 * tree, the city departments and New York City's areas; plus the index the importer uses to
 * link repeat calls (caller, then time), which replaces the caller-only index.
 */
export class ReferenceData1764201900000 implements MigrationInterface {
  name = 'ReferenceData1764201900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."case_record_caller_idx"`);
    await queryRunner.query(
      `CREATE INDEX "case_record_caller_received_idx" ON "case_record" ("caller_pseudonym", "received_at") `,
    );
    const areas = [...jiangsuAreaRows(), ...nycAreaRows()];
    await queryRunner.query(
      `INSERT INTO "area" ("code", "level", "parent_code", "name_zh", "name_en")
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) ON CONFLICT DO NOTHING`,
      [
        areas.map((a) => a.code),
        areas.map((a) => a.level),
        areas.map((a) => a.parentCode),
        areas.map((a) => a.nameZh),
        areas.map((a) => a.nameEn),
      ],
    );
    const categories = categoryRows();
    await queryRunner.query(
      `INSERT INTO "category" ("code", "level", "parent_code", "name_zh", "name_en")
       SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[]) ON CONFLICT DO NOTHING`,
      [
        categories.map((c) => c.code),
        categories.map((c) => c.level),
        categories.map((c) => c.parentCode),
        categories.map((c) => c.nameZh),
        categories.map((c) => c.nameEn),
      ],
    );
    const departments = jiangsuDepartmentRows();
    await queryRunner.query(
      `INSERT INTO "department" ("code", "name_zh", "name_en", "area_code")
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [
        departments.map((x) => x.code),
        departments.map((x) => x.nameZh),
        departments.map((x) => x.nameEn),
        departments.map((x) => x.areaCode),
      ],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Reference rows may be referenced by imported records; only the seeded codes go.
    await queryRunner.query(`DELETE FROM "department" WHERE "code" = ANY($1)`, [
      jiangsuDepartmentRows().map((x) => x.code),
    ]);
    await queryRunner.query(`DELETE FROM "category" WHERE "code" = ANY($1)`, [categoryRows().map((c) => c.code)]);
    await queryRunner.query(`DELETE FROM "area" WHERE "code" = ANY($1)`, [
      [...jiangsuAreaRows(), ...nycAreaRows()].map((a) => a.code),
    ]);
    await queryRunner.query(`DROP INDEX "public"."case_record_caller_received_idx"`);
    await queryRunner.query(`CREATE INDEX "case_record_caller_idx" ON "case_record" ("caller_pseudonym") `);
  }
}
