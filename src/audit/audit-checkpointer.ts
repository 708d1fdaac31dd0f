import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource } from 'typeorm';
import { Checkpoint, signCheckpoint } from './audit-chain.js';
import { AuditSigningKey } from './audit-signing-key.js';

/**
 * Signs the chain's head: stored in `audit_checkpoint` and appended to a JSON Lines file
 * outside the database. Several instances may checkpoint the same head; the first wins
 * in the table (the seq is the key) and each keeps its own line in its own file.
 */
export class AuditCheckpointer {
  private running: Promise<Checkpoint | undefined> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly key: AuditSigningKey,
    private readonly filePath: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Checkpoints the current head unless it already is; one at a time per process, in call order. */
  checkpoint(): Promise<Checkpoint | undefined> {
    const before = this.running;
    const next = (async () => {
      if (before) await before.catch(() => undefined);
      return this.run();
    })();
    this.running = next;
    return next;
  }

  private async run(): Promise<Checkpoint | undefined> {
    const head = await this.dataSource.query<{ seq: string; hash: string; last: string | null }[]>(
      `SELECT e.seq, e.hash, (SELECT max(seq) FROM audit_checkpoint) AS last
         FROM audit_event e ORDER BY e.seq DESC LIMIT 1`,
    );
    if (head.length === 0) return undefined;
    const seq = Number(head[0].seq);
    if (head[0].last !== null && Number(head[0].last) >= seq) return undefined;
    const checkpoint = signCheckpoint(
      { seq, headHash: head[0].hash, createdAt: new Date().toISOString(), keyId: this.key.keyId },
      this.key.privateKey,
    );
    const inserted = await this.dataSource.query<unknown[]>(
      `INSERT INTO audit_checkpoint (seq, head_hash, created_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (seq) DO NOTHING RETURNING seq`,
      [checkpoint.seq, checkpoint.headHash, checkpoint.createdAt, checkpoint.keyId, checkpoint.signature],
    );
    if (inserted.length === 0) return undefined;
    try {
      mkdirSync(dirname(this.filePath), { recursive: true });
      appendFileSync(this.filePath, JSON.stringify({ type: 'checkpoint', ...checkpoint }) + '\n');
    } catch (err) {
      this.log(`audit checkpoint ${seq} stored but not appended to ${this.filePath}: ${(err as Error).message}`);
    }
    return checkpoint;
  }
}
