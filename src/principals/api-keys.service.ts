import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { subject } from '@casl/ability';
import { DataSource } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { CaslAbilityFactory } from '../access-policy/casl-ability.factory.js';
import { Permission, splitPermission } from '../access-policy/permissions.js';
import { toSqlFilter } from '../access-policy/sql-filter.js';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { badUserInput, forbidden } from '../common/gateway-error.js';
import { PrincipalEntity } from './principal.entity.js';
import { issueApiKey, mapApiKey } from './api-key-issuer.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyType, CreatedApiKeyType } from './dto/api-key.type.js';
import { CreateApiKeyInput } from './dto/create-api-key.input.js';

interface ApiKeyRow {
  id: string;
  principal_id: string;
  name: string;
  scopes: string[] | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** Columns the access policy's conditions on ApiKey map to. */
const API_KEY_COLUMNS = { principalId: 'k.principal_id' };

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly abilities: CaslAbilityFactory,
    private readonly audit: AuditRecorder,
  ) {}

  /** The keys this actor may manage (own keys; every key for stewards), newest first. */
  async list(actor: Actor, principalId?: string): Promise<ApiKeyType[]> {
    const filter = toSqlFilter(this.abilities.createForActor(actor), 'manage', 'ApiKey', API_KEY_COLUMNS);
    const params = [...filter.params];
    let where = `(${filter.sql})`;
    if (principalId !== undefined) {
      params.push(principalId);
      where += ` AND k.principal_id::text = $${params.length}`;
    }
    const rows = await this.dataSource.query<ApiKeyRow[]>(
      `SELECT k.id, k.principal_id, k.name, k.scopes, k.created_at, k.expires_at, k.revoked_at, k.last_used_at
         FROM api_key k WHERE ${where} ORDER BY k.created_at DESC, k.id LIMIT 1000`,
      params,
    );
    return rows.map((r) =>
      mapApiKey({
        id: r.id,
        principalId: r.principal_id,
        name: r.name,
        scopes: r.scopes,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
        lastUsedAt: r.last_used_at,
      }),
    );
  }

  /**
   * Creates a key for the actor (or, for stewards, anyone). Scopes only narrow: each must be a
   * permission the key's principal holds, and a scoped key cannot mint a broader one.
   */
  async create(actor: Actor, input: CreateApiKeyInput): Promise<CreatedApiKeyType> {
    const ability = this.abilities.createForActor(actor);
    const principalId = input.principalId ?? actor.principalId;
    if (!principalId) throw forbidden('Only a signed-in principal can create API keys.');
    if (!ability.can('manage', subject('ApiKey', { principalId }))) {
      await this.deny(actor, 'createApiKey', `principal:${principalId}`, 'not own principal');
      throw forbidden('You may create API keys only for yourself; a steward can create keys for others.', {
        missingPermission: 'manage:ApiKey (for other principals)',
      });
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw badUserInput(
        'expiresAt is in the past; give a future date-time or leave it out for a key that does not expire.',
      );
    }
    const principal = await this.dataSource.getRepository(PrincipalEntity).findOneBy({ id: principalId });
    if (!principal) {
      throw badUserInput(`No principal with id ${principalId}; use an id returned by createPrincipal or me.`);
    }
    if (principal.disabledAt) throw badUserInput('This principal is disabled; its keys would not work.');

    const requested = input.scopes ? [...new Set(input.scopes)] : undefined;
    // A scoped key passes its limits on to any key it creates, for whomever: otherwise a narrow
    // steward key could mint a full one.
    const scopes = requested ?? (actor.scopes ? [...actor.scopes] : undefined);
    if (scopes) {
      const holder = this.abilities.createForActor({ role: principal.role, principalId, authMethod: 'api-key' });
      const lacking = scopes.filter(
        (p) =>
          !holder.can(...splitPermission(p as Permission)) || (actor.scopes && !actor.scopes.includes(p as Permission)),
      );
      if (lacking.length > 0) {
        await this.deny(actor, 'createApiKey', `principal:${principalId}`, `scopes not held: ${lacking.join(', ')}`);
        throw forbidden(`Cannot grant permissions you do not have: ${lacking.join(', ')}. Remove them from scopes.`, {
          missingPermission: lacking.join(' | '),
        });
      }
    }

    return this.dataSource.transaction(async (manager) => {
      const { apiKey, entity } = await issueApiKey(manager, {
        principalId,
        name: input.name,
        scopes: scopes ?? null,
        expiresAt: input.expiresAt ?? null,
        createdById: actor.principalId ?? null,
      });
      await this.audit.record(actor, {
        operation: 'createApiKey',
        decision: 'allowed',
        target: `api-key:${entity.id}`,
        query: {
          principalId,
          scopes: scopes ?? null,
          expiresAt: entity.expiresAt?.toISOString() ?? null,
        },
      });
      return { apiKey, key: mapApiKey(entity) };
    });
  }

  /** Revokes a key; effective on the next request. Revoking a revoked key changes nothing. */
  async revoke(actor: Actor, id: string): Promise<ApiKeyType> {
    const filter = toSqlFilter(this.abilities.createForActor(actor), 'manage', 'ApiKey', API_KEY_COLUMNS, 2);
    return this.dataSource.transaction(async (manager) => {
      // Keys the actor may not manage look exactly like keys that do not exist.
      const found = await manager.query<{ id: string }[]>(
        `SELECT k.id FROM api_key k WHERE k.id = $1 AND ${filter.sql} FOR UPDATE`,
        [id, ...filter.params],
      );
      if (found.length === 0) {
        // Refused either way (someone else's key, or none): audited, without telling the caller which.
        await this.deny(actor, 'revokeApiKey', `api-key:${id.slice(0, 64)}`, 'not among the keys the actor may manage');
        throw badUserInput(`No API key with id ${id} among the keys you may manage; list them with the apiKeys query.`);
      }
      const repo = manager.getRepository(ApiKeyEntity);
      const key = await repo.findOneByOrFail({ id });
      if (key.revokedAt) return mapApiKey(key);
      key.revokedAt = new Date();
      await repo.update({ id }, { revokedAt: key.revokedAt });
      await this.audit.record(actor, {
        operation: 'revokeApiKey',
        decision: 'allowed',
        target: `api-key:${id}`,
        query: { principalId: key.principalId },
      });
      return mapApiKey(key);
    });
  }

  private async deny(actor: Actor, operation: string, target: string, reason: string): Promise<void> {
    await this.audit.record(actor, { operation, decision: 'denied', target, reason });
  }
}
