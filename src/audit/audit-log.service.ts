import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { CaslAbilityFactory } from '../access-policy/casl-ability.factory.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { badUserInput, forbidden } from '../common/gateway-error.js';
import { canonicalJson } from '../common/canonical-json.js';
import { eventFromRow, EventRow, storedCheckpoints, verifyStoredChain } from './audit-integrity.js';
import { AuditService } from './audit.service.js';
import { AuditEventFilterInput } from './dto/audit-event-filter.input.js';
import { AuditEventConnectionType, AuditEventType } from './dto/audit-event.type.js';
import { AuditCheckpointsType, AuditIntegrityType } from './dto/audit-integrity.type.js';

export const MAX_PAGE = 500;

/** What auditors (and licensees, for their own events) read; each read is itself audited. */
@Injectable()
export class AuditLogService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly abilities: CaslAbilityFactory,
    private readonly audit: AuditService,
  ) {}

  async events(
    actor: Actor,
    filter: AuditEventFilterInput = {},
    first = 50,
    after?: string,
  ): Promise<AuditEventConnectionType> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
      throw badUserInput(`first must be a whole number from 1 to ${MAX_PAGE}.`);
    }
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const owners = this.visiblePrincipals(actor);
    if (owners !== 'all') add('principal_id = ANY(?)', owners);
    if (filter.principalId !== undefined) add('principal_id = ?', filter.principalId);
    if (filter.organizationId !== undefined) add('organization_id = ?', filter.organizationId);
    if (filter.licenseId !== undefined) add('license_id = ?', filter.licenseId);
    if (filter.datasetSlug !== undefined) add('dataset_slug = ?', filter.datasetSlug);
    if (filter.decision !== undefined) add('decision = ?', filter.decision);
    if (filter.operation !== undefined) add('operation = ?', filter.operation);
    if (filter.from !== undefined) add('occurred_at >= ?::timestamptz', filter.from);
    if (filter.to !== undefined) add('occurred_at < ?::timestamptz', filter.to);
    if (after !== undefined) add('seq < ?', decodeCursor(after));
    params.push(first + 1);
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT seq, prev_hash, hash,
              to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, principal_id,
              role, organization_id, api_key_id, license_id, operation, dataset_slug, query, result_size,
              cells_suppressed, decision, reason, target, request_id, client_address
         FROM audit_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, first).map((r) => toType(eventFromRow(r)));
    await this.audit.record(actor, {
      operation: 'auditEvents',
      decision: 'allowed',
      query: { filter: { ...filter }, first, after: after ?? null },
      resultSize: page.length,
    });
    return {
      edges: page.map((node) => ({ cursor: encodeCursor(node.seq), node })),
      pageInfo: {
        hasNextPage: rows.length > first,
        endCursor: page.length ? encodeCursor(page[page.length - 1].seq) : null,
      },
    };
  }

  async integrity(actor: Actor): Promise<AuditIntegrityType> {
    const report = await verifyStoredChain(this.dataSource, this.config);
    await this.audit.record(actor, {
      operation: 'auditIntegrity',
      decision: 'allowed',
      query: { ok: report.ok, firstBrokenSeq: report.firstBrokenSeq, lastSeq: report.lastSeq },
    });
    return report;
  }

  async checkpoints(actor: Actor, first = 100): Promise<AuditCheckpointsType> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
      throw badUserInput(`first must be a whole number from 1 to ${MAX_PAGE}.`);
    }
    const all = await storedCheckpoints(this.dataSource);
    const newest = all.reverse().slice(0, first);
    await this.audit.record(actor, {
      operation: 'auditCheckpoints',
      decision: 'allowed',
      query: { first },
      resultSize: newest.length,
    });
    const key = this.audit.signingKey();
    return { publicKeyPem: key?.publicKeyPem ?? null, keyId: key?.keyId ?? null, checkpoints: newest };
  }

  /** `all`, or the principals whose events the actor may read (CASL row conditions, as SQL). */
  private visiblePrincipals(actor: Actor): 'all' | string[] {
    const rules = this.abilities.createForActor(actor).rulesFor('read', 'AuditEvent');
    if (rules.some((r) => !r.inverted && !r.conditions)) return 'all';
    const owners = rules
      .filter((r) => !r.inverted && r.conditions)
      .map((r) => (r.conditions as { principalId?: unknown }).principalId)
      .filter((p): p is string => typeof p === 'string' && p !== '');
    if (owners.length === 0) throw forbidden('Your role may not read the audit log.');
    return owners;
  }
}

function toType(e: ReturnType<typeof eventFromRow>): AuditEventType {
  return {
    ...e,
    id: String(e.seq),
    query: e.query === null || e.query === undefined ? null : canonicalJson(e.query),
  };
}

const encodeCursor = (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const m = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badUserInput('after is not a cursor from this API; pass pageInfo.endCursor from a previous page.');
  return Number(m[1]);
}
