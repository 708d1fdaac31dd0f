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

/** What a request answers when one of its audit events could not be stored: no data at all. */
export const AUDIT_UNAVAILABLE_MESSAGE =
  'The audit log could not be written, so the request was not carried out; retry shortly.';

/**
 * Records audit events. `record` resolves only after the event is durably stored; when it
 * rejects, the caller must fail the request (SERVICE_UNAVAILABLE) and return no data. A caller
 * that does not await it (to overlap the write with building its result) relies on the response
 * barrier: no response of the request is sent before `settleBeforeResponse` says all is stored.
 * Inject this abstract class; the audit module provides the implementation.
 */
export abstract class AuditRecorder {
  abstract record(actor: Actor, event: AuditEventInput): Promise<{ id: string }>;

  /**
   * Resolves once every audit write made for this actor's request is durably stored: `false` if
   * any failed. Whatever sends a response calls it first (the GraphQL barrier plugin does).
   */
  abstract settleBeforeResponse(actor: Actor): Promise<boolean>;

  /**
   * The ids of the events stored so far for this actor's request, in the order they were
   * committed (call after `settleBeforeResponse`). Responses report them, so a client can point at
   * the audit event its action made even when its role may not read the log.
   */
  abstract storedIds(actor: Actor): string[];
}
