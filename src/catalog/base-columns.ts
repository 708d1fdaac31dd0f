import { HISTOGRAM_BUCKETS } from '../common/histogram.js';
import type { CountBase } from '../disclosure/measure-release.js';
import type { Series } from './dimensions.js';
import { STATUTORY_LIMIT_DAYS } from './statutory-limits.js';

/**
 * The base columns: every number a rollup cube keeps per cell, declared once. The refresher's SQL
 * (src/aggregate/rollup-refresher.ts), the migration DDL for a new column (`addBaseColumnDdl`), the
 * SQL compiler's sums and the counts measures are built from (src/catalog/measures.ts) are all
 * derived from this table. To add one, see the recipe in docs/architecture.md.
 */
export type BaseColumnType = 'integer' | 'bigint' | 'double precision' | 'integer[]';

export interface BaseColumnSpec {
  series: Series;
  /** The cube column. */
  name: string;
  type: BaseColumnType;
  /**
   * - `count`: a number of records (or calls) that measures may release as a count;
   * - `sum`: any other additive number (the sums means are taken from);
   * - `histogram`: the handling-time histogram, summed bucket by bucket.
   */
  kind: 'count' | 'sum' | 'histogram';
  /**
   * The aggregate that fills the column in the fine build, over the series' source rows (cases: the
   * fine build's `src` row; traffic: `call_traffic ct` with its baseline `b`). For a count of
   * records, `where` may be given instead: the column is `count(*) FILTER (WHERE <where>)`.
   */
  sql?: string;
  where?: string;
  /**
   * A count of cases that carries a cell key: the sum of the record keys of the records it counts,
   * kept in its own column so disclosure control perturbs the count by a cell key of exactly those
   * records (src/disclosure/release.ts). `true` names it `<name>_key` (an integer, kept modulo 2^31);
   * a column of type bigint keeps the whole sum.
   */
  cellKey?: true | { name: string; type: 'integer' | 'bigint' };
}

/** One physical column of a cube, as the refresher writes it. */
export interface CubeColumn {
  series: Series;
  name: string;
  type: BaseColumnType;
  /** The fine build's aggregate. */
  sql: string;
  /** How coarser cubes combine finer rows: a plain sum, a key sum modulo 2^31, or bucket by bucket. */
  combine: 'sum' | 'keySum' | 'buckets';
}

/** Handling times are top-coded at this many days in the bounded sum (the histogram's open last bucket). */
export const HANDLING_DAYS_BOUND = 365;

/** Record keys are summed modulo 2^31, the cell key range: the sum of the keys of a count's records. */
export const KEY_MODULUS_SQL = '2147483648';

/** CASE kind WHEN ... THEN <statutory limit in days> END, over the fine build's `src` row. */
function statutoryLimitSql(): string {
  return `CASE kind ${Object.entries(STATUTORY_LIMIT_DAYS)
    .map(([k, d]) => `WHEN '${k}' THEN ${d}`)
    .join(' ')} END`;
}

const caseCount = (name: string, where: string): BaseColumnSpec => ({
  series: 'cases',
  name,
  type: 'integer',
  kind: 'count',
  where,
  cellKey: true,
});

/**
 * Every base column, per series in cube column order. Case counts each keep their record-key sum;
 * `cases` counts every case (its key sum is `record_key_sum`). Call traffic is not about people: its
 * counts carry no cell key.
 */
export const BASE_COLUMNS: readonly BaseColumnSpec[] = [
  {
    series: 'cases',
    name: 'cases',
    type: 'integer',
    kind: 'count',
    sql: 'count(*)',
    cellKey: { name: 'record_key_sum', type: 'bigint' },
  },
  { series: 'cases', name: 'handling_days_sum', type: 'double precision', kind: 'sum', sql: 'coalesce(sum(hd), 0)' },
  {
    series: 'cases',
    name: 'handling_days_bounded',
    type: 'double precision',
    kind: 'sum',
    sql: `coalesce(sum(least(hd, ${HANDLING_DAYS_BOUND})), 0)`,
  },
  { series: 'cases', name: 'chain_contacts', type: 'integer', kind: 'sum', sql: 'coalesce(sum(contacts), 0)' },
  caseCount('consultations', `kind = 'consultation'`),
  caseCount('closed', 'hd IS NOT NULL'),
  caseCount('on_time', `hd <= ${statutoryLimitSql()}`),
  caseCount('with_outcome', 'raw_outcome IS NOT NULL'),
  caseCount('solved', `raw_outcome = 'solved'`),
  caseCount('rated', `satisfaction <> 'unrated'`),
  caseCount('satisfied', `satisfaction IN ('satisfied', 'basically')`),
  caseCount('repeats', 'repeat_of_id IS NOT NULL'),
  // Repeat chains, counted at the chain's first contact (docs/analytics.md).
  caseCount('chains', 'contacts IS NOT NULL'),
  caseCount('unsolved_after_three', `contacts >= 3 AND last_outcome <> 'solved'`),
  // Template replies (docs/analytics-topics.md).
  caseCount('replied', 'reply_fingerprint IS NOT NULL'),
  caseCount('template_replies', 'template_reply'),
  {
    series: 'cases',
    name: 'hist',
    type: 'integer[]',
    kind: 'histogram',
    // An empty bucket is stored as NULL, not 0: an array stores no bytes for a NULL element, so the
    // histogram of a cell of one case (most fine cells) keeps one bucket, not 23. Sums skip NULLs and
    // a bucket empty in every row sums to NULL, which readers take as 0 (migration 1764205500000).
    sql: `ARRAY[${Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => `nullif(count(*) FILTER (WHERE hb = ${i + 1}), 0)`).join(', ')}]`,
  },
  { series: 'traffic', name: 'calls_offered', type: 'bigint', kind: 'count', sql: 'sum(ct.calls_offered)' },
  { series: 'traffic', name: 'calls_answered', type: 'bigint', kind: 'count', sql: 'sum(ct.calls_answered)' },
  { series: 'traffic', name: 'calls_abandoned', type: 'bigint', kind: 'count', sql: 'sum(ct.calls_abandoned)' },
  // Surge monitoring: the same hour of week over the previous four weeks (docs/analytics.md).
  {
    series: 'traffic',
    name: 'calls_baseline',
    type: 'double precision',
    kind: 'count',
    sql: 'coalesce(sum(b.baseline), 0)',
  },
  {
    series: 'traffic',
    name: 'calls_offered_baselined',
    type: 'bigint',
    kind: 'count',
    sql: 'coalesce(sum(ct.calls_offered) FILTER (WHERE b.baseline IS NOT NULL), 0)',
  },
];

