import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { issueApiKey } from './api-key-issuer.js';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { insertOrganization, insertPrincipal } from './principals.service.js';
import { OrganizationEntity } from './organization.entity.js';
import { PrincipalEntity } from './principal.entity.js';

/** Serializes concurrent bootstraps so that two consoles cannot both create "the first" steward. */
const BOOTSTRAP_LOCK = 727275;

/** Refused because a steward exists already: the CLI exits 1 with this one-line message. */
export class BootstrapRefusedError extends Error {
  constructor() {
    super(
      'a steward exists already; bootstrap only creates the first one (a steward can create more with createPrincipal)',
    );
    this.name = 'BootstrapRefusedError';
  }
}

export interface BootstrapResult {
  principalId: string;
  organizationId: string;
  apiKey: string;
}

/** Creates the first steward, in the hotline centre's organization (created if needed), with one API key. */
@Injectable()
export class BootstrapService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
  ) {}

  async bootstrap(
    name: string,
    centre: { nameZh: string; nameEn: string } = { nameZh: '12345热线中心', nameEn: '12345 Hotline Centre' },
    options: { keyExpiresAt?: Date } = {},
  ): Promise<BootstrapResult> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if (await manager.existsBy(PrincipalEntity, { role: 'steward' })) throw new BootstrapRefusedError();
      const organization =
        (await manager.findOne(OrganizationEntity, {
          where: { kind: 'hotline-centre' },
          order: { createdAt: 'ASC' },
        })) ?? (await insertOrganization(manager, { kind: 'hotline-centre', ...centre }));
      const steward = await insertPrincipal(manager, {
        name,
        role: 'steward',
        organizationId: organization.id,
        oidcSubject: null,
      });
      const { apiKey, entity } = await issueApiKey(manager, {
        principalId: steward.id,
        name: 'bootstrap',
        scopes: null,
        expiresAt: options.keyExpiresAt ?? null,
        createdById: null,
      });
      // The operator at the console acts as the new steward; there is no request or address.
      const actor: Actor = {
        role: 'steward',
        principalId: steward.id,
        principalName: steward.name,
        organizationId: organization.id,
        authMethod: 'none',
        requestId: 'cli:bootstrap',
      };
      await this.audit.record(actor, {
        operation: 'bootstrap',
        decision: 'allowed',
        target: `principal:${steward.id}`,
        query: {
          role: 'steward',
          organizationId: organization.id,
          apiKeyId: entity.id,
          expiresAt: entity.expiresAt?.toISOString() ?? null,
        },
      });
      return { principalId: steward.id, organizationId: organization.id, apiKey };
    });
  }
}
