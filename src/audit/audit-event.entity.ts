import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One audited action: a data access (allowed or denied) or a governance change. Append-only:
 * triggers refuse UPDATE, DELETE and TRUNCATE. `id` equals `seq`, the event's place in the
 * SHA-256 chain (`hash` covers every column, `seq` and `prev_hash`; see audit-chain.ts).
 */
@Entity({ name: 'audit_event' })
@Index('audit_event_occurred_at_idx', ['occurredAt'])
@Index('audit_event_principal_idx', ['principalId'])
@Index('audit_event_seq_key', ['seq'], { unique: true })
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** 1, 2, 3, ... without gaps, in chain order. */
  @Column({ type: 'bigint' })
  seq!: string;

  /** Hex SHA-256 of the previous event (64 zeros for the first). */
  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  /** Hex SHA-256 of this event's canonical form. */
  @Column({ type: 'text' })
  hash!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  occurredAt!: Date;

  @Column({ name: 'principal_id', type: 'text', nullable: true })
  principalId!: string | null;

  @Column({ type: 'text' })
  role!: string;

  @Column({ name: 'organization_id', type: 'text', nullable: true })
  organizationId!: string | null;

  @Column({ name: 'api_key_id', type: 'text', nullable: true })
  apiKeyId!: string | null;

  @Column({ name: 'license_id', type: 'text', nullable: true })
  licenseId!: string | null;

  /** The operation, e.g. `aggregate`, `createApiKey`, `approveLicense`. */
  @Column({ type: 'text' })
  operation!: string;

  @Column({ name: 'dataset_slug', type: 'text', nullable: true })
  datasetSlug!: string | null;

  /** The normalized query or the governance change's arguments (never secrets or personal data). */
  @Column({ type: 'jsonb', nullable: true })
  query!: Record<string, unknown> | null;

  @Column({ name: 'result_size', type: 'integer', nullable: true })
  resultSize!: number | null;

  @Column({ name: 'cells_suppressed', type: 'integer', nullable: true })
  cellsSuppressed!: number | null;

  @Column({ type: 'text' })
  decision!: 'allowed' | 'denied';

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** What a governance change acted on, e.g. `principal:42`. */
  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'client_address', type: 'text', nullable: true })
  clientAddress!: string | null;
}
