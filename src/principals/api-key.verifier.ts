import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { AuthenticationService, CredentialVerifier } from '../access-policy/authentication.service.js';
import { isPermission } from '../access-policy/permissions.js';
import { actorForPrincipal, PRINCIPAL_COLUMNS, PrincipalRow } from './principal-actor.js';
import { apiKeyMatches, looksLikeApiKey, parseApiKey } from './api-key-format.js';

/** Write last_used_at at most this often per key: a busy key must not turn every request into a write. */
export const LAST_USED_RESOLUTION_MS = 60_000;

interface KeyRow extends PrincipalRow {
  secret_hash: Buffer;
  scopes: string[] | null;
  usable: boolean;
  last_used_at: Date | null;
}

/**
 * Accepts `hgw_` API keys. Shape and checksum are checked offline; then one primary-key
 * lookup per request, so a revoked or expired key, or a disabled principal, stops working on
 * the very next request on every instance (nothing is cached beyond the request).
 */
@Injectable()
export class ApiKeyVerifier implements CredentialVerifier, OnModuleInit {
  private readonly logger = new Logger(ApiKeyVerifier.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly authentication: AuthenticationService,
  ) {}

  onModuleInit(): void {
    this.authentication.register(this);
  }

  /** The lookup id of a well-formed key (shape and checksum right), whether or not it exists. */
  presentedId(token: string): string | undefined {
    return looksLikeApiKey(token) ? parseApiKey(token)?.lookupId : undefined;
  }

  async verify(token: string): Promise<Actor | undefined> {
    if (!looksLikeApiKey(token)) return undefined;
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const rows = await this.dataSource.query<KeyRow[]>(
      `SELECT k.secret_hash, k.scopes, k.last_used_at,
              (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND p.disabled_at IS NULL) AS usable,
              ${PRINCIPAL_COLUMNS}
         FROM api_key k JOIN principal p ON p.id = k.principal_id JOIN organization o ON o.id = p.organization_id
        WHERE k.id = $1`,
      [parsed.lookupId],
    );
    const row = rows[0];
    // Same answer for unknown, wrong, revoked and expired keys: the caller learns nothing about which.
    if (!row || !apiKeyMatches(token, row.secret_hash) || !row.usable) return undefined;
    this.touch(parsed.lookupId, row.last_used_at);
    return actorForPrincipal(row, {
      authMethod: 'api-key',
      apiKeyId: parsed.lookupId,
      scopes: row.scopes === null ? undefined : row.scopes.filter(isPermission),
    });
  }

  /** Records the last use, throttled, in the background: never slows or fails the request. */
  private touch(id: string, lastUsedAt: Date | null): void {
    if (lastUsedAt && Date.now() - lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
    this.dataSource
      .query(
        `UPDATE api_key SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
        [id, LAST_USED_RESOLUTION_MS / 1000],
      )
      .catch((err: Error) => this.logger.warn(`could not record last use of API key ${id}: ${err.message}`));
  }
}
