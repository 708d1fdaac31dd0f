import type { Actor } from '../access-policy/actor.js';

/** What a caller states about one audited action; who, when, request id and address come from the actor. */
export interface AuditEventInput {
  /** The operation, e.g. `aggregate`, `createApiKey`, `approveLicense`. */
  operation: string;
  decision: 'allowed' | 'denied';
  /** Why it was denied (the error code and message), or a note for governance changes. */
  reason?: string;
  datasetSlug?: string;
  licenseId?: string;
  /** The normalized query or the change's arguments. Never secrets or personal data. */
  query?: Record<string, unknown>;
  resultSize?: number;
  cellsSuppressed?: number;
  /** What a governance change acted on, e.g. `principal:42`. */
  target?: string;
}

/**
 * Records audit events. `record` resolves only after the event is durably stored; when it
 * rejects, the caller must fail the request (SERVICE_UNAVAILABLE) and return no data.
 * Inject this abstract class; the audit module provides the implementation.
 */
export abstract class AuditRecorder {
  abstract record(actor: Actor, event: AuditEventInput): Promise<{ id: string }>;
}
