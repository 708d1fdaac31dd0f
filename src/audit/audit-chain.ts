import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';

/**
 * The audit chain's pure parts: the canonical form of an event, its SHA-256 hash, the
 * signed checkpoint payload, and a streaming verifier shared by the online check
 * (`auditIntegrity`, `audit verify`) and the offline one (`audit verify --file`).
 * Nothing here touches the database, so an auditor can re-implement it from this file and
 * src/common/canonical-json.ts (JSON with sorted keys, which the hashes cover).
 */

/** Version tag inside every hashed and signed payload, so the format can change later. */
export const CHAIN_FORMAT = 'hgw-audit-v1';

/** The `prevHash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** One chained event as stored and exported. `occurredAt` is an ISO-8601 UTC string with milliseconds. */
export interface ChainedEvent {
  seq: number;
  prevHash: string;
  hash: string;
  occurredAt: string;
  principalId: string | null;
  role: string;
  organizationId: string | null;
  apiKeyId: string | null;
  licenseId: string | null;
  operation: string;
  datasetSlug: string | null;
  query: unknown;
  resultSize: number | null;
  cellsSuppressed: number | null;
  decision: string;
  reason: string | null;
  target: string | null;
  requestId: string | null;
  clientAddress: string | null;
}

export type UnhashedEvent = Omit<ChainedEvent, 'hash'>;

/** A signed statement "the chain had `seq` events and its head hash was `headHash` at `createdAt`". */
export interface Checkpoint {
  seq: number;
  headHash: string;
  createdAt: string;
  keyId: string;
  signature: string;
}

// eslint-disable-next-line no-control-regex
const MAY_NEED_REPLACING = /[\uD800-\uDFFF\u0000]/;
// eslint-disable-next-line no-control-regex
const LONE_SURROGATE_OR_NUL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g;

/**
 * Makes text storable exactly as hashed: PostgreSQL rejects NUL in text and jsonb, and
 * lone UTF-16 surrogates would be replaced on the way in, changing the hash.
 */
export function storableText(text: string): string {
  // Most text has no surrogate and no NUL at all: one quick scan, and no replace.
  return MAY_NEED_REPLACING.test(text) ? text.replace(LONE_SURROGATE_OR_NUL, '\uFFFD') : text;
}

/** A JSON value as PostgreSQL's jsonb will give it back: plain data, storable strings. */
export function storableJson(value: unknown): unknown {
  if (value === undefined) return null;
  return storableCopy(value);
}

function storableCopy(value: unknown): unknown {
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return storableText(v);
    if (Array.isArray(v)) return v.map(clean);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), clean(x)]));
    }
    return v;
  };
  return clean(plain);
}

/** The exact bytes an event's hash covers: every field, its sequence number and the previous hash. */
export function canonicalEvent(e: UnhashedEvent): string {
  return canonicalJson([
    CHAIN_FORMAT,
    e.seq,
    e.prevHash,
    e.occurredAt,
    e.principalId,
    e.role,
    e.organizationId,
    e.apiKeyId,
    e.licenseId,
    e.operation,
    e.datasetSlug,
    e.query ?? null,
    e.resultSize,
    e.cellsSuppressed,
    e.decision,
    e.reason,
    e.target,
    e.requestId,
    e.clientAddress,
  ]);
}

export function hashEvent(e: UnhashedEvent): string {
  return createHash('sha256').update(canonicalEvent(e), 'utf8').digest('hex');
}

/** What a checkpoint's signature covers. */
export function checkpointPayload(c: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson([`${CHAIN_FORMAT}-checkpoint`, c.seq, c.headHash, c.createdAt, c.keyId]);
}

/** Short, stable name of a public key: SHA-256 of its SPKI DER, first 16 hex digits. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function signCheckpoint(c: Omit<Checkpoint, 'signature'>, privateKey: KeyObject): Checkpoint {
  return { ...c, signature: sign(null, Buffer.from(checkpointPayload(c), 'utf8'), privateKey).toString('base64') };
}

export function checkpointSignatureValid(c: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(checkpointPayload(c), 'utf8'), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

export function publicKeyFromPem(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`expected an Ed25519 public key, got ${key.asymmetricKeyType}`);
  return key;
}

/** The outcome of a verification, as `auditIntegrity` and `audit verify --json` report it. */
export interface IntegrityReport {
  ok: boolean;
  /** The first entry that does not check out (an event's seq, or the seq a checkpoint vouches for). */
  firstBrokenSeq: number | null;
  reason: string | null;
  eventsChecked: number;
  lastSeq: number;
  headHash: string;
  checkpointsChecked: number;
  lastCheckpointSeq: number | null;
  /** Events after the last checkpoint: a superuser could rewrite or cut these without a trace. */
  unanchoredEvents: number;
  checkedAt: string;
  durationMs: number;
  /** What the check left out and why (offline: checkpoints beyond the export's last event). */
  notes?: string[];
}

