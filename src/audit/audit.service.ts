import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PUBLIC_ACTOR, type Actor } from '../access-policy/actor.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { serviceUnavailable } from '../common/gateway-error.js';
import { storableJson, storableText } from './audit-chain.js';
import { AuditChainWriter, PendingEvent } from './audit-chain-writer.js';
import { AuditCheckpointer } from './audit-checkpointer.js';
import { AUDIT_UNAVAILABLE_MESSAGE, AuditEventInput, AuditRecorder } from './audit-recorder.js';
import { traced } from '../tracing/tracing.js';
import { AuditSigningKey, checkpointsFilePath, loadSigningKey, publishPublicKey } from './audit-signing-key.js';

/**
 * Appends audit events to the chain (fail closed: `record` rejects with
 * SERVICE_UNAVAILABLE when the event is not committed) and signs checkpoints every
 * N events or M seconds, and once more on clean shutdown.
 */
@Injectable()
export class AuditService extends AuditRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuditService.name);
  private readonly writer: AuditChainWriter;
  private checkpointer: AuditCheckpointer | undefined;
  private key: AuditSigningKey | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sinceCheckpoint = 0;
  /** Operations denied and recorded in each request, by the request's actor (gone with the request). */
  private readonly deniedByRequest = new WeakMap<Actor, Set<string>>();
  /**
   * Audit writes of each request that are still in flight or failed, by the request's actor (the
   * guard gives every request its own actor object, so entries go away with the request).
   */
  private readonly unsettled = new WeakMap<Actor, Set<Promise<unknown>>>();
  /** Ids of the events stored for each request, by its actor (gone with the request, like `unsettled`). */
  private readonly stored = new WeakMap<Actor, string[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
    this.writer = new AuditChainWriter(dataSource, (_lastSeq, count) => this.committed(count));
  }

  onModuleInit(): void {
    const key = loadSigningKey(this.config, true);
    if (!key) throw new Error('the audit signing key could not be created');
    this.key = key;
    publishPublicKey(this.config, this.key);
    this.checkpointer = new AuditCheckpointer(this.dataSource, this.key, checkpointsFilePath(this.config), (m) =>
      this.logger.error(m),
    );
    this.timer = setInterval(() => void this.checkpointNow(), this.config.auditCheckpointSeconds * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.writer.close();
    await this.checkpointNow();
  }

  /** The public half of the checkpoint-signing key (the private half never leaves its file). */
  signingKey(): Pick<AuditSigningKey, 'publicKeyPem' | 'keyId' | 'publicKey'> | undefined {
    return this.key;
  }

  async record(actor: Actor, event: AuditEventInput): Promise<{ id: string }> {
    let pending: PendingEvent;
    try {
      pending = toPending(actor, event);
    } catch (err) {
      this.logger.error(`audit event not serializable: ${(err as Error).message}`);
      throw unavailable();
    }
    if (event.decision === 'denied' && actor !== PUBLIC_ACTOR) this.rememberDenial(actor, event.operation);
    const attributes = { 'hgw.audit.operation': event.operation, 'hgw.audit.decision': event.decision };
    const written = traced('hgw.audit.append', attributes, () => this.writer.append(pending)).then(
      (seq) => {
        const id = String(seq);
        if (actor !== PUBLIC_ACTOR) {
          const ids = this.stored.get(actor);
          if (ids) ids.push(id);
          else this.stored.set(actor, [id]);
        }
        return { id };
      },
      (err: unknown) => {
        this.logger.error(`audit write failed: ${(err as Error).message}`);
        throw unavailable();
      },
    );
    this.holdResponse(actor, written);
    return written;
  }

  /**
   * The response barrier: resolves once every audit write made for this actor's request so far is
   * durably stored, with `false` if any of them failed (the request must then answer
   * SERVICE_UNAVAILABLE with no data). The GraphQL layer calls it just before a response is sent,
   * so a resolver may start its audit write and go on building the result while it commits.
   */
  async settleBeforeResponse(actor: Actor): Promise<boolean> {
    const writes = this.unsettled.get(actor);
    if (!writes) return true;
    this.unsettled.delete(actor);
    const settled = await Promise.allSettled([...writes]);
    return settled.every((s) => s.status === 'fulfilled');
  }

  storedIds(actor: Actor): string[] {
    return [...(this.stored.get(actor) ?? [])];
  }

  private holdResponse(actor: Actor, written: Promise<unknown>): void {
    // The shared public actor stands for no request in particular; its callers await inline.
    if (actor === PUBLIC_ACTOR) {
      written.catch(() => undefined);
      return;
    }
    let writes = this.unsettled.get(actor);
    if (!writes) this.unsettled.set(actor, (writes = new Set()));
    const held = writes;
    held.add(written);
    // Committed writes need no more waiting; failures stay until the barrier reports them.
    written.then(
      () => held.delete(written),
      () => undefined,
    );
  }

  /** The operations whose denial was already recorded for this request's actor (and forgets them). */
  takeRecordedDenials(actor: Actor): Set<string> {
    const ops = this.deniedByRequest.get(actor) ?? new Set<string>();
    this.deniedByRequest.delete(actor);
    return ops;
  }

  async checkpointNow(): Promise<void> {
    if (!this.checkpointer) return;
    try {
      if (await this.checkpointer.checkpoint()) this.sinceCheckpoint = 0;
    } catch (err) {
      this.logger.error(`audit checkpoint failed: ${(err as Error).message}`);
    }
  }

  private committed(count: number): void {
    this.sinceCheckpoint += count;
    if (this.sinceCheckpoint >= this.config.auditCheckpointEvery) {
      this.sinceCheckpoint = 0;
      void this.checkpointNow();
    }
  }

  private rememberDenial(actor: Actor, operation: string): void {
    const ops = this.deniedByRequest.get(actor);
    if (ops) ops.add(operation);
    else this.deniedByRequest.set(actor, new Set([operation]));
  }
}

const unavailable = () => serviceUnavailable(AUDIT_UNAVAILABLE_MESSAGE);

const text = (v: string | undefined | null) => (v === undefined || v === null ? null : storableText(String(v)));
const int = (v: number | undefined | null) =>
  typeof v === 'number' && Number.isFinite(v) ? Math.max(-2147483648, Math.min(2147483647, Math.round(v))) : null;

/** The stored form: who, from where and when come from the actor and the clock, never from the caller. */
export function toPending(actor: Actor, event: AuditEventInput): PendingEvent {
  return {
    occurredAt: new Date().toISOString(),
    principalId: text(actor.principalId),
    role: storableText(actor.role),
    organizationId: text(actor.organizationId),
    apiKeyId: text(actor.apiKeyId),
    licenseId: text(event.licenseId),
    operation: storableText(event.operation),
    datasetSlug: text(event.datasetSlug),
    query: event.query === undefined ? null : storableJson(event.query),
    resultSize: int(event.resultSize),
    cellsSuppressed: int(event.cellsSuppressed),
    decision: event.decision,
    reason: text(event.reason),
    target: text(event.target),
    requestId: text(actor.requestId),
    clientAddress: text(actor.clientAddress),
  };
}
