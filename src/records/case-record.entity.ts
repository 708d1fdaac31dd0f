import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Channel, Kind, Outcome, Satisfaction } from './records.constants.js';

/**
 * One hotline case (工单). Microdata: never exposed through any API; the gateway serves
 * aggregates computed from rollups. Personal data is removed at import: the caller is a keyed
 * pseudonym, free text is scrubbed.
 */
@Entity({ name: 'case_record' })
// Partitioned by local month of received_at (src/records/month-partitions.ts): a unique constraint must
// hold the partition key, so the import itself keeps a case number of a source to one case.
@Unique('case_record_source_case_number_key', ['source', 'caseNumber', 'receivedAt'])
@Check('case_record_channel_check', `"channel" IN ('phone', 'web', 'app', 'wechat', 'other')`)
@Check('case_record_kind_check', `"kind" IN ('consultation', 'help', 'complaint', 'report', 'suggestion', 'praise')`)
@Check('case_record_outcome_check', `"outcome" IS NULL OR "outcome" IN ('solved', 'partly', 'unsolved', 'returned')`)
@Check('case_record_satisfaction_check', `"satisfaction" IN ('satisfied', 'basically', 'dissatisfied', 'unrated')`)
// BRIN: cases arrive nearly in time order, so block ranges serve the refresh's day ranges (migration 1764205510000).
@Index('case_record_received_at_idx', ['receivedAt'], { type: 'brin' })
// Partial: cases without a caller, a repeat link or a reply are not indexed (every use compares with =).
@Index('case_record_caller_received_idx', ['callerPseudonym', 'receivedAt'], {
  where: `"caller_pseudonym" IS NOT NULL`,
})
@Index('case_record_repeat_of_idx', ['repeatOfId'], { where: `"repeat_of_id" IS NOT NULL` })
@Index('case_record_reply_fingerprint_idx', ['replyFingerprint'], { where: `"reply_fingerprint" IS NOT NULL` })
// Cases still holding free text (FREE_TEXT_RETENTION_DAYS), for the purge after each import.
@Index('case_record_text_kept_idx', ['receivedAt'], {
  where: `"request_text" IS NOT NULL OR "reply_text" IS NOT NULL OR "dissatisfaction_reason" IS NOT NULL`,
})
export class CaseRecordEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** Where the record came from (e.g. `jiangsu-12345`, `nyc311`, `synthetic`); case numbers are unique per source. */
  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'case_number', type: 'text' })
  caseNumber!: string;

  /** The partition key, hence part of the primary key. */
  @PrimaryColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'text' })
  channel!: Channel;

  @Column({ type: 'text' })
  kind!: Kind;

  /** Category codes at each level (l2/l3 null when the source is coarser). */
  @Column({ name: 'category_l1', type: 'text' })
  categoryL1!: string;

  @Column({ name: 'category_l2', type: 'text', nullable: true })
  categoryL2!: string | null;

  @Column({ name: 'category_l3', type: 'text', nullable: true })
  categoryL3!: string | null;

  /** Area codes at each level (district/street null when unknown). */
  @Column({ name: 'province_code', type: 'text' })
  provinceCode!: string;

  @Column({ name: 'city_code', type: 'text' })
  cityCode!: string;

  @Column({ name: 'district_code', type: 'text', nullable: true })
  districtCode!: string | null;

  @Column({ name: 'street_code', type: 'text', nullable: true })
  streetCode!: string | null;

  @Column({ name: 'department_code', type: 'text', nullable: true })
  departmentCode!: string | null;

  @Column({ type: 'text', nullable: true })
  outcome!: Outcome | null;

  @Column({ type: 'text', default: 'unrated' })
  satisfaction!: Satisfaction;

  /** 不满原因, scrubbed of personal data; kept FREE_TEXT_RETENTION_DAYS (default: not stored). */
  @Column({ name: 'dissatisfaction_reason', type: 'text', nullable: true })
  dissatisfactionReason!: string | null;

  /** 诉求内容, scrubbed of personal data; kept FREE_TEXT_RETENTION_DAYS (default: not stored). */
  @Column({ name: 'request_text', type: 'text', nullable: true })
  requestText!: string | null;

  /** 答复市民要点, scrubbed of personal data; kept FREE_TEXT_RETENTION_DAYS (default: not stored). */
  @Column({ name: 'reply_text', type: 'text', nullable: true })
  replyText!: string | null;

  /** Fingerprint of the normalized reply text, for template-reply detection. */
  @Column({ name: 'reply_fingerprint', type: 'text', nullable: true })
  replyFingerprint!: string | null;

  /** The reply is a template: its normalized text was given to many unrelated cases (src/ingest/text-analytics). */
  @Column({ name: 'template_reply', type: 'boolean', default: false })
  templateReply!: boolean;

  /** Keyed HMAC-SHA-256 of the caller's number (the key lives outside the database). */
  @Column({ name: 'caller_pseudonym', type: 'text', nullable: true })
  callerPseudonym!: string | null;

  /** The caller's earlier case on the same issue (repeat chain), if any. */
  @Column({ name: 'repeat_of_id', type: 'bigint', nullable: true })
  repeatOfId!: string | null;

  /** Fixed random key in [0, 2^31) for the cell key method; never changes once assigned. */
  @Column({ name: 'record_key', type: 'integer' })
  recordKey!: number;

  @Column({ name: 'import_batch_id', type: 'bigint', nullable: true })
  importBatchId!: string | null;
}
