/**
 * The same question asked of the peer: PostGraphile 4 with @graphile/pg-aggregates 0.1.1 over the
 * very tables the gateway reads. A gateway question translates when the peer can express it
 * exactly: its groupings are columns of the rollup the gateway's planner picks (time at that
 * rollup's grain, or truncated to day or hour, the only derivatives pg-aggregates 0.1.1 has), its
 * filters are single values (PostGraphile's `condition` is equality only), it has no top-N, and its
 * measures are sums of rollup columns (no percentiles: they need the handling-time histogram). The
 * peer is then asked for the sums of the same columns the gateway's SQL reads, grouped the same way.
 * Over the raw table the same holds with case_record's columns, `received_at` truncated to day or
 * hour, and the number of cases only (`distinctCount { id }`): handling times and rates are not
 * columns of the raw table, so the peer's raw questions are cheaper than the gateway's.
 */
import { planQuery } from '../src/aggregate/query-planner.js';
import type { AggregateQuery, QueryPlan } from '../src/aggregate/query-plan.js';
import { COUNT_BASES, CUBES, measureBases, ROW_COUNT } from '../src/catalog/registry.js';
import { compileSql } from '../src/aggregate/sql-compiler.js';
import type { DatasetDefinition } from '../src/datasets/dataset.entity.js';
import type { MemberDirectory } from '../src/catalog/member-directory.js';

/** PostGraphile's inflection of a column: `handling_days_sum` → `handlingDaysSum`. */
export const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** pg-aggregates' group-by enum value of a column: `city_code` → `CITY_CODE`. */
export const constant = (column: string) => column.toUpperCase();

export interface PeerQuery {
  /** The table the peer is asked to group (the gateway's rollup, or case_record). */
  table: string;
  /** The GraphQL text, with `ALL_FIELD` standing for the table's connection field (known once the peer runs). */
  text: string;
}

type Condition = Record<string, string>;

const timestampOf = (d: Date) => d.toISOString().slice(0, 19);

function build(table: string, groupBy: string[], condition: Condition, aggregates: string): PeerQuery {
  const cond = Object.entries(condition)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');
  const args = cond ? `(condition: { ${cond} })` : '';
  return {
    table,
    text: `{ __typename ALL_FIELD${args} { groupedAggregates(groupBy: [${groupBy.join(', ')}]) { keys ${aggregates} } } }`,
  };
}

/** The plan of a question, with the department row condition the gateway adds for a department's own cases. */
export function planOf(
  defs: Map<string, DatasetDefinition>,
  directory: MemberDirectory,
  query: AggregateQuery,
): QueryPlan {
  return planQuery({ slug: query.dataset, definition: defs.get(query.dataset)! }, query, directory);
}

/** The question over the rollup the gateway reads, or undefined when the peer cannot express it. */
export function overRollup(plan: QueryPlan, query: AggregateQuery, departmentCode?: string): PeerQuery | undefined {
  if (query.orderBy?.length || query.limit || plan.unions.length > 0 || plan.groups.length === 0) return undefined;
  if (plan.measures.some((m) => m.shape.kind === 'percentile' || m.shape.kind === 'analysis')) return undefined;
  const rowScope = departmentCode
    ? [{ dimension: 'department', level: 'department', in: [departmentCode], reason: 'own' }]
    : [];
  const table = compileSql(plan, rowScope).cube;
  const cube = CUBES.find((c) => c.table === table)!;
  if (cube.where) return undefined;
  const groupBy: string[] = [];
  for (const g of plan.groups) {
    if (g.dimension.code !== 'time') groupBy.push(constant(g.level.column!));
    else if (g.level.code === cube.grain) groupBy.push('T');
    else if (g.level.code === 'day' && cube.grain === 'hour') groupBy.push('T_TRUNCATED_TO_DAY');
    else return undefined;
  }
  const condition: Condition = {};
  for (const f of plan.filters) {
    if (f.kind === 'in' && f.values.length === 1) condition[camel(f.level.column!)] = f.values[0];
    else if (f.kind === 'timeIn' && f.values.length === 1 && f.level === cube.grain) {
      condition.t = timestampOf(f.starts[0]);
    } else return undefined;
  }
  if (departmentCode) condition.departmentCode = departmentCode;
  const row = COUNT_BASES[plan.series][ROW_COUNT[plan.series]];
  const bases = new Set([row.count, ...(row.key ? [row.key] : []), ...plan.measures.flatMap((m) => measureBases(m))]);
  const sums = [...bases].filter((b) => b !== 'hist').map(camel);
  return build(table, groupBy, condition, `sum { ${sums.join(' ')} }`);
}

/** case_record columns that may be null in the benchmark's data. */
const NULLABLE_RAW = new Set(['outcome']);

/** The question over case_record (cases only), or undefined when the peer cannot express it there. */
export function overRaw(plan: QueryPlan, query: AggregateQuery, departmentCode?: string): PeerQuery | undefined {
  if (plan.series !== 'cases' || query.orderBy?.length || query.limit || plan.unions.length > 0) return undefined;
  if (plan.groups.length === 0 || plan.measures.some((m) => m.code !== 'cases')) return undefined;
  const groupBy: string[] = [];
  for (const g of plan.groups) {
    // pg-aggregates 0.1.1 declares group keys non-null: grouping a column holding nulls (the outcome
    // of open cases) fails there, so those questions stay out.
    if (NULLABLE_RAW.has(g.level.column ?? '')) return undefined;
    if (g.dimension.code !== 'time') groupBy.push(constant(g.level.column!));
    else if (g.level.code === 'day' || g.level.code === 'hour') {
      groupBy.push(`RECEIVED_AT_TRUNCATED_TO_${g.level.code.toUpperCase()}`);
    } else return undefined;
  }
  const condition: Condition = {};
  for (const f of plan.filters) {
    if (f.kind === 'in' && f.values.length === 1) condition[camel(f.level.column!)] = f.values[0];
    else return undefined;
  }
  if (departmentCode) condition.departmentCode = departmentCode;
  return build('case_record', groupBy, condition, 'distinctCount { id }');
}
