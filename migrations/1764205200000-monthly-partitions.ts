import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Case records and call traffic partitioned by local (Asia/Shanghai) month of their time column.
 * `hgw_ensure_month_partition(table, month)` creates a month's partition (`case_record_y2024m03`)
 * unless it exists; writers call it for the months they are about to write
 * (src/records/month-partitions.ts), there is no default partition. Existing rows are copied into the
 * partitioned tables and counted before the old tables go. A partitioned table's primary key and
 * unique constraints must hold the partition key: the case's key becomes (id, received_at) and
 * (source, case_number, received_at); the import still stores a case number of a source once
 * whatever its time (src/ingest/import/batch-writer.ts).
 */
const TZ = 'Asia/Shanghai';

const CASE_COLUMNS = `"id" bigint NOT NULL DEFAULT nextval('"case_record_id_seq"'), "source" text NOT NULL, "case_number" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "channel" text NOT NULL, "kind" text NOT NULL, "category_l1" text NOT NULL, "category_l2" text, "category_l3" text, "province_code" text NOT NULL, "city_code" text NOT NULL, "district_code" text, "street_code" text, "department_code" text, "outcome" text, "satisfaction" text NOT NULL DEFAULT 'unrated', "dissatisfaction_reason" text, "request_text" text, "reply_text" text, "reply_fingerprint" text, "caller_pseudonym" text, "repeat_of_id" bigint, "record_key" integer NOT NULL, "import_batch_id" bigint, "template_reply" boolean NOT NULL DEFAULT false`;
const CASE_COLUMN_NAMES = `"id", "source", "case_number", "received_at", "dispatched_at", "closed_at", "channel", "kind", "category_l1", "category_l2", "category_l3", "province_code", "city_code", "district_code", "street_code", "department_code", "outcome", "satisfaction", "dissatisfaction_reason", "request_text", "reply_text", "reply_fingerprint", "caller_pseudonym", "repeat_of_id", "record_key", "import_batch_id", "template_reply"`;
const CASE_CHECKS = `CONSTRAINT "case_record_satisfaction_check" CHECK ("satisfaction" IN ('satisfied', 'basically', 'dissatisfied', 'unrated')), CONSTRAINT "case_record_outcome_check" CHECK ("outcome" IS NULL OR "outcome" IN ('solved', 'partly', 'unsolved', 'returned')), CONSTRAINT "case_record_kind_check" CHECK ("kind" IN ('consultation', 'help', 'complaint', 'report', 'suggestion', 'praise')), CONSTRAINT "case_record_channel_check" CHECK ("channel" IN ('phone', 'web', 'app', 'wechat', 'other'))`;
const CASE_INDEXES = [
  `CREATE INDEX "case_record_received_at_idx" ON "case_record" ("received_at")`,
  `CREATE INDEX "case_record_caller_received_idx" ON "case_record" ("caller_pseudonym", "received_at")`,
  `CREATE INDEX "case_record_repeat_of_idx" ON "case_record" ("repeat_of_id")`,
  `CREATE INDEX "case_record_reply_fingerprint_idx" ON "case_record" ("reply_fingerprint")`,
  `CREATE INDEX "case_record_text_kept_idx" ON "case_record" ("received_at") WHERE "request_text" IS NOT NULL OR "reply_text" IS NOT NULL OR "dissatisfaction_reason" IS NOT NULL`,
];
const TRAFFIC_COLUMNS = `"city_code" text NOT NULL, "hour_start" TIMESTAMP WITH TIME ZONE NOT NULL, "source" text NOT NULL, "calls_offered" integer NOT NULL, "calls_answered" integer NOT NULL, "calls_abandoned" integer NOT NULL, CONSTRAINT "call_traffic_counts_check" CHECK ("calls_answered" + "calls_abandoned" <= "calls_offered" AND "calls_answered" >= 0 AND "calls_abandoned" >= 0)`;
const TRAFFIC_COLUMN_NAMES = `"city_code", "hour_start", "source", "calls_offered", "calls_answered", "calls_abandoned"`;

/** Creates one month's partition; the advisory lock serializes it with the history load's attach. */
const ENSURE_FUNCTION = `
CREATE FUNCTION hgw_ensure_month_partition(base text, month date) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  first date := date_trunc('month', month)::date;
  part text := format('%s_y%sm%s', base, to_char(first, 'YYYY'), to_char(first, 'MM'));
BEGIN
  IF base NOT IN ('case_record', 'call_traffic') THEN
    RAISE EXCEPTION 'not a month-partitioned table: %', base;
  END IF;
  IF to_regclass(quote_ident(part)) IS NOT NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('hgw-month-partitions'));
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, base,
    first::timestamp AT TIME ZONE '${TZ}', (first + interval '1 month')::timestamp AT TIME ZONE '${TZ}');
END
$fn$`;

