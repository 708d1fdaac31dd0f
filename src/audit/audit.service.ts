import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../access-policy/actor.js';
import { serviceUnavailable } from '../graphql/errors.js';
import { AuditEventInput, AuditRecorder } from './audit-recorder.js';

/** Appends audit events; a failed write fails the request (fail closed). */
@Injectable()
export class AuditService extends AuditRecorder {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async record(actor: Actor, event: AuditEventInput): Promise<{ id: string }> {
    try {
      const rows = await this.dataSource.query<{ id: string }[]>(
        `INSERT INTO audit_event (principal_id, role, organization_id, api_key_id, license_id, operation, dataset_slug,
           query, result_size, cells_suppressed, decision, reason, target, request_id, client_address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
        [
          actor.principalId ?? null,
          actor.role,
          actor.organizationId ?? null,
          actor.apiKeyId ?? null,
          event.licenseId ?? null,
          event.operation,
          event.datasetSlug ?? null,
          event.query === undefined ? null : JSON.stringify(event.query),
          event.resultSize ?? null,
          event.cellsSuppressed ?? null,
          event.decision,
          event.reason ?? null,
          event.target ?? null,
          actor.requestId ?? null,
          actor.clientAddress ?? null,
        ],
      );
      return { id: String(rows[0].id) };
    } catch (err) {
      this.logger.error(`audit write failed: ${(err as Error).message}`);
      throw serviceUnavailable(
        'The audit log could not be written, so the request was not carried out; retry shortly.',
      );
    }
  }
}
