import { MigrationInterface, QueryRunner } from 'typeorm';

/** Case records (microdata, never served), reference tables and hourly call traffic. */
export class Records1764201700000 implements MigrationInterface {
  name = 'Records1764201700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "area" ("code" text NOT NULL, "level" text NOT NULL, "parent_code" text, "name_zh" text NOT NULL, "name_en" text NOT NULL, CONSTRAINT "area_level_check" CHECK ("level" IN ('province', 'city', 'district', 'street')), CONSTRAINT "PK_4aa797d975cf8ea8fe936098e00" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(`CREATE INDEX "area_parent_idx" ON "area"  ("parent_code")`);
    await queryRunner.query(
      `CREATE TABLE "call_traffic" ("city_code" text NOT NULL, "hour_start" TIMESTAMP WITH TIME ZONE NOT NULL, "source" text NOT NULL, "calls_offered" integer NOT NULL, "calls_answered" integer NOT NULL, "calls_abandoned" integer NOT NULL, CONSTRAINT "call_traffic_counts_check" CHECK ("calls_answered" + "calls_abandoned" <= "calls_offered" AND "calls_answered" >= 0 AND "calls_abandoned" >= 0), CONSTRAINT "PK_bce957fa2351af0208f52e38d84" PRIMARY KEY ("city_code", "hour_start"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "case_record" ("id" BIGSERIAL NOT NULL, "source" text NOT NULL, "case_number" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "channel" text NOT NULL, "kind" text NOT NULL, "category_l1" text NOT NULL, "category_l2" text, "category_l3" text, "province_code" text NOT NULL, "city_code" text NOT NULL, "district_code" text, "street_code" text, "department_code" text, "outcome" text, "satisfaction" text NOT NULL DEFAULT 'unrated', "dissatisfaction_reason" text, "request_text" text, "reply_text" text, "reply_fingerprint" text, "caller_pseudonym" text, "repeat_of_id" bigint, "record_key" integer NOT NULL, "import_batch_id" bigint, CONSTRAINT "case_record_source_case_number_key" UNIQUE ("source", "case_number"), CONSTRAINT "case_record_satisfaction_check" CHECK ("satisfaction" IN ('satisfied', 'basically', 'dissatisfied', 'unrated')), CONSTRAINT "case_record_outcome_check" CHECK ("outcome" IS NULL OR "outcome" IN ('solved', 'partly', 'unsolved', 'returned')), CONSTRAINT "case_record_kind_check" CHECK ("kind" IN ('consultation', 'help', 'complaint', 'report', 'suggestion', 'praise')), CONSTRAINT "case_record_channel_check" CHECK ("channel" IN ('phone', 'web', 'app', 'wechat', 'other')), CONSTRAINT "PK_c690854c14a2669a8ea6deb7e5c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "case_record_caller_idx" ON "case_record"  ("caller_pseudonym")`);
    await queryRunner.query(`CREATE INDEX "case_record_received_at_idx" ON "case_record"  ("received_at")`);
    await queryRunner.query(
      `CREATE TABLE "category" ("code" text NOT NULL, "level" smallint NOT NULL, "parent_code" text, "name_zh" text NOT NULL, "name_en" text NOT NULL, CONSTRAINT "category_level_check" CHECK ("level" BETWEEN 1 AND 3), CONSTRAINT "PK_652a15c02538138f021f1320de8" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(`CREATE INDEX "category_parent_idx" ON "category"  ("parent_code")`);
    await queryRunner.query(
      `CREATE TABLE "department" ("code" text NOT NULL, "name_zh" text NOT NULL, "name_en" text NOT NULL, "area_code" text, CONSTRAINT "PK_62690f4fe31da9eb824d909285f" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "import_batch" ("id" BIGSERIAL NOT NULL, "profile" text NOT NULL, "source" text NOT NULL, "file_name" text NOT NULL, "file_sha256" text NOT NULL, "status" text NOT NULL DEFAULT 'running', "committed_lines" integer NOT NULL DEFAULT '0', "accepted" integer NOT NULL DEFAULT '0', "rejected" integer NOT NULL DEFAULT '0', "duplicates" integer NOT NULL DEFAULT '0', "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f408daa3bbc77ffc37eca041312" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "import_batch_file_idx" ON "import_batch"  ("file_sha256", "profile")`);
    // Days whose records changed and whose rollups must be rebuilt; written in the same
    // transaction as the records, consumed by the rollup refresher (src/records/records-changed.ts).
    await queryRunner.query(
      `CREATE TABLE "rollup_dirty_day" ("series" text NOT NULL, "day" date NOT NULL, CONSTRAINT "rollup_dirty_day_pkey" PRIMARY KEY ("series", "day"), CONSTRAINT "rollup_dirty_day_series_check" CHECK ("series" IN ('cases', 'traffic')))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rollup_dirty_day"`);
    await queryRunner.query(`DROP TABLE "import_batch"`);
    await queryRunner.query(`DROP TABLE "department"`);
    await queryRunner.query(`DROP TABLE "category"`);
    await queryRunner.query(`DROP TABLE "case_record"`);
    await queryRunner.query(`DROP TABLE "call_traffic"`);
    await queryRunner.query(`DROP TABLE "area"`);
  }
}
