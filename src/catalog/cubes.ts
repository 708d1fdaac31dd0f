import { TimeGrain } from './time-members.js';
import { perSeries } from './series.js';
import { DIMENSIONS, levelIndex, Series, SERIES_DIMENSIONS, TOPIC_DIMENSION } from './dimensions.js';

/** A pre-aggregated table: its time grain and, per dimension, the finest level it keeps. */
export interface CubeSpec {
  table: string;
  series: Series;
  grain: TimeGrain;
  dimensions: Record<string, string>;
  /** Base columns the cube holds, when not every base of the series (default: all). */
  bases?: string[];
  /** A fixed condition ANDed into every query on the cube (from the registry, never from callers). */
  where?: string;
  /**
   * The finer cube this one is rebuilt from (it must keep every level this one keeps, at a grain at
   * least as fine). Undefined for the finest cube of a series (FINEST_CUBE), which the refresher
   * builds from the records, and for cubes some other code maintains.
   */
  from?: string;
  /**
   * Cells in the benchmark's year of data (13 cities, 104 districts, 1,040 streets, 12/48/144
   * categories, 156 departments) if every combination occurs: only used to keep CUBES ordered.
   * Omitted for a cube that no other cube can stand in for (it keeps a dimension no other keeps).
   */
  cells?: number;
}

const CITY = { area: 'city' };
/**
 * Every dimension of the cases series at its finest level, but time (the grain) and topic (a case
 * has several keywords: its own rollup, `rollup_topics`).
 */
const ALL_CASE_DIMENSIONS = Object.fromEntries(
  Object.entries(SERIES_DIMENSIONS.cases).filter(
    ([dimension]) => dimension !== 'time' && dimension !== TOPIC_DIMENSION,
  ),
);

/**
 * Smallest first: the planner takes the first cube that can answer a query. Besides the coarse cubes
 * and the catch-all `rollup_cases_fine` (hour x every dimension, about one row per record), middle
 * cubes keep the combinations the realistic query mix asks for (district x category l2, street,
 * category l3, outcome and satisfaction by month, each also within one department's own cases;
 * daily trends by city and category), so that only rare combinations read the fine cube
 * (`npm run bench:mix-cubes` lists them). Sizes assume departments belong to one city and handle a
 * few categories (bench data: one department per city and category level 1).
 */