export class MonthlyPartitions1764205200000 implements MigrationInterface {
  name = 'MonthlyPartitions1764205200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(ENSURE_FUNCTION);
    // The old tables give up their constraint and index names, then their data.
    await queryRunner.query(`ALTER SEQUENCE "case_record_id_seq" OWNED BY NONE`);
    await queryRunner.query(
      `ALTER TABLE "case_record" DROP CONSTRAINT "PK_c690854c14a2669a8ea6deb7e5c", DROP CONSTRAINT "case_record_source_case_number_key"`,
    );
    await dropCaseIndexes(queryRunner);
    await queryRunner.query(`ALTER TABLE "case_record" RENAME TO "hgw_case_record_unpartitioned"`);
    await queryRunner.query(
      `CREATE TABLE "case_record" (${CASE_COLUMNS}, ${CASE_CHECKS}) PARTITION BY RANGE ("received_at")`,
    );
    await queryRunner.query(
      `SELECT hgw_ensure_month_partition('case_record', m) FROM (SELECT DISTINCT date_trunc('month', "received_at" AT TIME ZONE '${TZ}')::date AS m FROM "hgw_case_record_unpartitioned") x`,
    );
    await copyCounted(queryRunner, 'hgw_case_record_unpartitioned', 'case_record', CASE_COLUMN_NAMES);
    await queryRunner.query(`DROP TABLE "hgw_case_record_unpartitioned"`);
    await queryRunner.query(`ALTER SEQUENCE "case_record_id_seq" OWNED BY "case_record"."id"`);
    await queryRunner.query(
      `ALTER TABLE "case_record" ADD CONSTRAINT "PK_3b4df30b7a5f0323960a9f6117d" PRIMARY KEY ("id", "received_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_record" ADD CONSTRAINT "case_record_source_case_number_key" UNIQUE ("source", "case_number", "received_at")`,
    );
    for (const sql of CASE_INDEXES) await queryRunner.query(sql);

    await queryRunner.query(`ALTER TABLE "call_traffic" DROP CONSTRAINT "PK_bce957fa2351af0208f52e38d84"`);
    await queryRunner.query(`ALTER TABLE "call_traffic" RENAME TO "hgw_call_traffic_unpartitioned"`);
    await queryRunner.query(`CREATE TABLE "call_traffic" (${TRAFFIC_COLUMNS}) PARTITION BY RANGE ("hour_start")`);
    await queryRunner.query(
      `SELECT hgw_ensure_month_partition('call_traffic', m) FROM (SELECT DISTINCT date_trunc('month', "hour_start" AT TIME ZONE '${TZ}')::date AS m FROM "hgw_call_traffic_unpartitioned") x`,
    );
    await copyCounted(queryRunner, 'hgw_call_traffic_unpartitioned', 'call_traffic', TRAFFIC_COLUMN_NAMES);
    await queryRunner.query(`DROP TABLE "hgw_call_traffic_unpartitioned"`);
    await queryRunner.query(
      `ALTER TABLE "call_traffic" ADD CONSTRAINT "PK_bce957fa2351af0208f52e38d84" PRIMARY KEY ("city_code", "hour_start")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "call_traffic" DROP CONSTRAINT "PK_bce957fa2351af0208f52e38d84"`);
    await queryRunner.query(`ALTER TABLE "call_traffic" RENAME TO "hgw_call_traffic_partitioned"`);
    await queryRunner.query(`CREATE TABLE "call_traffic" (${TRAFFIC_COLUMNS})`);
    await copyCounted(queryRunner, 'hgw_call_traffic_partitioned', 'call_traffic', TRAFFIC_COLUMN_NAMES);
    await queryRunner.query(`DROP TABLE "hgw_call_traffic_partitioned"`);
    await queryRunner.query(
      `ALTER TABLE "call_traffic" ADD CONSTRAINT "PK_bce957fa2351af0208f52e38d84" PRIMARY KEY ("city_code", "hour_start")`,
    );

    await queryRunner.query(`ALTER SEQUENCE "case_record_id_seq" OWNED BY NONE`);
    await queryRunner.query(
      `ALTER TABLE "case_record" DROP CONSTRAINT "PK_3b4df30b7a5f0323960a9f6117d", DROP CONSTRAINT "case_record_source_case_number_key"`,
    );
    await dropCaseIndexes(queryRunner);
    await queryRunner.query(`ALTER TABLE "case_record" RENAME TO "hgw_case_record_partitioned"`);
    await queryRunner.query(`CREATE TABLE "case_record" (${CASE_COLUMNS}, ${CASE_CHECKS})`);
    await copyCounted(queryRunner, 'hgw_case_record_partitioned', 'case_record', CASE_COLUMN_NAMES);
    await queryRunner.query(`DROP TABLE "hgw_case_record_partitioned"`);
    await queryRunner.query(`ALTER SEQUENCE "case_record_id_seq" OWNED BY "case_record"."id"`);
    await queryRunner.query(
      `ALTER TABLE "case_record" ADD CONSTRAINT "PK_c690854c14a2669a8ea6deb7e5c" PRIMARY KEY ("id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "case_record" ADD CONSTRAINT "case_record_source_case_number_key" UNIQUE ("source", "case_number")`,
    );
    for (const sql of CASE_INDEXES) await queryRunner.query(sql);
    await queryRunner.query(`DROP FUNCTION hgw_ensure_month_partition(text, date)`);
  }
}

async function dropCaseIndexes(queryRunner: QueryRunner): Promise<void> {
  for (const name of [
    'case_record_received_at_idx',
    'case_record_caller_received_idx',
    'case_record_repeat_of_idx',
    'case_record_reply_fingerprint_idx',
    'case_record_text_kept_idx',
  ])
    await queryRunner.query(`DROP INDEX "${name}"`);
}

/** Copies every row and fails (rolling the migration back) unless both tables then hold as many. */
async function copyCounted(queryRunner: QueryRunner, from: string, to: string, columns: string): Promise<void> {
  await queryRunner.query(`INSERT INTO "${to}" (${columns}) SELECT ${columns} FROM "${from}"`);
  const [counts] = (await queryRunner.query(
    `SELECT (SELECT count(*) FROM "${from}")::bigint AS before, (SELECT count(*) FROM "${to}")::bigint AS after`,
  )) as { before: string; after: string }[];
  if (counts.before !== counts.after) {
    throw new Error(`${from}: ${counts.before} rows before, ${counts.after} after the copy; nothing changed`);
  }
}