interface Failure {
  seq: number;
  reason: string;
}

/**
 * Feeds events in seq order, then checkpoints; reports the first broken entry. Checks:
 * seq continuity (deleted or reordered rows), prevHash linkage, each hash recomputed,
 * and every checkpoint's signature and head against the recomputed chain (a consistent
 * rewrite by a superuser, or a cut tail).
 */
export class ChainVerifier {
  private readonly started = Date.now();
  private lastSeq = 0;
  private lastHash = GENESIS_HASH;
  private eventsChecked = 0;
  private failure: Failure | undefined;
  /** Recomputed hash at each seq a checkpoint may vouch for; filled for all seqs while streaming. */
  private readonly hashes = new Map<number, string>();

  constructor(private readonly wantedSeqs?: Set<number>) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  addEvent(e: ChainedEvent): void {
    if (this.failure) return;
    const expectedSeq = this.lastSeq + 1;
    if (e.seq !== expectedSeq) {
      this.fail(
        expectedSeq,
        e.seq > expectedSeq
          ? `event ${expectedSeq} is missing (the next stored event is ${e.seq}): deleted`
          : `event ${e.seq} appears out of order after ${this.lastSeq}: reordered or duplicated`,
      );
      return;
    }
    if (e.prevHash !== this.lastHash) {
      this.fail(
        e.seq,
        `event ${e.seq} does not link to event ${this.lastSeq} (prevHash differs): reordered or removed`,
      );
      return;
    }
    const recomputed = hashEvent(e);
    if (recomputed !== e.hash) {
      this.fail(e.seq, `event ${e.seq} has been altered (its content no longer matches its hash)`);
      return;
    }
    this.lastSeq = e.seq;
    this.lastHash = recomputed;
    this.eventsChecked++;
    if (!this.wantedSeqs || this.wantedSeqs.has(e.seq)) this.hashes.set(e.seq, recomputed);
  }

  /**
   * Checks checkpoints after all events. `trustedKeys` maps keyId to public key: a
   * checkpoint signed by any other key is treated as forged.
   */
  finish(checkpoints: Checkpoint[], trustedKeys: Map<string, KeyObject>): IntegrityReport {
    const sorted = [...checkpoints].sort((a, b) => a.seq - b.seq);
    let checked = 0;
    let lastGood: number | null = null;
    let lastCheckpointSeq: number | null = null;
    for (const c of sorted) {
      if (this.failure && c.seq >= this.failure.seq) break;
      const key = trustedKeys.get(c.keyId);
      if (!key || !checkpointSignatureValid(c, key)) {
        this.fail(
          c.seq,
          key
            ? `checkpoint at event ${c.seq} has an invalid signature: forged or altered`
            : `checkpoint at event ${c.seq} is signed by unknown key ${c.keyId}`,
        );
        break;
      }
      checked++;
      lastCheckpointSeq = c.seq;
      if (c.seq > this.lastSeq && !this.failure) {
        this.fail(
          this.lastSeq + 1,
          `a signed checkpoint vouches for ${c.seq} events but the chain ends at ${this.lastSeq}: events ${this.lastSeq + 1}..${c.seq} were cut`,
        );
        break;
      }
      if (c.seq === 0) continue;
      const ours = this.hashes.get(c.seq);
      if (ours !== undefined && ours !== c.headHash) {
        const from = (lastGood ?? 0) + 1;
        this.fail(
          from,
          `the signed checkpoint at event ${c.seq} does not match the chain: events ${from}..${c.seq} were rewritten (hashes recomputed)`,
        );
        break;
      }
      lastGood = c.seq;
    }
    const anchoredTo = this.failure ? null : lastCheckpointSeq;
    return {
      ok: this.failure === undefined,
      firstBrokenSeq: this.failure?.seq ?? null,
      reason: this.failure?.reason ?? null,
      eventsChecked: this.eventsChecked,
      lastSeq: this.lastSeq,
      headHash: this.lastHash,
      checkpointsChecked: checked,
      lastCheckpointSeq,
      unanchoredEvents: anchoredTo === null ? this.lastSeq : Math.max(0, this.lastSeq - anchoredTo),
      checkedAt: new Date().toISOString(),
      durationMs: Date.now() - this.started,
    };
  }

  private fail(seq: number, reason: string): void {
    if (!this.failure || seq < this.failure.seq) this.failure = { seq, reason };
  }
}
