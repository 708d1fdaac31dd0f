import { categoryLeaves } from '../reference/categories.js';
import { CALIBRATION } from './calibration.js';

/**
 * Signals the generator plants on purpose, with their ground truth, so tests can measure how well
 * the analyses (docs/analytics.md) find them: repeat chains (reported per case through
 * `GenerateOptions.truth`), template replies (TEMPLATE_DEPARTMENTS in case-generator.ts),
 * emerging issues (below) and the Suzhou surge of March 2022 (calibration.ts, traffic-generator.ts).
 */

/** An issue that appears in one city and grows month by month: its share of the city's new cases. */
export interface PlantedEmergingIssue {
  cityCode: string;
  categoryL3: string;
  /** Month (YYYY-MM) -> share of the city's new (non-repeat) cases moved to this category. */
  monthlyShare: Record<string, number>;
}

/**
 * Three months of growth (10%, 25%, 50% of the city's new cases), then a plateau at 40%. The first
 * step is large enough that its exact binomial p-value clears Benjamini-Hochberg at 1% among about
 * 9,000 cells in every run (at 5% it sat near the line, and cell-key noise decided).
 */
function ramp(months: string[], hold: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  months.forEach((m, i) => (out[m] = [0.1, 0.25, 0.5][i]));
  for (const m of hold) out[m] = 0.4;
  return out;
}

export const PLANTED_EMERGING: PlantedEmergingIssue[] = [
  {
    cityCode: '320300',
    categoryL3: 'ENV.AIR.DUST',
    monthlyShare: ramp(
      ['2021-03', '2021-04', '2021-05'],
      ['2021-06', '2021-07', '2021-08', '2021-09', '2021-10', '2021-11', '2021-12'],
    ),
  },
  {
    cityCode: '320100',
    categoryL3: 'PROP.SERVICE.ELEVATOR',
    monthlyShare: ramp(['2021-06', '2021-07', '2021-08'], ['2021-09', '2021-10', '2021-11', '2021-12']),
  },
  {
    cityCode: '320500',
    categoryL3: 'URBAN.WASTE.SORTING',
    monthlyShare: ramp(['2021-09', '2021-10', '2021-11'], ['2021-12']),
  },
];

/** The planted issue of a city on a day (YYYY-MM-DD), if any, with its share. */
export function plantedEmergingOn(cityCode: string, day: string): { categoryL3: string; share: number } | undefined {
  for (const p of PLANTED_EMERGING) {
    const share = p.cityCode === cityCode ? p.monthlyShare[day.slice(0, 7)] : undefined;
    if (share !== undefined) return { categoryL3: p.categoryL3, share };
  }
  return undefined;
}

/**
 * Ground truth for emerging issues at (city, category l3, month): the months in which a planted
 * issue's share at least doubled from the month before.
 */
export function plantedEmergingCells(): { cityCode: string; categoryL3: string; month: string }[] {
  return PLANTED_EMERGING.flatMap((p) => {
    const months = Object.keys(p.monthlyShare).sort();
    return months
      .filter((m, i) => i === 0 || p.monthlyShare[m] >= 2 * p.monthlyShare[months[i - 1]])
      .map((month) => ({ cityCode: p.cityCode, categoryL3: p.categoryL3, month }));
  });
}

/** What `generateCases` reports about the signals it planted, when given one of these. */
export interface PlantedTruth {
  /** Case number -> the case number it repeats (the same caller on the same issue). */
  repeats: Map<string, string>;
  /** Case numbers answered with the planted template reply. */
  templateReplyCases: Set<string>;
  /** Cases per planted hot topic and month, keyed `${month} ${keyword}` (e.g. `2021-07 共享单车`). */
  hotTopicCases: Map<string, number>;
}

export function emptyTruth(): PlantedTruth {
  return { repeats: new Map(), templateReplyCases: new Set(), hotTopicCases: new Map() };
}

const LEAVES = categoryLeaves();

/**
 * Hot topics planted in the request text: each is mentioned by a few cases every month
 * (`baseShare`) and surges in one month (`surgeShare` of all cases). Drawn from their own PRNG
 * stream, so the rest of the data is the same as without them.
 */
export const PLANTED_HOT_TOPICS = [
  { keyword: '共享单车', month: '2021-07' },
  { keyword: '充电桩', month: '2021-11' },
  { keyword: '高空抛物', month: '2022-05' },
  { keyword: '群租房', month: '2022-09' },
].map((t) => ({ ...t, sentence: `另外还有${t.keyword}问题。`, baseShare: 0.003, surgeShare: 0.04 }));

/**
 * Every planted hot topic as (month, keyword): the ones above, and the epidemic-control issues
 * (category HEALTH.EPIDEMIC, whose level-3 names appear in the request text) of the Suzhou
 * surge month, March 2022.
 */
export function plantedHotTopics(): { month: string; keyword: string; categoryL3?: string }[] {
  const surgeMonth = CALIBRATION.surge.from.slice(0, 7);
  const epidemic = LEAVES.filter((l) => l.l2.code === 'HEALTH.EPIDEMIC');
  return [
    ...PLANTED_HOT_TOPICS.map((t) => ({ month: t.month, keyword: t.keyword })),
    ...epidemic.map((l) => ({ month: surgeMonth, keyword: l.l3.nameZh, categoryL3: l.l3.code })),
  ];
}

/**
 * The planted emerging issues (above) as (month, keyword) pairs: their level-3
 * category names appear in the request text, so in the months they are planted they are also
 * real, planted topics. A hot-topic analysis that finds them has found a planted signal.
 */
export function plantedEmergingTopics(): { month: string; keyword: string; categoryL3: string }[] {
  return PLANTED_EMERGING.flatMap((p) =>
    Object.keys(p.monthlyShare).map((month) => ({
      month,
      keyword: LEAVES.find((l) => l.l3.code === p.categoryL3)!.l3.nameZh,
      categoryL3: p.categoryL3,
    })),
  );
}
