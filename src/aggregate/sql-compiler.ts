import { queryTooComplex } from '../common/gateway-error.js';
import { CompiledSql, QueryPlan, RowCondition } from './query-plan.js';
import {
  CUBES,
  CubeSpec,
  dimensionSpec,
  combineSql,
  COUNT_BASES,
  cubeColumnsOf,
  levelIndex,
  measureBases,
  ROW_COUNT,
  TOPIC_DIMENSION,
} from '../catalog/registry.js';
import {
  GRAIN_OF_LEVEL,
  GRAIN_ORDER,
  grainOfBoundary,
  parseTimeCode,
  TIME_SQL_FORMATS,
  TimeGrain,
  TimeLevel,
  toSqlTimestamp,
} from '../catalog/time-members.js';

/** Most parts read for a query whose cells are unions (members of filters, blocks of a time range). */
export const MAX_UNION_PARTS = 100_000;

/**
 * Turns a plan into ONE parameterized SQL statement over the smallest rollup cube that can answer
 * it. Identifiers (tables, columns, date_trunc units, to_char patterns) come only from the
 * registry; every value the caller sent is a bind parameter.
 */
export function compileSql(
  plan: QueryPlan,
  rowScope: RowCondition[] = [],
  period?: { start?: Date; end?: Date },
): CompiledSql {
  const cube = pickCube(plan, rowScope, period);
  const params: unknown[] = [];
  const bind = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };

  const keys = plan.groups.map((g, i) => {
    if (g.dimension.code === 'time') {
      const level = g.level.code as TimeLevel;
      return `to_char(date_trunc('${level}', t), '${TIME_SQL_FORMATS[level]}') AS k${i}`;
    }
    return `${g.level.column} AS k${i}`;
  });
  // The parts of union cells: one more key per union filter.
  const parts = plan.unions.map((u, i) => {
    if (u.kind === 'members') return `${u.level.column} AS u${i}`;
    if (u.kind === 'periods') return `to_char(date_trunc('${u.level}', t), '${TIME_SQL_FORMATS[u.level]}') AS u${i}`;
    return `width_bucket(t, ${bind(u.boundaries.map(toSqlTimestamp), 'timestamp[]')})::text AS u${i}`;
  });

  const bases = new Set<string>(queryBases(plan));
  const sums = [...bases].map((b) =>
    b === HIST.name
      ? `${combineSql(HIST)} AS b_hist`
      : KEY_SUMS.has(b)
        ? // Only the key modulo 2^31 matters; it also keeps the value exact in a JavaScript number.
          `(sum(${b}) % ${KEY_MODULUS})::int8 AS b_${b}`
        : `sum(${b}) AS b_${b}`,
  );

  const where: string[] = [];
  if (cube.where) where.push(cube.where);
  for (const f of plan.filters) {
    if (f.kind === 'in') where.push(`${f.level.column} = ANY(${bind(f.values, 'text[]')})`);
    else if (f.kind === 'timeIn') {
      where.push(`date_trunc('${f.level}', t) = ANY(${bind(f.starts.map(toSqlTimestamp), 'timestamp[]')})`);
      // The same condition as a range too, so an index on t (or on a code and t) can narrow the scan.
      const ends = f.values.map((v) => parseTimeCode(v)?.end).filter((e): e is Date => e !== undefined);
      if (ends.length === f.values.length && f.starts.length > 0) {
        const first = new Date(Math.min(...f.starts.map((d) => d.getTime())));
        const last = new Date(Math.max(...ends.map((d) => d.getTime())));
        where.push(
          `t >= ${bind(toSqlTimestamp(first), 'timestamp')} AND t < ${bind(toSqlTimestamp(last), 'timestamp')}`,
        );
      }
    } else {
      if (f.start) where.push(`t >= ${bind(toSqlTimestamp(f.start), 'timestamp')}`);
      if (f.end) where.push(`t < ${bind(toSqlTimestamp(f.end), 'timestamp')}`);
    }
  }
  for (const r of rowScope) {
    const level = dimensionSpec(r.dimension)?.levels.find((l) => l.code === r.level);
    if (!level?.column) throw new Error(`row condition on unknown level ${r.dimension}.${r.level}`);
    where.push(`${level.column} = ANY(${bind(r.in, 'text[]')})`);
  }
  // A licence's period of data: only rows inside it, whatever the query's own time filter says.
  if (period?.start) where.push(`t >= ${bind(toSqlTimestamp(period.start), 'timestamp')}`);
  if (period?.end) where.push(`t < ${bind(toSqlTimestamp(period.end), 'timestamp')}`);

  // Every row is released before it is ordered or cut (src/aggregate/aggregate.service.ts): the
  // database only puts rows in key order, so a cut never depends on a true value.
  const order = [...plan.groups.map((_, i) => `k${i} ASC`), ...plan.unions.map((_, i) => `u${i} ASC`)];
  const rowLimit = (plan.unions.length > 0 ? MAX_UNION_PARTS : plan.loadRows) + 1;

  const sql = [
    `SELECT ${[...keys, ...parts, ...sums].join(', ')}`,
    `FROM ${cube.table}`,
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    keys.length + parts.length > 0 ? `GROUP BY ${[...keys, ...parts].map((_, i) => i + 1).join(', ')}` : '',
    order.length > 0 ? `ORDER BY ${order.join(', ')}` : '',
    `LIMIT ${bind(rowLimit, 'int')}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
  return { cube: cube.table, sql, params };
}

/** What a cube must keep to answer a plan: the finest time grain and, per dimension, the levels used. */
export interface CubeNeeds {
  grain: TimeGrain;
  levels: Map<string, string[]>;
}

/** The time grain and the levels a plan (with its row conditions and period) reads. */
export function cubeNeeds(
  plan: QueryPlan,
  rowScope: RowCondition[] = [],
  period?: { start?: Date; end?: Date },
): CubeNeeds {
  let grain: TimeGrain = 'month';
  const need = (g: TimeGrain) => {
    if (GRAIN_ORDER[g] > GRAIN_ORDER[grain]) grain = g;
  };
  const levels = new Map<string, string[]>();
  const use = (dimension: string, level: string) => levels.set(dimension, [...(levels.get(dimension) ?? []), level]);
  for (const g of plan.groups) {
    if (g.dimension.code === 'time') need(GRAIN_OF_LEVEL[g.level.code as TimeLevel]);
    else use(g.dimension.code, g.level.code);
  }
  for (const f of plan.filters) {
    if (f.kind === 'in') use(f.dimension.code, f.level.code);
    else if (f.kind === 'timeIn') need(GRAIN_OF_LEVEL[f.level]);
    else for (const instant of [f.start, f.end]) if (instant) need(grainOfBoundary(instant));
  }
  for (const r of rowScope) use(r.dimension, r.level);
  for (const instant of [period?.start, period?.end]) if (instant) need(grainOfBoundary(instant));
  return { grain, levels };
}

/** The first (smallest) cube of the series keeping every level and the time grain the query needs. */
export function pickCube(
  plan: QueryPlan,
  rowScope: RowCondition[] = [],
  period?: { start?: Date; end?: Date },
): CubeSpec {
  const { grain, levels } = cubeNeeds(plan, rowScope, period);
  const bases = new Set(queryBases(plan));
  // A cube keyed by topic counts a case once per keyword: only for queries that use topics.
  const fits = (cube: CubeSpec) =>
    cube.series === plan.series &&
    TOPIC_DIMENSION in cube.dimensions === levels.has(TOPIC_DIMENSION) &&
    (!cube.bases || [...bases].every((b) => cube.bases!.includes(b))) &&
    GRAIN_ORDER[cube.grain] >= GRAIN_ORDER[grain] &&
    [...levels].every(([dimension, wanted]) => {
      const finest = cube.dimensions[dimension];
      const spec = dimensionSpec(dimension);
      if (!finest || !spec) return false;
      return wanted.every((w) => levelIndex(spec, w) <= levelIndex(spec, finest));
    });
  const cube = CUBES.find(fits);
  if (!cube) {
    throw queryTooComplex(
      levels.has(TOPIC_DIMENSION)
        ? 'Topics are kept per month, city, category level 1 and department only; group or filter topics at those levels (time month or coarser, area city or coarser, category l1, department).'
        : 'No rollup keeps all the detail this query combines; group or filter at a coarser time or area level.',
    );
  }
  return cube;
}

/** The handling-time histogram, summed bucket by bucket. */
const HIST = cubeColumnsOf('cases').find((c) => c.combine === 'buckets')!;

/** Record-key sums, read modulo 2^31 (the cell key method's key range). */
const KEY_SUMS = new Set(
  Object.values(COUNT_BASES).flatMap((bases) =>
    Object.values(bases).flatMap((b) => [b.key, b.minus?.key].filter((k): k is string => k !== undefined)),
  ),
);
const KEY_MODULUS = 2 ** 31;

/** The base columns a plan reads: the row count with its key sum, then each measure's. */
function queryBases(plan: QueryPlan): string[] {
  const row = COUNT_BASES[plan.series][ROW_COUNT[plan.series]];
  const bases = [row.count, ...(row.key ? [row.key] : [])];
  for (const m of plan.measures) bases.push(...measureBases(m));
  return [...new Set(bases)];
}
