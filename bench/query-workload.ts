/**
 * What bench:query sends: the GraphQL texts, the fixed replay (20 bodies with bench-only tokens,
 * bench/fixed-workload.ts), the realistic mix (bench/workload.ts, as HTTP requests by
 * bench/mix-requests.ts), and the SQL each of them makes the gateway send (the database floor).
 * Firing them is bench/http-load.ts's job; reporting, bench/report.ts's.
 */
import type { AggregateQuery, CompiledSql } from '../src/aggregate/query-plan.js';
import type { Credential } from './accounts.js';
import { FIXED_WORKLOAD } from './fixed-workload.js';
import { bearer, HttpRequest } from './http-load.js';
import { MixRequests, mixRequests } from './mix-requests.js';
import type { CompileSql } from './sql-floor.js';
import type { Workload } from './workload.js';

export const AGGREGATE_QUERY = `query Bench($q: AggregateQueryInput!) { aggregate(query: $q) { columns rows { keys cells { value flags } } disclosure { suppressedCells } auditEventId } }`;
export const TYPENAME_BODY = '{"query":"{ __typename }"}';

/** The public's city x month question on the open dataset (one result-cache hit after the first). */
export const CITY_MONTH: AggregateQuery = {
  dataset: 'hotline-cases-open',
  groupBy: [
    { dimension: 'area', level: 'city' },
    { dimension: 'time', level: 'month' },
  ],
  measures: ['cases'],
};

/** The fixed replay: request i is body i mod 20 with its token. */
export class FixedReplay {
  readonly bodies = FIXED_WORKLOAD.map((w) => JSON.stringify({ query: AGGREGATE_QUERY, variables: { q: w.query } }));

  token(i: number): string | undefined {
    return FIXED_WORKLOAD[i % this.bodies.length].token;
  }

  request(i: number): HttpRequest {
    return { body: this.bodies[i % this.bodies.length], headers: bearer(this.token(i)) };
  }

  /** The SQL of each body, in order (a department's token scopes its SQL to its department). */
  sql(compile: CompileSql): CompiledSql[] {
    return FIXED_WORKLOAD.map((w) =>
      compile(
        w.query,
        w.token?.startsWith('bench-department-') ? w.token.slice('bench-department-'.length) : undefined,
      ),
    );
  }
}

/** The realistic mix, once per server: each reads it in order from its own cursor. */
export function realisticMix(
  workload: Workload,
  credentials: Map<string, Credential>,
): { cacheOn: MixRequests; cacheOff: MixRequests } {
  return {
    cacheOn: mixRequests(workload, credentials, AGGREGATE_QUERY),
    cacheOff: mixRequests(workload, credentials, AGGREGATE_QUERY),
  };
}
