import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PrincipalEntity } from './principal.entity.js';

/** An API key: only its SHA-256 hash is stored; the key itself is shown once at creation. */
@Entity({ name: 'api_key' })
@Index('api_key_principal_idx', ['principalId'])
export class ApiKeyEntity {
  /** The public lookup id embedded in the key (characters 5-16). */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'principal_id', type: 'uuid' })
  principalId!: string;

  @ManyToOne(() => PrincipalEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'principal_id' })
  principal?: PrincipalEntity;

  /** A label chosen by the holder, e.g. "laptop" or "nightly report". */
  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'secret_hash', type: 'bytea' })
  secretHash!: Buffer;

  /** Permissions this key is limited to (`action:Subject`); null means all of its principal's. */
  @Column({ type: 'text', array: true, nullable: true })
  scopes!: string[] | null;

  @Column({ name: 'created_by_id', type: 'uuid', nullable: true })
  createdById!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
