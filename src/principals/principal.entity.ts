import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { principalRoleCheck, type PrincipalRole } from '../access-policy/roles.js';
import { OrganizationEntity } from './organization.entity.js';

/** A user or service account with exactly one role, in one organization. */
@Entity({ name: 'principal' })
// The roles of roles.ts; a migration adds each new one to the constraint (test/schema-drift.e2e-spec.ts checks they agree).
@Check('principal_role_check', principalRoleCheck())
@Index('principal_oidc_subject_key', ['oidcSubject'], { unique: true })
@Index('principal_organization_idx', ['organizationId'])
export class PrincipalEntity {
  /** Set by the service (crypto.randomUUID), so no database extension is needed. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: PrincipalRole;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: OrganizationEntity;

  /** The `sub` claim of this principal's OIDC tokens, when it signs in through the identity provider. */
  @Column({ name: 'oidc_subject', type: 'text', nullable: true })
  oidcSubject!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The steward who created it (null for the first steward, made by `bootstrap`): four eyes on its licences. */
  @Column({ name: 'created_by_id', type: 'uuid', nullable: true })
  createdById!: string | null;

  /** A disabled principal's keys and tokens stop working on the next request. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;
}
