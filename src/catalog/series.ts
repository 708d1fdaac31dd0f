/**
 * The data series: each one kind of records (cases, hourly call traffic), rolled up into its own
 * cubes. A series is declared once here; its cubes (src/catalog/cubes.ts), base columns
 * (src/catalog/base-columns.ts), measures (src/catalog/measures.ts) and fine build
 * (src/aggregate/rollup-refresher.ts) name it. To add one, see the recipe in docs/architecture.md.
 */
export interface SeriesSpec {
  /**
   * The records table and the column whose local day places a record in a rollup day: the days
   * marked dirty when the records change (`markAllDaysDirty` in src/aggregate/rollup-refresher.ts).
   */
  records: { table: string; time: string };
  /** The cube the refresher builds from the records; every other cube of the series derives from it. */
  finestCube: string;
  /** The count that decides whether a row of the series is listed (disclosure control counts records by it). */
  rowCount: string;
  /** The dimensions the series can offer, each at its finest level (a dataset publishes a subset). */
  dimensions: Record<string, string>;
}

export const SERIES_DEFINITIONS = {
  cases: {
    records: { table: 'case_record', time: 'received_at' },
    finestCube: 'rollup_cases_fine',
    rowCount: 'cases',
    dimensions: {
      time: 'hour',
      area: 'street',
      category: 'l3',
      channel: 'channel',
      kind: 'kind',
      department: 'department',
      outcome: 'outcome',
      satisfaction: 'satisfaction',
      topic: 'keyword',
    },
  },
  traffic: {
    records: { table: 'call_traffic', time: 'hour_start' },
    finestCube: 'rollup_traffic_hour',
    rowCount: 'calls_offered',
    dimensions: { time: 'hour', area: 'city' },
  },
} satisfies Record<string, SeriesSpec>;

export type Series = keyof typeof SERIES_DEFINITIONS;

/** Every series, in declaration order. */
export const SERIES: Series[] = Object.keys(SERIES_DEFINITIONS) as Series[];

/** Per series, a field of its definition. */
export function perSeries<T>(field: (spec: SeriesSpec) => T): Record<Series, T> {
  return Object.fromEntries(
    SERIES.map((s) => [s, field((SERIES_DEFINITIONS as Record<Series, SeriesSpec>)[s])]),
  ) as Record<Series, T>;
}
