import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One import of one file. `committedLines` is advanced in the same transaction as each batch
 * of rows, so a killed import resumes after the last committed batch.
 */
@Entity({ name: 'import_batch' })
@Index('import_batch_file_idx', ['fileSha256', 'profile'])
export class ImportBatchEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  profile!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'file_name', type: 'text' })
  fileName!: string;

  @Column({ name: 'file_sha256', type: 'text' })
  fileSha256!: string;

  @Column({ type: 'text', default: 'running' })
  status!: 'running' | 'completed' | 'failed';

  @Column({ name: 'committed_lines', type: 'integer', default: 0 })
  committedLines!: number;

  @Column({ type: 'integer', default: 0 })
  accepted!: number;

  @Column({ type: 'integer', default: 0 })
  rejected!: number;

  @Column({ type: 'integer', default: 0 })
  duplicates!: number;

  @CreateDateColumn({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
