import { EntityManager } from 'typeorm';
import { API_KEY_PREFIX, generateApiKey } from './api-key-format.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyType } from './dto/api-key.type.js';

export interface IssueApiKey {
  principalId: string;
  name: string;
  scopes: string[] | null;
  expiresAt: Date | null;
  createdById: string | null;
}

/** Inserts a new key (hash only) and returns the key itself, once. Callers audit the change. */
export async function issueApiKey(
  manager: EntityManager,
  spec: IssueApiKey,
): Promise<{ apiKey: string; entity: ApiKeyEntity }> {
  const generated = generateApiKey();
  const entity = await manager.save(
    manager.create(ApiKeyEntity, {
      id: generated.lookupId,
      principalId: spec.principalId,
      name: spec.name,
      secretHash: generated.hash,
      scopes: spec.scopes,
      expiresAt: spec.expiresAt,
      createdById: spec.createdById,
      revokedAt: null,
      lastUsedAt: null,
    }),
  );
  return { apiKey: generated.key, entity };
}

export function mapApiKey(k: Omit<ApiKeyEntity, 'secretHash' | 'createdById'>): ApiKeyType {
  return {
    id: k.id,
    principalId: k.principalId,
    name: k.name,
    prefix: `${API_KEY_PREFIX}${k.id}`,
    scopes: k.scopes,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
    lastUsedAt: k.lastUsedAt,
  };
}
