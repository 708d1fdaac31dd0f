import type { CountBase, MeasureShape, ReleasableMeasure } from '../disclosure/measure-release.js';
import { countBasesOf, HANDLING_DAYS_BOUND } from './base-columns.js';
import { perSeries, Series, SERIES } from './series.js';
import { STATUTORY_LIMIT_DAYS } from './statutory-limits.js';

export type { Sums } from '../disclosure/measure-release.js';

export interface MeasureSpec extends ReleasableMeasure {
  code: string;
  series: Series;
  titleZh: string;
  titleEn: string;
  unit: string;
  definition: string;
  /**
   * What the measure is computed from, and so how it is released (src/disclosure/measure-release.ts):
   * every released number derives only from released components.
   */
  shape: MeasureShape;
  /**
   * Measures computed across the rows of a result after disclosure control, from released values
   * only (src/aggregate/analytics/): `periodOverPeriod` compares each row with the previous
   * period of the same other keys and needs a time group; `persistence` reads the months behind
   * each row and must not be grouped by time.
   */
  analysis?: 'periodOverPeriod' | 'persistence';
  /**
   * A level the measure reads by itself, whatever the query groups by (licence scope checks it
   * like a grouping): `persistentMonths` reads the months behind each row.
   */
  reads?: { dimension: string; level: string };
}

/** A surge: offered calls at least this many times the same-hour-of-week baseline. */
export const SURGE_RATIO = 2.5;
/** Emerging issues: Benjamini-Hochberg false discovery rate and the least growth relative to the rest. */
export const EMERGING_FDR = 0.01;
export const EMERGING_MIN_RELATIVE_GROWTH = 1.5;
/** Persistent issues: the fewest consecutive high months that earn the `persistent` flag. */
export const PERSISTENT_MIN_MONTHS = 3;

const proportion = (numerator: string, denominator: string): MeasureShape => ({
  kind: 'ratio',
  numerator,
  denominator,
  proportion: true,
});

/**
 * Chains are not top-coded: a chain's length is bounded by the cases it links, which are counted
 * themselves; this bound only sizes differentially private noise.
 */
