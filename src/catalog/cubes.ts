import { HISTOGRAM_BUCKETS } from '../common/histogram.js';
import { TimeGrain } from './time-members.js';
import { DIMENSIONS, levelIndex, Series, SERIES_DIMENSIONS, TOPIC_DIMENSION } from './dimensions.js';
import { STATUTORY_LIMIT_DAYS } from './statutory-limits.js';

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
 * category l3, outcome and satisfaction by month; daily trends by city and category), so that only
 * rare combinations read the fine cube. Sizes assume departments belong to one city and handle a
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
export const FINEST_CUBE: Record<Series, string> = { cases: 'rollup_cases_fine', traffic: 'rollup_traffic_hour' };

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
 * Counts each case cube keeps per cell, each with the condition (over the fine build's `src` row)
 * that a case meets to be counted. Every count also keeps `<name>_key`, the sum of the record keys
 * of the cases it counts, so disclosure control perturbs it by a cell key of exactly those records
 * (src/disclosure/release.ts). `cases` counts every case; its key sum is `record_key_sum`.
 */
export const CASE_COUNTS: readonly { name: string; where: string }[] = [
  { name: 'consultations', where: `kind = 'consultation'` },
  { name: 'closed', where: 'hd IS NOT NULL' },
  { name: 'on_time', where: `hd <= ${statutoryLimitSql()}` },
  { name: 'with_outcome', where: 'raw_outcome IS NOT NULL' },
  { name: 'solved', where: `raw_outcome = 'solved'` },
  { name: 'rated', where: `satisfaction <> 'unrated'` },
  { name: 'satisfied', where: `satisfaction IN ('satisfied', 'basically')` },
  { name: 'repeats', where: 'repeat_of_id IS NOT NULL' },
  // Repeat chains, counted at the chain's first contact (docs/analytics.md).
  { name: 'chains', where: 'contacts IS NOT NULL' },
  { name: 'unsolved_after_three', where: `contacts >= 3 AND last_outcome <> 'solved'` },
  // Template replies (docs/analytics-topics.md).
  { name: 'replied', where: 'reply_fingerprint IS NOT NULL' },
  { name: 'template_replies', where: 'template_reply' },
];

/** Handling times are top-coded at this many days in the bounded sum (the histogram's open last bucket). */
export const HANDLING_DAYS_BOUND = 365;

/** Record keys are summed modulo 2^31, the cell key range: the sum of the keys of a count's records. */
export const KEY_MODULUS_SQL = '2147483648';

/**
 * Every additive column of a case cube (besides `hist`, the handling-time histogram), declared once
 * with the SQL that fills it in the fine build; coarser cubes sum it (key sums modulo 2^31).
 */
export const CASE_SUMS: readonly { name: string; sql: string; key?: true }[] = [
  { name: 'cases', sql: 'count(*)' },
  { name: 'record_key_sum', sql: 'sum(record_key::bigint)' },
  { name: 'handling_days_sum', sql: 'coalesce(sum(hd), 0)' },
  { name: 'handling_days_bounded', sql: `coalesce(sum(least(hd, ${HANDLING_DAYS_BOUND})), 0)` },
  { name: 'chain_contacts', sql: 'coalesce(sum(contacts), 0)' },
  ...CASE_COUNTS.flatMap(({ name, where }) => [
    { name, sql: `count(*) FILTER (WHERE ${where})` },
    {
      name: `${name}_key`,
      sql: `coalesce(sum(record_key::bigint) FILTER (WHERE ${where}), 0) % ${KEY_MODULUS_SQL}`,
      key: true as const,
    },
  ]),
];
export const CASE_SUM_COLUMNS: readonly string[] = CASE_SUMS.map((c) => c.name);

/** CASE kind WHEN ... THEN <statutory limit in days> END, over the fine build's `src` row. */
function statutoryLimitSql(): string {
  return `CASE kind ${Object.entries(STATUTORY_LIMIT_DAYS)
    .map(([k, d]) => `WHEN '${k}' THEN ${d}`)
    .join(' ')} END`;
}
export const TRAFFIC_SUM_COLUMNS = [
  'calls_offered',
  'calls_answered',
  'calls_abandoned',
  // Surge monitoring: the same hour of week over the previous four weeks (docs/analytics.md).
  'calls_baseline',
  'calls_offered_baselined',
] as const;

/** The summed handling-time histogram; a bucket empty in every row sums to NULL (read as 0), as it is stored. */
export const HIST_SQL = `ARRAY[${Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => `sum(hist[${i + 1}])`).join(', ')}]::bigint[]`;
