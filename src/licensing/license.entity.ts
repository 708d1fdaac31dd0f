import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { DatasetScope, Obligation } from './license-scope.js';

export const LICENSE_STATUSES = ['requested', 'active', 'rejected', 'suspended', 'revoked', 'expired'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

/**
 * A data-use licence: the written agreement under which a licensee queries restricted data.
 * A department-to-department sharing agreement is a licence granted to a department.
 */
@Entity({ name: 'license' })
@Check('license_status_check', `"status" IN ('requested', 'active', 'rejected', 'suspended', 'revoked', 'expired')`)
@Check('license_validity_check', `"valid_from" <= "valid_to"`)
@Check('license_quota_check', `"daily_quota" > 0`)
@Index('license_principal_idx', ['principalId'])
@Index('license_status_idx', ['status'])
export class LicenseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** The licensee. */
  @Column({ name: 'principal_id', type: 'text' })
  principalId!: string;

  @Column({ name: 'organization_id', type: 'text', nullable: true })
  organizationId!: string | null;

  /** Who asked for it (separation of duties: they may not decide it). */
  @Column({ name: 'requested_by_id', type: 'text' })
  requestedById!: string;

  /** `research` for researchers, `sharing` for department-to-department agreements. */
  @Column({ type: 'text' })
  kind!: 'research' | 'sharing';

  @Column({ type: 'text' })
  purpose!: string;

  @Column({ type: 'jsonb' })
  scopes!: DatasetScope[];

  @Column({ name: 'valid_from', type: 'date' })
  validFrom!: string;

  @Column({ name: 'valid_to', type: 'date' })
  validTo!: string;

  @Column({ type: 'jsonb' })
  obligations!: { code: Obligation; acceptedAt: string }[];

  @Column({ name: 'daily_quota', type: 'integer' })
  dailyQuota!: number;

  @Column({ type: 'text', default: 'requested' })
  status!: LicenseStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ name: 'status_changed_at', type: 'timestamptz', nullable: true })
  statusChangedAt!: Date | null;

  @Column({ name: 'decided_by_id', type: 'text', nullable: true })
  decidedById!: string | null;

  /** The first of two stewards, when the licence needs two approvals (LICENSE_SECOND_APPROVAL). */
  @Column({ name: 'first_approved_by_id', type: 'text', nullable: true })
  firstApprovedById!: string | null;

  @Column({ name: 'first_approved_at', type: 'timestamptz', nullable: true })
  firstApprovedAt!: Date | null;

  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;
}
