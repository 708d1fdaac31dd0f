import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_append(tail_hash, events)`: the audit chain writer's fast path as one statement. Under the
 * chain's advisory lock it reads the stored head (a fresh snapshot: each statement of a volatile
 * PL/pgSQL function takes one) and inserts the events, already chained onto `tail_hash` by the
 * writer, only if that head still is `tail_hash`; it returns how many it inserted (0: the head
 * moved, the writer re-reads it and chains again). Called as a prepared statement: one message and
 * one result a batch, parsed and planned once per connection instead of on every call.
 * Runs with the caller's rights (SECURITY INVOKER): the app's INSERT on audit_event is all it uses.
 * Keep the lock key equal to AUDIT_CHAIN_LOCK and the genesis hash to GENESIS_HASH.
 */
export class AuditAppendFunction1764203000000 implements MigrationInterface {
  name = 'AuditAppendFunction1764203000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION audit_append(tail_hash text, events jsonb) RETURNS integer
      LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
      DECLARE
        head text;
        inserted integer;
      BEGIN
        PERFORM pg_advisory_xact_lock(7274701);
        SELECT hash INTO head FROM audit_event ORDER BY seq DESC LIMIT 1;
        IF coalesce(head, repeat('0', 64)) <> tail_hash THEN
          RETURN 0;
        END IF;
        INSERT INTO audit_event (id, seq, prev_hash, hash, occurred_at, principal_id, role, organization_id,
          api_key_id, license_id, operation, dataset_slug, query, result_size, cells_suppressed, decision, reason,
          target, request_id, client_address)
        SELECT r.seq, r.seq, r."prevHash", r.hash, r."occurredAt", r."principalId", r.role, r."organizationId",
          r."apiKeyId", r."licenseId", r.operation, r."datasetSlug", r.query, r."resultSize", r."cellsSuppressed",
          r.decision, r.reason, r.target, r."requestId", r."clientAddress"
        FROM jsonb_to_recordset(events) AS r(seq bigint, "prevHash" text, hash text, "occurredAt" timestamptz,
          "principalId" text, role text, "organizationId" text, "apiKeyId" text, "licenseId" text, operation text,
          "datasetSlug" text, query jsonb, "resultSize" integer, "cellsSuppressed" integer, decision text,
          reason text, target text, "requestId" text, "clientAddress" text);
        GET DIAGNOSTICS inserted = ROW_COUNT;
        RETURN inserted;
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION audit_append(text, jsonb)`);
  }
}
