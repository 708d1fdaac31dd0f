import { HISTOGRAM_BUCKETS } from './histogram.js';
import { percentileFromHistogram } from './histogram.js';
import { TimeGrain, TimeLevel } from './time-members.js';

/**
 * The registry: every dimension level, measure and rollup the engine knows, with the SQL
 * identifiers they map to. Queries name catalog codes; SQL identifiers come only from here.
 */
export type Series = 'cases' | 'traffic';
export const SERIES: Series[] = ['cases', 'traffic'];

export interface LevelSpec {
  code: string;
  titleZh: string;
  titleEn: string;
  /** Rollup column holding the member code (not used for time, which is computed from `t`). */
  column?: string;
  /** Where member codes and labels come from. */
  members: 'time' | 'area' | 'category' | 'department' | 'channel' | 'kind' | 'outcome' | 'satisfaction' | 'topic';
}

export interface DimensionSpec {
  code: string;
  titleZh: string;
  titleEn: string;
  /** Coarsest to finest. */
  levels: LevelSpec[];
}

const lvl = (
  code: string,
  titleZh: string,
  titleEn: string,
  column: string | undefined,
  members: LevelSpec['members'],
) => ({
  code,
  titleZh,
  titleEn,
  column,
  members,
});

export const DIMENSIONS: DimensionSpec[] = [
  {
    code: 'time',
    titleZh: '时间',
    titleEn: 'Time',
    levels: [
      lvl('year', '年', 'Year', undefined, 'time'),
      lvl('quarter', '季度', 'Quarter', undefined, 'time'),
      lvl('month', '月', 'Month', undefined, 'time'),
      lvl('week', '周', 'ISO week', undefined, 'time'),
      lvl('day', '日', 'Day', undefined, 'time'),
      lvl('hour', '小时', 'Hour', undefined, 'time'),
    ],
  },
  {
    code: 'area',
    titleZh: '地区',
    titleEn: 'Area',
    levels: [
      lvl('province', '省', 'Province', 'province_code', 'area'),
      lvl('city', '地市', 'City', 'city_code', 'area'),
      lvl('district', '区县', 'District', 'district_code', 'area'),
      lvl('street', '街道', 'Street', 'street_code', 'area'),
    ],
  },
  {
    code: 'category',
    titleZh: '业务分类',
    titleEn: 'Category',
    levels: [
      lvl('l1', '一级分类', 'Category level 1', 'category_l1', 'category'),
      lvl('l2', '二级分类', 'Category level 2', 'category_l2', 'category'),
      lvl('l3', '三级分类', 'Category level 3', 'category_l3', 'category'),
    ],
  },
  {
    code: 'channel',
    titleZh: '受理渠道',
    titleEn: 'Channel',
    levels: [lvl('channel', '受理渠道', 'Channel', 'channel', 'channel')],
  },
  {
    code: 'kind',
    titleZh: '诉求类型',
    titleEn: 'Request kind',
    levels: [lvl('kind', '诉求类型', 'Request kind', 'kind', 'kind')],
  },
  {
    code: 'department',
    titleZh: '承办单位',
    titleEn: 'Handling department',
    levels: [lvl('department', '承办单位', 'Handling department', 'department_code', 'department')],
  },
  {
    code: 'outcome',
    titleZh: '办理结果',
    titleEn: 'Outcome',
    levels: [lvl('outcome', '办理结果', 'Outcome', 'outcome', 'outcome')],
  },
  {
    code: 'satisfaction',
    titleZh: '满意度',
    titleEn: 'Satisfaction',
    levels: [lvl('satisfaction', '满意度', 'Satisfaction', 'satisfaction', 'satisfaction')],
  },
  {
    // Keywords of the scrubbed request text (src/ingest/text-analytics). A case has several, so
    // topic rows are not additive: see TOPIC_DIMENSION below.
    code: 'topic',
    titleZh: '热点话题',
    titleEn: 'Topic',
    levels: [lvl('keyword', '关键词', 'Keyword', 'keyword', 'topic')],
  },
];

