import { percentileFromHistogram } from './histogram.js';
import { Series } from './dimensions.js';

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