export const CHAIN_CONTACTS_BOUND = 50;

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
    shape: { kind: 'count', count: 'cases' },
  },
  {
    code: 'consultationShare',
    series: 'cases',
    titleZh: '咨询占比',
    titleEn: 'Share of consultations',
    unit: 'ratio',
    definition: 'Cases of kind consultation divided by all cases.',
    shape: proportion('consultations', 'cases'),
  },
  {
    code: 'avgHandlingDays',
    series: 'cases',
    titleZh: '平均办理天数',
    titleEn: 'Average handling days',
    unit: 'days',
    definition: 'Mean of (closed at - received at) in days over closed cases; open cases are left out.',
    shape: {
      kind: 'mean',
      sum: 'handling_days_sum',
      boundedSum: 'handling_days_bounded',
      bound: HANDLING_DAYS_BOUND,
      over: 'closed',
    },
  },
  {
    code: 'medianHandlingDays',
    series: 'cases',
    titleZh: '办理天数中位数',
    titleEn: 'Median handling days',
    unit: 'days',
    definition:
      'Median handling time of closed cases, read from a histogram with log-scale buckets (exact to within the bucket holding the true median).',
    shape: { kind: 'percentile', p: 0.5, over: 'closed' },
  },
  {
    code: 'p90HandlingDays',
    series: 'cases',
    titleZh: '办理天数90分位',
    titleEn: '90th percentile handling days',
    unit: 'days',
    definition:
      '90th percentile (nearest rank) of the handling time of closed cases, read from the same histogram (exact to within its bucket).',
    shape: { kind: 'percentile', p: 0.9, over: 'closed' },
  },
  {
    code: 'onTimeRate',
    series: 'cases',
    titleZh: '按时办结率',
    titleEn: 'On-time rate',
    unit: 'ratio',
    definition: `Closed cases closed within the statutory limit for their kind (${limitsText}; calendar days) divided by closed cases.`,
    shape: proportion('on_time', 'closed'),
  },
  {
    code: 'solvedRate',
    series: 'cases',
    titleZh: '解决率',
    titleEn: 'Solved rate',
    unit: 'ratio',
    definition: 'Cases with outcome solved divided by cases with any outcome (solved, partly, unsolved, returned).',
    shape: proportion('solved', 'with_outcome'),
  },
  {
    code: 'satisfactionRate',
    series: 'cases',
    titleZh: '满意率',
    titleEn: 'Satisfaction rate',
    unit: 'ratio',
    definition: 'Cases rated satisfied or basically satisfied divided by cases that were rated.',
    shape: proportion('satisfied', 'rated'),
  },
  {
    code: 'repeatRate',
    series: 'cases',
    titleZh: '重复诉求率',
    titleEn: 'Repeat rate',
    unit: 'ratio',
    definition: 'Cases that repeat an earlier case of the same caller on the same issue, divided by all cases.',
    shape: proportion('repeats', 'cases'),
  },
  {
    code: 'dissatisfactionRate',
    series: 'cases',
    titleZh: '不满意率',
    titleEn: 'Dissatisfaction rate',
    unit: 'ratio',
    definition: 'Cases rated dissatisfied divided by cases that were rated.',
    shape: { kind: 'complement', numerator: 'satisfied', denominator: 'rated' },
  },
  {
    code: 'avgChainLength',
    series: 'cases',
    titleZh: '重复诉求链平均长度',
    titleEn: 'Average repeat-chain length',
    unit: 'contacts',
    definition:
      'Mean number of contacts in the repeat chains (two or more cases of the same caller on the same issue, each within 90 days of the one before) that start in the cell; a chain counts where and when it started.',
    shape: {
      kind: 'mean',
      sum: 'chain_contacts',
      boundedSum: 'chain_contacts',
      bound: CHAIN_CONTACTS_BOUND,
      over: 'chains',
    },
  },
  {
    code: 'unsolvedAfterThreeShare',
    series: 'cases',
    titleZh: '三次以上反映仍未解决占比',
    titleEn: 'Share unsolved after three or more contacts',
    unit: 'ratio',
    definition:
      'Issues first raised in the cell whose repeat chain reached three or more contacts and whose latest contact is still not solved, divided by all issues first raised in the cell (cases that repeat no earlier case).',
    shape: proportion('unsolved_after_three', 'first_contacts'),
  },
  {
    code: 'casesGrowth',
    series: 'cases',
    titleZh: '环比增长',
    titleEn: 'Period-over-period growth',
    unit: 'ratio',
    definition:
      'Released cases in the period divided by released cases in the previous period of the same other keys, minus 1; null when either period is suppressed or the previous one has none. Needs a time group.',
    analysis: 'periodOverPeriod',
    shape: { kind: 'analysis' },
  },
  {
    code: 'growthPValue',
    series: 'cases',
    titleZh: '增长显著性p值',
    titleEn: 'Growth p-value',
    unit: 'probability',
    definition: `One-sided conditional binomial test that the cell grew faster than the rest of the result between the previous period and this one (p-value, an upper bound when the previous period is suppressed). Cells significant under Benjamini-Hochberg at a false discovery rate of ${EMERGING_FDR} and growing at least ${EMERGING_MIN_RELATIVE_GROWTH}x the rest are flagged emerging. Needs a time group.`,
    analysis: 'periodOverPeriod',
    shape: { kind: 'analysis' },
  },
  {
    code: 'persistentMonths',
    series: 'cases',
    titleZh: '持续高发月数',
    titleEn: 'Persistent months',
    unit: 'months',
    definition: `Longest run of consecutive months in the time filter in which the row's cases were in the top quarter of that month's rows and its repeat rate at or above that month's overall repeat rate (released values only); ${PERSISTENT_MIN_MONTHS} or more is flagged persistent. Do not group by time.`,
    analysis: 'persistence',
    reads: { dimension: 'time', level: 'month' },
    shape: { kind: 'analysis' },
  },
  {
    code: 'templateReplyShare',
    series: 'cases',
    titleZh: '模板化答复占比',
    titleEn: 'Share of template replies',
    unit: 'ratio',
    definition:
      'Cases answered with a template reply (a reply text that, after removing digits, punctuation, spacing and scrubbed personal data, was given to at least 20 unrelated cases) divided by cases with a reply.',
    shape: proportion('template_replies', 'replied'),
  },
  {
    code: 'callsOffered',
    series: 'traffic',
    titleZh: '呼入量',
    titleEn: 'Calls offered',
    unit: 'count',
    definition: 'Calls that reached the hotline.',
    shape: { kind: 'count', count: 'calls_offered' },
  },
  {
    code: 'callsAnswered',
    series: 'traffic',
    titleZh: '接通量',
    titleEn: 'Calls answered',
    unit: 'count',
    definition: 'Calls answered by an agent.',
    shape: { kind: 'count', count: 'calls_answered' },
  },
  {
    code: 'callsAbandoned',
    series: 'traffic',
    titleZh: '放弃量',
    titleEn: 'Calls abandoned',
    unit: 'count',
    definition: 'Calls the caller gave up before an answer.',
    shape: { kind: 'count', count: 'calls_abandoned' },
  },
  {
    code: 'answerRate',
    series: 'traffic',
    titleZh: '接通率',
    titleEn: 'Answer rate',
    unit: 'ratio',
    definition: 'Calls answered divided by calls offered.',
    shape: proportion('calls_answered', 'calls_offered'),
  },
  {
    code: 'baselineCallsOffered',
    series: 'traffic',
    titleZh: '基线呼入量',
    titleEn: 'Baseline calls offered',
    unit: 'count',
    definition:
      'Calls offered in the same hour of the week over the previous four weeks, averaged per hour (over the weeks with data), summed over the hours of the cell.',
    shape: { kind: 'count', count: 'calls_baseline' },
  },
  {
    code: 'surgeRatio',
    series: 'traffic',
    titleZh: '话务激增倍数',
    titleEn: 'Surge ratio',
    unit: 'ratio',
    definition: `Calls offered divided by baselineCallsOffered, over hours that have a baseline; ${SURGE_RATIO} or more is flagged surge.`,
    shape: { kind: 'ratio', numerator: 'calls_offered_baselined', denominator: 'calls_baseline', proportion: false },
    flags: (v) => (v >= SURGE_RATIO ? ['surge'] : []),
  },
];