/**
 * The topic dimension counts a case once per keyword it mentions, so only counts may be asked
 * with it, and it is read from its own rollup (`rollup_topics`) and never summed across keywords.
 */
export const TOPIC_DIMENSION = 'topic';
export const TOPIC_MEASURES = ['cases'];

export function dimensionSpec(code: string): DimensionSpec | undefined {
  return DIMENSIONS.find((d) => d.code === code);
}

/** Dimensions each series can offer at all (a dataset publishes a subset). */
export const SERIES_DIMENSIONS: Record<Series, Record<string, string>> = {
  cases: {
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
  traffic: { time: 'hour', area: 'city' },
};

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
const ALL_CASE_DIMENSIONS = {
  area: 'street',
  category: 'l3',
  channel: 'channel',
  kind: 'kind',
  department: 'department',
  outcome: 'outcome',
  satisfaction: 'satisfaction',
};

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

/** Additive columns each case cube holds per cell (besides `hist`, the handling-time histogram). */
export const CASE_SUM_COLUMNS = [
  'cases',
  'consultations',
  'closed',
  'handling_days_sum',
  'on_time',
  'with_outcome',
  'solved',
  'rated',
  'satisfied',
  'repeats',
  'record_key_sum',
  // Repeat chains, counted at the chain's first contact (docs/analytics.md).
  'chains',
  'chain_contacts',
  'unsolved_after_three',
  // Template replies (docs/analytics-topics.md).
  'replied',
  'template_replies',
] as const;
export const TRAFFIC_SUM_COLUMNS = [
  'calls_offered',
  'calls_answered',
  'calls_abandoned',
  // Surge monitoring: the same hour of week over the previous four weeks (docs/analytics.md).
  'calls_baseline',
  'calls_offered_baselined',
] as const;

/** Summed base values of one result cell; `hist` is the summed handling-time histogram. */
export type Sums = Record<string, number> & { hist?: number[] };

export interface MeasureSpec {
  code: string;
  series: Series;
  titleZh: string;
  titleEn: string;
  unit: string;
  definition: string;
  /** Base columns this measure is computed from. */
  bases: string[];
  /** SQL over the aggregated bases (`s_<column>` aliases inlined as sum(...)), when it can be ordered in SQL. */
  orderSql?: string;
  compute(s: Sums): number | null;
  /**
   * A base counting the units this measure averages over (e.g. repeat chains). A released row
   * where that count is above zero but under the dataset's threshold gets this measure null and
   * flagged `suppressed`, so a ratio never describes fewer units than a released count may.
   */
  unitBase?: string;
  /** Flags a released value earns (e.g. `surge`), besides the disclosure flags. */
  flags?(value: number): string[];
  /**
   * Measures computed across the rows of a result after disclosure control, from released values
   * only (src/aggregate/analytics/): `periodOverPeriod` compares each row with the previous
   * period of the same other keys and needs a time group; `persistence` reads the months behind
   * each row and must not be grouped by time.
   */
  analysis?: 'periodOverPeriod' | 'persistence';
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** A surge: offered calls at least this many times the same-hour-of-week baseline. */
export const SURGE_RATIO = 2.5;
/** Emerging issues: Benjamini-Hochberg false discovery rate and the least growth relative to the rest. */
export const EMERGING_FDR = 0.01;
export const EMERGING_MIN_RELATIVE_GROWTH = 1.5;
/** Persistent issues: the fewest consecutive high months that earn the `persistent` flag. */
export const PERSISTENT_MIN_MONTHS = 3;
const sumSql = (c: string) => `sum(${c})::float8`;
const ratioSql = (a: string, b: string) => `(${sumSql(a)} / nullif(${sumSql(b)}, 0))`;

/**
 * Statutory handling limits by request kind, in calendar days (working days are approximated as
 * calendar days; see docs/aggregate.md). A closed case is on time when closed within its limit.
 */
export const STATUTORY_LIMIT_DAYS: Record<string, number> = {
  consultation: 1,
  help: 5,
  complaint: 5,
  report: 5,
  suggestion: 10,
  praise: 10,
};

const limitsText = Object.entries(STATUTORY_LIMIT_DAYS)
  .map(([k, d]) => `${k} ${d} d`)
  .join(', ');

export const MEASURES: MeasureSpec[] = [
  {
    code: 'cases',
    series: 'cases',
    titleZh: '工单量',
    titleEn: 'Cases',
    unit: 'count',
    definition: 'Number of requests received in the period (by received time, Asia/Shanghai).',
    bases: ['cases'],
    orderSql: sumSql('cases'),
    compute: (s) => s.cases,
  },
  {
    code: 'consultationShare',
    series: 'cases',
    titleZh: '咨询占比',
    titleEn: 'Share of consultations',
    unit: 'ratio',
    definition: 'Cases of kind consultation divided by all cases.',
    bases: ['consultations', 'cases'],
    orderSql: ratioSql('consultations', 'cases'),
    compute: (s) => ratio(s.consultations, s.cases),
  },
  {
    code: 'avgHandlingDays',
    series: 'cases',
    titleZh: '平均办理天数',
    titleEn: 'Average handling days',
    unit: 'days',
    definition: 'Mean of (closed at - received at) in days over closed cases; open cases are left out.',
    bases: ['handling_days_sum', 'closed'],
    orderSql: ratioSql('handling_days_sum', 'closed'),
    compute: (s) => ratio(s.handling_days_sum, s.closed),
  },
  {
    code: 'medianHandlingDays',
    series: 'cases',
    titleZh: '办理天数中位数',
    titleEn: 'Median handling days',
    unit: 'days',
    definition:
      'Median handling time of closed cases, read from a histogram with log-scale buckets (exact to within the bucket holding the true median).',
    bases: ['hist'],
    compute: (s) => percentileFromHistogram(s.hist ?? [], 0.5),
  },
  {
    code: 'p90HandlingDays',
    series: 'cases',
    titleZh: '办理天数90分位',
    titleEn: '90th percentile handling days',
    unit: 'days',
    definition:
      '90th percentile (nearest rank) of the handling time of closed cases, read from the same histogram (exact to within its bucket).',
    bases: ['hist'],
    compute: (s) => percentileFromHistogram(s.hist ?? [], 0.9),
  },
  {
    code: 'onTimeRate',
    series: 'cases',
    titleZh: '按时办结率',
    titleEn: 'On-time rate',
    unit: 'ratio',
    definition: `Closed cases closed within the statutory limit for their kind (${limitsText}; calendar days) divided by closed cases.`,
    bases: ['on_time', 'closed'],
    orderSql: ratioSql('on_time', 'closed'),
    compute: (s) => ratio(s.on_time, s.closed),
  },
  {
    code: 'solvedRate',
    series: 'cases',
    titleZh: '解决率',
    titleEn: 'Solved rate',
    unit: 'ratio',
    definition: 'Cases with outcome solved divided by cases with any outcome (solved, partly, unsolved, returned).',
    bases: ['solved', 'with_outcome'],
    orderSql: ratioSql('solved', 'with_outcome'),
    compute: (s) => ratio(s.solved, s.with_outcome),
  },
  {
    code: 'satisfactionRate',
    series: 'cases',
    titleZh: '满意率',
    titleEn: 'Satisfaction rate',
    unit: 'ratio',
    definition: 'Cases rated satisfied or basically satisfied divided by cases that were rated.',
    bases: ['satisfied', 'rated'],
    orderSql: ratioSql('satisfied', 'rated'),
    compute: (s) => ratio(s.satisfied, s.rated),
  },
  {
    code: 'repeatRate',
    series: 'cases',
    titleZh: '重复诉求率',
    titleEn: 'Repeat rate',
    unit: 'ratio',
    definition: 'Cases that repeat an earlier case of the same caller on the same issue, divided by all cases.',
    bases: ['repeats', 'cases'],
    orderSql: ratioSql('repeats', 'cases'),
    compute: (s) => ratio(s.repeats, s.cases),
  },
  {
    code: 'dissatisfactionRate',
    series: 'cases',
    titleZh: '不满意率',
    titleEn: 'Dissatisfaction rate',
    unit: 'ratio',
    definition: 'Cases rated dissatisfied divided by cases that were rated.',
    bases: ['rated', 'satisfied'],
    orderSql: `((${sumSql('rated')} - ${sumSql('satisfied')}) / nullif(${sumSql('rated')}, 0))`,
    compute: (s) => ratio(s.rated - s.satisfied, s.rated),
  },
  {
    code: 'avgChainLength',
    series: 'cases',
    titleZh: '重复诉求链平均长度',
    titleEn: 'Average repeat-chain length',
    unit: 'contacts',
    definition:
      'Mean number of contacts in the repeat chains (two or more cases of the same caller on the same issue, each within 90 days of the one before) that start in the cell; a chain counts where and when it started.',
    bases: ['chain_contacts', 'chains'],
    orderSql: ratioSql('chain_contacts', 'chains'),
    unitBase: 'chains',
    compute: (s) => ratio(s.chain_contacts, s.chains),
  },
  {
    code: 'unsolvedAfterThreeShare',
    series: 'cases',
    titleZh: '三次以上反映仍未解决占比',
    titleEn: 'Share unsolved after three or more contacts',
    unit: 'ratio',
    definition:
      'Issues first raised in the cell whose repeat chain reached three or more contacts and whose latest contact is still not solved, divided by all issues first raised in the cell (cases that repeat no earlier case).',
    bases: ['unsolved_after_three', 'cases', 'repeats'],
    orderSql: `(${sumSql('unsolved_after_three')} / nullif(${sumSql('cases')} - ${sumSql('repeats')}, 0))`,
    compute: (s) => ratio(s.unsolved_after_three, s.cases - s.repeats),
  },
  {
    code: 'casesGrowth',
    series: 'cases',
    titleZh: '环比增长',
    titleEn: 'Period-over-period growth',
    unit: 'ratio',
    definition:
      'Released cases in the period divided by released cases in the previous period of the same other keys, minus 1; null when either period is suppressed or the previous one has none. Needs a time group.',
    bases: ['cases'],
    analysis: 'periodOverPeriod',
    compute: () => null,
  },
  {
    code: 'growthPValue',
    series: 'cases',
    titleZh: '增长显著性p值',
    titleEn: 'Growth p-value',
    unit: 'probability',
    definition: `One-sided conditional binomial test that the cell grew faster than the rest of the result between the previous period and this one (p-value, an upper bound when the previous period is suppressed). Cells significant under Benjamini-Hochberg at a false discovery rate of ${EMERGING_FDR} and growing at least ${EMERGING_MIN_RELATIVE_GROWTH}x the rest are flagged emerging. Needs a time group.`,
    bases: ['cases'],
    analysis: 'periodOverPeriod',
    compute: () => null,
  },
  {
    code: 'persistentMonths',
    series: 'cases',
    titleZh: '持续高发月数',
    titleEn: 'Persistent months',
    unit: 'months',
    definition: `Longest run of consecutive months in the time filter in which the row's cases were in the top quarter of that month's rows and its repeat rate at or above that month's overall repeat rate (released values only); ${PERSISTENT_MIN_MONTHS} or more is flagged persistent. Do not group by time.`,
    bases: ['cases', 'repeats'],
    analysis: 'persistence',
    compute: () => null,
  },
  {
    code: 'templateReplyShare',
    series: 'cases',
    titleZh: '模板化答复占比',
    titleEn: 'Share of template replies',
    unit: 'ratio',
    definition:
      'Cases answered with a template reply (a reply text that, after removing digits, punctuation, spacing and scrubbed personal data, was given to at least 20 unrelated cases) divided by cases with a reply.',
    bases: ['template_replies', 'replied'],
    orderSql: ratioSql('template_replies', 'replied'),
    compute: (s) => ratio(s.template_replies, s.replied),
  },
  {
    code: 'callsOffered',
    series: 'traffic',
    titleZh: '呼入量',
    titleEn: 'Calls offered',
    unit: 'count',
    definition: 'Calls that reached the hotline.',
    bases: ['calls_offered'],
    orderSql: sumSql('calls_offered'),
    compute: (s) => s.calls_offered,
  },
  {
    code: 'callsAnswered',
    series: 'traffic',
    titleZh: '接通量',
    titleEn: 'Calls answered',
    unit: 'count',
    definition: 'Calls answered by an agent.',
    bases: ['calls_answered'],
    orderSql: sumSql('calls_answered'),
    compute: (s) => s.calls_answered,
  },
  {
    code: 'callsAbandoned',
    series: 'traffic',
    titleZh: '放弃量',
    titleEn: 'Calls abandoned',
    unit: 'count',
    definition: 'Calls the caller gave up before an answer.',
    bases: ['calls_abandoned'],
    orderSql: sumSql('calls_abandoned'),
    compute: (s) => s.calls_abandoned,
  },
  {
    code: 'answerRate',
    series: 'traffic',
    titleZh: '接通率',
    titleEn: 'Answer rate',
    unit: 'ratio',
    definition: 'Calls answered divided by calls offered.',
    bases: ['calls_answered', 'calls_offered'],
    orderSql: ratioSql('calls_answered', 'calls_offered'),
    compute: (s) => ratio(s.calls_answered, s.calls_offered),
  },
  {
    code: 'baselineCallsOffered',
    series: 'traffic',
    titleZh: '基线呼入量',
    titleEn: 'Baseline calls offered',
    unit: 'count',
    definition:
      'Calls offered in the same hour of the week over the previous four weeks, averaged per hour (over the weeks with data), summed over the hours of the cell.',
    bases: ['calls_baseline'],
    orderSql: sumSql('calls_baseline'),
    compute: (s) => s.calls_baseline,
  },
  {
    code: 'surgeRatio',
    series: 'traffic',
    titleZh: '话务激增倍数',
    titleEn: 'Surge ratio',
    unit: 'ratio',
    definition: `Calls offered divided by baselineCallsOffered, over hours that have a baseline; ${SURGE_RATIO} or more is flagged surge.`,
    bases: ['calls_offered_baselined', 'calls_baseline'],
    orderSql: ratioSql('calls_offered_baselined', 'calls_baseline'),
    compute: (s) => ratio(s.calls_offered_baselined, s.calls_baseline),
    flags: (v) => (v >= SURGE_RATIO ? ['surge'] : []),
  },
];

export function measureSpec(series: Series, code: string): MeasureSpec | undefined {
  return MEASURES.find((m) => m.series === series && m.code === code);
}

/** The base every series counts records by (for disclosure control) and its record-key sum, if any. */
export const SERIES_COUNT_BASE: Record<Series, { count: string; keySum?: string }> = {
  cases: { count: 'cases', keySum: 'record_key_sum' },
  traffic: { count: 'calls_offered' },
};

export const HIST_SQL = `ARRAY[${Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => `sum(hist[${i + 1}])`).join(', ')}]::bigint[]`;

export function levelIndex(dimension: DimensionSpec, level: string): number {
  return dimension.levels.findIndex((l) => l.code === level);
}

export function isTimeLevel(level: string): level is TimeLevel {
  return ['year', 'quarter', 'month', 'week', 'day', 'hour'].includes(level);
}