export const CUBES: CubeSpec[] = [
  {
    table: 'rollup_traffic_month',
    series: 'traffic',
    grain: 'month',
    dimensions: CITY,
    from: 'rollup_traffic_day',
    cells: 156,
  },
  {
    table: 'rollup_traffic_day',
    series: 'traffic',
    grain: 'day',
    dimensions: CITY,
    from: 'rollup_traffic_hour',
    cells: 4_745,
  },
  { table: 'rollup_traffic_hour', series: 'traffic', grain: 'hour', dimensions: CITY, cells: 113_880 },
  {
    table: 'rollup_cases_month_city',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'city', channel: 'channel', kind: 'kind' },
    from: 'rollup_cases_month',
    cells: 12 * 13 * 5 * 6,
  },
  {
    table: 'rollup_cases_month_status',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'city', kind: 'kind', outcome: 'outcome', satisfaction: 'satisfaction' },
    from: 'rollup_cases_fine',
    cells: 12 * 13 * 6 * 5 * 4,
  },
  {
    table: 'rollup_cases_month',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'city', category: 'l1', channel: 'channel', kind: 'kind', department: 'department' },
    from: 'rollup_cases_day',
    cells: 12 * 13 * 12 * 5 * 6,
  },
  {
    table: 'rollup_cases_day_city',
    series: 'cases',
    grain: 'day',
    dimensions: { area: 'city', category: 'l1' },
    from: 'rollup_cases_day',
    cells: 365 * 13 * 12,
  },
  {
    table: 'rollup_cases_month_area',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'street', kind: 'kind' },
    from: 'rollup_cases_fine',
    cells: 12 * 1_040 * 6,
  },
  {
    table: 'rollup_cases_month_category',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'city', category: 'l3', kind: 'kind' },
    from: 'rollup_cases_fine',
    cells: 12 * 13 * 144 * 6,
  },
  // A department's own cases (its row condition needs department_code) by category l3, street, or
  // outcome and satisfaction: a department belongs to one city and handles a few categories, so
  // keeping its city and category l1 costs few cells.
  {
    table: 'rollup_cases_month_dept_category',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'city', category: 'l3', kind: 'kind', department: 'department' },
    from: 'rollup_cases_fine',
    cells: 12 * 156 * 12 * 6,
  },
  {
    table: 'rollup_cases_month_dept_street',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'street', department: 'department' },
    from: 'rollup_cases_fine',
    cells: 12 * 1_040 * 12,
  },
  {
    table: 'rollup_cases_month_dept_status',
    series: 'cases',
    grain: 'month',
    dimensions: {
      area: 'city',
      category: 'l1',
      kind: 'kind',
      department: 'department',
      outcome: 'outcome',
      satisfaction: 'satisfaction',
    },
    from: 'rollup_cases_fine',
    cells: 12 * 156 * 6 * 5 * 4,
  },
  {
    table: 'rollup_cases_month_mid',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'district', category: 'l2', kind: 'kind', department: 'department' },
    from: 'rollup_cases_fine',
    cells: 12 * 104 * 48 * 6,
  },
  {
    table: 'rollup_cases_hour',
    series: 'cases',
    grain: 'hour',
    dimensions: { area: 'city', channel: 'channel' },
    from: 'rollup_cases_fine',
    cells: 8_760 * 13 * 5,
  },
  {
    table: 'rollup_cases_day',
    series: 'cases',
    grain: 'day',
    dimensions: { area: 'city', category: 'l1', channel: 'channel', kind: 'kind', department: 'department' },
    from: 'rollup_cases_fine',
    cells: 365 * 13 * 12 * 5 * 6,
  },
  { table: 'rollup_cases_fine', series: 'cases', grain: 'hour', dimensions: ALL_CASE_DIMENSIONS, cells: Infinity },
  // Last: a case counts once per keyword here, so only topic queries may use it (the planner checks).
  {
    // Only keywords in the topic vocabulary (seen from enough distinct callers) can be shown at all.
    table: 'rollup_topics',
    series: 'cases',
    grain: 'month',
    dimensions: { area: 'city', category: 'l1', department: 'department', topic: 'keyword' },
    bases: ['cases', 'record_key_sum'],
    where: 'keyword IN (SELECT keyword FROM topic_vocabulary)',
  },
];

/** The cube of each series that the refresher builds from the records; every other cube derives from it. */
export const FINEST_CUBE: Record<Series, string> = perSeries((s) => s.finestCube);

/**
 * A cube's dimension columns in the registry's order: for each dimension it keeps, every level's
 * column from the coarsest down to its finest (area to district keeps province, city and district).
 */
export function cubeColumns(cube: CubeSpec): string[] {
  return DIMENSIONS.flatMap((d) => {
    const finest = cube.dimensions[d.code];
    if (!finest) return [];
    return d.levels.slice(0, levelIndex(d, finest) + 1).map((l) => l.column!);
  });
}

/**
 * The fine build's select list for a cube's dimension columns, read from the record `r`: each level's
 * record column of the same name, '' where records may lack it (`optional`), so the cube column is
 * never null. A new dimension's column reaches the fine build from its registry entry alone.
 */
export function recordDimensionsSql(cube: CubeSpec): string[] {
  return DIMENSIONS.flatMap((d) => {
    const finest = cube.dimensions[d.code];
    if (!finest) return [];
    return d.levels
      .slice(0, levelIndex(d, finest) + 1)
      .map((l) => (l.optional ? `coalesce(r.${l.column!}, '') AS ${l.column!}` : `r.${l.column!}`));
  });
}
