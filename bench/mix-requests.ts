/**
 * The realistic workload as HTTP requests: each question with the key of the account that asks it,
 * its licence where it is asked under one, or for the public, its address. Read in order from a
 * cursor that wraps around, one cursor per server.
 */
import type { CompiledSql } from '../src/aggregate/query-plan.js';
import type { Credential } from './accounts.js';
import { bearer, HttpRequest } from './http-load.js';
import type { CompileSql } from './sql-floor.js';
import type { Workload, WorkloadRequest } from './workload.js';

const AUDIT = `query Audit($first: Int, $filter: AuditEventFilter) { auditEvents(first: $first, filter: $filter) { edges { node { seq occurredAt role operation datasetSlug decision } } pageInfo { hasNextPage endCursor } } }`;

export class MixRequests {
  private readonly prepared: HttpRequest[];
  private cursor = 0;
  /** Aggregate requests handed out so far (the denominator of the cache-hit ratio). */
  aggregatesSent = 0;
  /** Distinct questions as the result cache sees them (a department's own questions are its own). */
  readonly distinct: number;

  constructor(
    private readonly workload: Workload,
    private readonly credentials: Map<string, Credential>,
    aggregateQuery: string,
  ) {
    this.prepared = workload.requests.map((r) => this.prepare(r, aggregateQuery));
    this.distinct = new Set(workload.requests.map((r) => r.key)).size;
  }

  private prepare(r: WorkloadRequest, aggregateQuery: string): HttpRequest {
    const credential = r.account ? this.credentials.get(r.account) : undefined;
    if (r.account && !credential) throw new Error(`no key was created for ${r.account}`);
    const headers = r.address ? { 'x-forwarded-for': r.address } : bearer(credential?.token);
    if (r.auditEvents) {
      return { body: JSON.stringify({ query: AUDIT, variables: r.auditEvents }), headers };
    }
    const q = r.licensed ? { ...r.aggregate, licenseId: credential!.licenseId } : r.aggregate;
    return { body: JSON.stringify({ query: aggregateQuery, variables: { q } }), headers };
  }

  /** The next request (for autocannon's setupRequest). */
  readonly next = (): HttpRequest => {
    const i = this.cursor++ % this.prepared.length;
    if (!this.workload.requests[i].auditEvents) this.aggregatesSent++;
    return this.prepared[i];
  };

  /** The SQL each aggregate request of the mix makes the gateway send, in order (audit reads left out). */
  sql(compile: CompileSql): CompiledSql[] {
    const byKey = new Map<string, CompiledSql>();
    const departments = new Map(this.workload.accounts.map((a) => [a.id, a.departmentCode]));
    return this.workload.requests.flatMap((r) => {
      if (!r.aggregate) return [];
      let c = byKey.get(r.key);
      if (!c) byKey.set(r.key, (c = compile(r.aggregate, r.account ? departments.get(r.account) : undefined)));
      return [c];
    });
  }
}

export const mixRequests = (workload: Workload, credentials: Map<string, Credential>, aggregateQuery: string) =>
  new MixRequests(workload, credentials, aggregateQuery);
