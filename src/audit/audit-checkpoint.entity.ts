import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An Ed25519-signed statement of the chain's head at `seq`. Append-only like the events;
 * also appended to DATA_DIR/audit/checkpoints.jsonl, outside the database.
 */
@Entity({ name: 'audit_checkpoint' })
export class AuditCheckpointEntity {
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'head_hash', type: 'text' })
  headHash!: string;

  /** ISO-8601 text exactly as signed. */
  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'key_id', type: 'text' })
  keyId!: string;

  /** Base64 Ed25519 signature over audit-chain.ts `checkpointPayload`. */
  @Column({ type: 'text' })
  signature!: string;
}