/** The name and type of a base column's cell-key column, if it has one. */
export function cellKeyColumn(spec: BaseColumnSpec): { name: string; type: 'integer' | 'bigint' } | undefined {
  if (spec.cellKey === undefined) return undefined;
  return spec.cellKey === true ? { name: `${spec.name}_key`, type: 'integer' } : spec.cellKey;
}

function fineSql(spec: BaseColumnSpec): string {
  if (spec.sql !== undefined) return spec.sql;
  if (spec.where !== undefined) return `count(*) FILTER (WHERE ${spec.where})`;
  throw new Error(`base column ${spec.name}: give its sql or, for a count, its where`);
}

/**
 * The physical columns of a series' cubes, in order: each base column, then its cell-key column.
 * A key sum kept in an integer column is reduced modulo 2^31 (it must fit, and only the key modulo
 * 2^31 matters); one in a bigint column is kept whole.
 */
export function cubeColumnsOf(series: Series, columns: readonly BaseColumnSpec[] = BASE_COLUMNS): CubeColumn[] {
  return columns
    .filter((c) => c.series === series)
    .flatMap((spec): CubeColumn[] => {
      const own: CubeColumn = {
        series,
        name: spec.name,
        type: spec.type,
        sql: fineSql(spec),
        combine: spec.kind === 'histogram' ? 'buckets' : 'sum',
      };
      const key = cellKeyColumn(spec);
      if (!key) return [own];
      if (spec.series !== 'cases') throw new Error(`base column ${spec.name}: only case records carry cell keys`);
      const keySum =
        spec.where === undefined
          ? 'sum(record_key::bigint)'
          : `coalesce(sum(record_key::bigint) FILTER (WHERE ${spec.where}), 0)`;
      const modulo = key.type === 'integer';
      return [
        own,
        {
          series,
          name: key.name,
          type: key.type,
          sql: modulo ? `${keySum} % ${KEY_MODULUS_SQL}` : keySum,
          combine: modulo ? 'keySum' : 'sum',
        },
      ];
    });
}

/** The SQL that combines a column over finer rows (a coarser cube's build, or a query's cell). */
export function combineSql(column: CubeColumn): string {
  switch (column.combine) {
    case 'sum':
      return `sum(${column.name})`;
    case 'keySum':
      return `sum(${column.name}) % ${KEY_MODULUS_SQL}`;
    case 'buckets':
      return `ARRAY[${Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => `sum(${column.name}[${i + 1}])`).join(', ')}]::bigint[]`;
  }
}

/**
 * The counts of a series that measures are built from, each with the record-key sum that gives it
 * its own cell key (src/catalog/measures.ts adds composite counts such as first contacts).
 */
export function countBasesOf(
  series: Series,
  columns: readonly BaseColumnSpec[] = BASE_COLUMNS,
): Record<string, CountBase> {
  return Object.fromEntries(
    columns
      .filter((c) => c.series === series && c.kind === 'count')
      .map((c) => {
        const key = cellKeyColumn(c);
        return [c.name, key ? { count: c.name, key: key.name } : { count: c.name }];
      }),
  );
}

/**
 * The DDL a migration runs to add a base column to every cube of its series that keeps all the
 * series' bases (a cube with a `bases` list, such as rollup_topics, keeps only those): the column
 * and its cell-key column, defaulting to zero until the refresher fills them. The migration must
 * also mark the series' days dirty (`markAllDaysDirty` in src/aggregate/rollup-refresher.ts does it
 * for both series), so the next refresh fills the new columns.
 */
export function addBaseColumnDdl(
  spec: BaseColumnSpec,
  cubes: readonly { table: string; series: Series; bases?: string[] }[],
): string[] {
  const added = cubeColumnsOf(spec.series, [spec]).map(
    (c) => `ADD COLUMN "${c.name}" ${c.type} NOT NULL DEFAULT ${c.type === 'integer[]' ? `'{}'` : '0'}`,
  );
  return cubes
    .filter((cube) => cube.series === spec.series && cube.bases === undefined)
    .map((cube) => `ALTER TABLE "${cube.table}" ${added.join(', ')}`);
}

/** The additive columns of a case cube (every column but the histogram), in cube column order. */
export const CASE_SUM_COLUMNS: readonly string[] = cubeColumnsOf('cases')
  .filter((c) => c.combine !== 'buckets')
  .map((c) => c.name);
