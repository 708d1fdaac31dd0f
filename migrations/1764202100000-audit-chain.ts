import { MigrationInterface, QueryRunner } from 'typeorm';
import { GENESIS_HASH, hashEvent } from '../src/audit/audit-chain.js';

/**
 * The audit chain (seq, prev_hash, hash), signed checkpoints, and the append-only guard:
 * triggers that refuse UPDATE, DELETE and TRUNCATE on both audit tables in every session
 * (ENABLE ALWAYS, so `session_replication_role = replica` does not skip them), and, where
 * the migrating role may create roles without being a superuser, a separate owner role so
 * the application keeps only SELECT and INSERT.
 */
export class AuditChain1764202100000 implements MigrationInterface {
  name = 'AuditChain1764202100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_checkpoint" ("seq" bigint NOT NULL, "head_hash" text NOT NULL, "created_at" text NOT NULL, "key_id" text NOT NULL, "signature" text NOT NULL, CONSTRAINT "PK_bbe7947942cf3aa13ede7d7b301" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`ALTER TABLE "audit_event" ADD "seq" bigint`);
    await queryRunner.query(`ALTER TABLE "audit_event" ADD "prev_hash" text`);
    await queryRunner.query(`ALTER TABLE "audit_event" ADD "hash" text`);
    await this.chainExistingEvents(queryRunner);
    await queryRunner.query(`ALTER TABLE "audit_event" ALTER COLUMN "seq" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "audit_event" ALTER COLUMN "prev_hash" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "audit_event" ALTER COLUMN "hash" SET NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "audit_event_seq_key" ON "audit_event"  ("seq") `);

    await queryRunner.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_event', 'audit_checkpoint']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
      );
      await queryRunner.query(`ALTER TABLE "${table}" ENABLE ALWAYS TRIGGER ${table}_append_only`);
      await queryRunner.query(`ALTER TABLE "${table}" ENABLE ALWAYS TRIGGER ${table}_no_truncate`);
    }

    // A superuser bypasses ownership and grants, so only triggers and signed checkpoints guard
    // against it. A non-superuser that may create roles hands the audit tables (and the trigger
    // function, which it could otherwise replace) to a NOLOGIN owner and keeps SELECT, INSERT.
    await queryRunner.query(`
      DO $$
      DECLARE
        app text := current_user;
      BEGIN
        IF (SELECT rolsuper OR NOT rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
          RETURN;
        END IF;
        BEGIN
          CREATE ROLE hotline_audit_owner NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
          NULL;
        END;
        EXECUTE format('GRANT hotline_audit_owner TO %I', app);
        -- Owning a table needs CREATE on its schema, but only while ownership moves.
        EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO hotline_audit_owner', current_schema());
        ALTER TABLE audit_event OWNER TO hotline_audit_owner;
        ALTER TABLE audit_checkpoint OWNER TO hotline_audit_owner;
        ALTER FUNCTION audit_refuse_change() OWNER TO hotline_audit_owner;
        EXECUTE format('GRANT SELECT, INSERT ON audit_event, audit_checkpoint TO %I', app);
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE audit_event_id_seq TO %I', app);
        EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM hotline_audit_owner', current_schema());
        EXECUTE format('REVOKE hotline_audit_owner FROM %I', app);
        RAISE NOTICE 'audit tables now owned by hotline_audit_owner; % keeps SELECT and INSERT (drop CREATEROLE from % to make this stick)', app, app;
      END $$`);
  }

  /** Events written before the chain existed get chained in id order (and id := seq). */
  private async chainExistingEvents(queryRunner: QueryRunner): Promise<void> {
    const rows = (await queryRunner.query(
      `SELECT id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, principal_id, role,
              organization_id, api_key_id, license_id, operation, dataset_slug, query, result_size, cells_suppressed,
              decision, reason, target, request_id, client_address
         FROM audit_event ORDER BY id`,
    )) as Record<string, unknown>[];
    let prevHash = GENESIS_HASH;
    let seq = 0;
    for (const r of rows) {
      seq++;
      const event = {
        seq,
        prevHash,
        occurredAt: r.occurred_at as string,
        principalId: r.principal_id as string | null,
        role: r.role as string,
        organizationId: r.organization_id as string | null,
        apiKeyId: r.api_key_id as string | null,
        licenseId: r.license_id as string | null,
        operation: r.operation as string,
        datasetSlug: r.dataset_slug as string | null,
        query: r.query ?? null,
        resultSize: r.result_size as number | null,
        cellsSuppressed: r.cells_suppressed as number | null,
        decision: r.decision as string,
        reason: r.reason as string | null,
        target: r.target as string | null,
        requestId: r.request_id as string | null,
        clientAddress: r.client_address as string | null,
      };
      const hash = hashEvent(event);
      await queryRunner.query(
        `UPDATE audit_event SET id = $1, seq = $1, prev_hash = $2, hash = $3, occurred_at = $4::timestamptz WHERE id = $5`,
        [seq, prevHash, hash, event.occurredAt, r.id],
      );
      prevHash = hash;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_event', 'audit_checkpoint']) {
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_append_only ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_no_truncate ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION IF EXISTS audit_refuse_change()`);
    await queryRunner.query(`DROP INDEX "public"."audit_event_seq_key"`);
    await queryRunner.query(`ALTER TABLE "audit_event" DROP COLUMN "hash"`);
    await queryRunner.query(`ALTER TABLE "audit_event" DROP COLUMN "prev_hash"`);
    await queryRunner.query(`ALTER TABLE "audit_event" DROP COLUMN "seq"`);
    await queryRunner.query(`DROP TABLE "audit_checkpoint"`);
  }
}