export function measureSpec(series: Series, code: string): MeasureSpec | undefined {
  return MEASURES.find((m) => m.series === series && m.code === code);
}

/** Counts composed of others, per series. */
const COMPOSITE_COUNTS: Partial<Record<Series, Record<string, CountBase>>> = {
  // Issues first raised in the cell: cases that repeat no earlier case.
  cases: { first_contacts: { count: 'cases', key: 'record_key_sum', minus: { count: 'repeats', key: 'repeats_key' } } },
};

/**
 * The counts measures are built from, per series (src/catalog/base-columns.ts), with the
 * record-key sums that give each its own cell key, and composite counts. Call traffic has no record
 * keys: it is not about people and is released as it is.
 */
export const COUNT_BASES: Record<Series, Readonly<Record<string, CountBase>>> = Object.fromEntries(
  SERIES.map((series) => [series, { ...countBasesOf(series), ...COMPOSITE_COUNTS[series] }]),
) as Record<Series, Readonly<Record<string, CountBase>>>;

/** The count that decides whether a row of a series is listed (disclosure control counts records by it). */
export const ROW_COUNT: Record<Series, string> = perSeries((s) => s.rowCount);

/**
 * The base columns a measure reads from a cube (its counts with their key sums, sums, histogram);
 * `bases` are the series' counts (a test passes counts built from another table of base columns).
 */
export function measureBases(
  m: MeasureSpec,
  bases: Readonly<Record<string, CountBase>> = COUNT_BASES[m.series],
): string[] {
  const count = (name: string) => {
    const b = bases[name];
    return [b.count, b.key, b.minus?.count, b.minus?.key].filter((c): c is string => c !== undefined);
  };
  const shape = m.shape;
  switch (shape.kind) {
    case 'count':
      return count(shape.count);
    case 'ratio':
    case 'complement':
      return [...count(shape.numerator), ...count(shape.denominator)];
    case 'mean':
      return [shape.sum, shape.boundedSum, ...count(shape.over)];
    case 'percentile':
      return ['hist', ...count(shape.over)];
    case 'analysis':
      return m.analysis === 'persistence' ? [...count('cases'), ...count('repeats')] : count('cases');
  }
}
