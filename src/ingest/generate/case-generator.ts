import {
  CHANNELS,
  KINDS,
  type Channel,
  type Kind,
  type Outcome,
  type Satisfaction,
} from '../../records/records.constants.js';
import { categoryLeaves, type CategoryLeaf } from '../reference/categories.js';
import { departmentCode } from '../reference/departments.js';
import { JIANGSU_CITIES, streetsOf, type CityRef, type DistrictRef } from '../reference/jiangsu-areas.js';
import {
  CALIBRATION,
  HOUR_WEIGHT,
  MONTH_FACTOR,
  WEEKDAY_FACTOR,
  surgeDayFactor,
  yearlyMillions,
} from './calibration.js';
import { fakeEmail, fakeIdNumber, fakeName, fakePhone } from './fake-people.js';
import { REQUEST_PHRASES } from './request-phrases.js';
import { PLANTED_HOT_TOPICS, plantedEmergingOn, type PlantedTruth } from './planted-signals.js';

export { emptyTruth, type PlantedTruth } from './planted-signals.js';
import { Prng, WeightedPicker } from './prng.js';

/** One synthetic case in the normalized (jsonl) shape, with the caller's personal data still in it. */
export interface GeneratedCase {
  caseNumber: string;
  receivedAt: string;
  dispatchedAt: string | null;
  closedAt: string | null;
  channel: Channel;
  kind: Kind;
  categoryL1: string;
  categoryL2: string;
  categoryL3: string;
  cityCode: string;
  districtCode: string;
  streetCode: string;
  departmentCode: string;
  outcome: Outcome;
  satisfaction: Satisfaction;
  dissatisfactionReason: string | null;
  requestText: string;
  address: string;
  replyText: string;
  callerNumber: string;
  callerName: string;
}

export interface GenerateOptions {
  cases: number;
  /** Inclusive dates, YYYY-MM-DD (Asia/Shanghai). */
  from: string;
  to: string;
  seed: string;
  /** Filled with the ground truth of the planted signals (planted-signals.ts), for tests. */
  truth?: PlantedTruth;
}

export const DEFAULT_PERIOD = { from: '2021-01-01', to: '2022-12-31' };

interface Issue {
  city: CityRef;
  district: DistrictRef;
  street: DistrictRef;
  leaf: CategoryLeaf;
  callerNumber: string;
  callerName: string;
  round: number;
  /** The case number of the previous contact on this issue (repeats only). */
  previousCase?: string;
}

const DAY_MS = 86_400_000;
const CN_OFFSET_MS = 8 * 3600_000;
const LEAVES = categoryLeaves();
const STREETS = new Map<string, DistrictRef[]>();
for (const city of JIANGSU_CITIES) for (const d of city.districts) STREETS.set(d.code, streetsOf(d));
const LEAVES_BY_L1 = new Map<string, CategoryLeaf[]>();
for (const leaf of LEAVES) LEAVES_BY_L1.set(leaf.l1.code, [...(LEAVES_BY_L1.get(leaf.l1.code) ?? []), leaf]);
const LEAF_BY_L3 = new Map(LEAVES.map((leaf) => [leaf.l3.code, leaf]));

const CONSULTATION_L1: Record<string, number> = {
  LAB: 20,
  HOUSE: 15,
  EDU: 12,
  HEALTH: 12,
  UTIL: 10,
  TRAF: 10,
  MKT: 6,
  PROP: 6,
  SEC: 4,
  URBAN: 3,
  ENV: 2,
};
const OTHER_L1: Record<string, number> = {
  ENV: 18,
  PROP: 17,
  TRAF: 15,
  URBAN: 10,
  MKT: 9,
  LAB: 8,
  HOUSE: 7,
  UTIL: 6,
  SEC: 5,
  HEALTH: 3,
  EDU: 2,
};

/** Departments that answer most cases with one template reply (template-reply detection has something to find). */
export const TEMPLATE_DEPARTMENTS = ['320300-urban', '320800-housing', '321300-environment', '320700-police'];
const TEMPLATE_REPLY = '您反映的问题已收悉，我单位高度重视，已安排相关人员处理，感谢您对我们工作的理解和支持。';

const ACTIONS = [
  '已责令相关单位限期整改',
  '已现场核查并处理完毕',
  '已约谈责任方并督促落实',
  '已纳入专项整治计划',
  '已协调相关部门联合处置',
  '经调查情况属实，已依法处理',
  '已向来电人解释相关政策',
];
const FOLLOWUPS = ['后续将加强巡查。', '如仍有问题可再次来电。', '将持续跟踪整改情况。', '已告知办理流程和所需材料。'];
const REASONS = ['问题未解决', '答复敷衍', '处理时间过长', '工作人员态度差'];

/**
 * Generates synthetic 12345 cases, day by day in time order, deterministically from the seed:
 * cities by population (Suzhou ×3–8 in the March 2022 surge), the 2021 channel split, 49%
 * consultations (1.4 days on average) and 51% other requests (4.3 days), 97% satisfied among
 * those who rate, daily/weekly/yearly rhythm, repeat chains (the same caller on the same issue
 * within 90 days, mostly environment, property management and traffic) and template replies
 * from a few departments. Memory: one day of cases plus the pending repeats.
 */
export function* generateCases(options: GenerateOptions): Generator<GeneratedCase> {
  const rng = new Prng(`cases:${options.seed}`);
  const topicRng = new Prng(`topics:${options.seed}`);
  const seedTag = `G${(new Prng(`tag:${options.seed}`).int(0x10000) + 0x10000).toString(16).slice(1).toUpperCase()}`;
  const days = dayList(options.from, options.to);
  const weights = days.map((d) => dayWeight(d));
  const total = weights.reduce((a, b) => a + b, 0);
  const channel = new WeightedPicker(
    CHANNELS,
    CHANNELS.map((c) => CALIBRATION.channels[c]),
  );
  const kind = new WeightedPicker(
    KINDS,
    KINDS.map((k) => CALIBRATION.kinds[k]),
  );
  const consultL1 = new WeightedPicker(Object.keys(CONSULTATION_L1), Object.values(CONSULTATION_L1));
  const otherL1 = new WeightedPicker(Object.keys(OTHER_L1), Object.values(OTHER_L1));
  const hour = new WeightedPicker(
    HOUR_WEIGHT.map((_, h) => h),
    HOUR_WEIGHT,
  );
  const pending = new Map<number, Issue[]>();
  let cumulative = 0;
  let emitted = 0;
  for (let di = 0; di < days.length; di++) {
    const day = days[di];
    cumulative += weights[di];
    const target = Math.round((options.cases * cumulative) / total);
    const n = target - emitted;
    emitted = target;
    const cities = new WeightedPicker(
      JIANGSU_CITIES,
      JIANGSU_CITIES.map((c) => c.population * surgeDayFactor(c.code, day)),
    );
    const repeats = pending.get(di) ?? [];
    pending.delete(di);
    const dayStart = Date.parse(`${day}T00:00:00Z`) - CN_OFFSET_MS;
    const today: { at: number; issue: Issue; kind: Kind }[] = [];
    let nextRepeat = 0;
    for (let i = 0; i < n; i++) {
      const at = dayStart + hour.pick(rng) * 3600_000 + rng.int(3600_000);
      const k = kind.pick(rng);
      // Repeat calls take the place of other (non-consultation) requests, keeping the 49/51 split.
      if (k !== 'consultation' && nextRepeat < repeats.length) {
        today.push({ at, issue: repeats[nextRepeat++], kind: 'complaint' });
        continue;
      }
      const city = cities.pick(rng);
      const district = rng.pick(city.districts);
      const inSurge = surgeDayFactor(city.code, day) > 1;
      const l1 = inSurge && rng.chance(0.6) ? 'HEALTH' : (k === 'consultation' ? consultL1 : otherL1).pick(rng);
      let leaves = LEAVES_BY_L1.get(l1) as CategoryLeaf[];
      if (inSurge && l1 === 'HEALTH') leaves = leaves.filter((l) => l.l2.code === 'HEALTH.EPIDEMIC');
      // A planted emerging issue takes its share of the city's new cases (planted-signals.ts).
      const planted = plantedEmergingOn(city.code, day);
      const number = fakePhone(rng, city.code);
      today.push({
        at,
        kind: k,
        issue: {
          city,
          district,
          street: rng.pick(STREETS.get(district.code) as DistrictRef[]),
          leaf:
            planted && rng.chance(planted.share)
              ? (LEAF_BY_L3.get(planted.categoryL3) as CategoryLeaf)
              : rng.pick(leaves),
          callerNumber: number,
          callerName: fakeName(rng),
          round: 0,
        },
      });
    }
    today.sort((a, b) => a.at - b.at);
    let seq = 0;
    for (const { at, issue, kind: k } of today) {
      seq++;
      const c = buildCase(
        rng,
        issue,
        k,
        at,
        `${seedTag}${day.replaceAll('-', '')}${String(seq).padStart(7, '0')}`,
        channel,
        options.truth,
      );
      plantHotTopics(topicRng, c, day.slice(0, 7), options.truth);
      scheduleRepeat(rng, issue, c, di, days.length, pending);
      if (issue.previousCase !== undefined) options.truth?.repeats.set(c.caseNumber, issue.previousCase);
      yield c;
    }
  }
}

function buildCase(
  rng: Prng,
  issue: Issue,
  kind: Kind,
  at: number,
  caseNumber: string,
  channel: WeightedPicker<Channel>,
  truth?: PlantedTruth,
): GeneratedCase {
  const consultation = kind === 'consultation';
  const durationMs =
    rng.exponential(consultation ? CALIBRATION.handlingDays.consultation : CALIBRATION.handlingDays.other) * DAY_MS;
  const closedAt = at + Math.max(60_000, Math.round(durationMs));
  let dispatchedAt: number | null = null;
  if (!consultation || rng.chance(0.3)) {
    dispatchedAt = Math.min(at + Math.round(rng.exponential(2 * 3600_000)), at + Math.round((closedAt - at) / 2));
  }
  const outcome: Outcome = pickOutcome(rng, consultation);
  const rated = rng.chance(CALIBRATION.ratedShare);
  const pDissatisfied =
    { solved: 0.01, partly: 0.08, unsolved: 0.25, returned: 0.1 }[outcome] * (1 + issue.round * 0.5);
  const satisfaction: Satisfaction = !rated
    ? 'unrated'
    : rng.chance(Math.min(0.9, pDissatisfied * 1.02))
      ? 'dissatisfied'
      : rng.chance(0.82)
        ? 'satisfied'
        : 'basically';
  const department = departmentCode(issue.city.code, issue.leaf.department);
  // Drawn in the same order as before the ground truth was recorded, so a seed gives the same data.
  const pickedChannel = channel.pick(rng);
  const dissatisfactionReason = satisfaction === 'dissatisfied' ? rng.pick(REASONS) : null;
  const request = requestText(rng, issue, kind);
  const address = `${issue.city.zh}${issue.district.zh}${issue.street.zh}${rng.pick(['人民路', '解放路', '建设路', '中山路', '新华路'])}${1 + rng.int(300)}号`;
  const reply = replyText(rng, issue, department, at);
  if (reply.template) truth?.templateReplyCases.add(caseNumber);
  return {
    caseNumber,
    receivedAt: iso(at),
    dispatchedAt: dispatchedAt === null ? null : iso(dispatchedAt),
    closedAt: iso(closedAt),
    channel: pickedChannel,
    kind,
    categoryL1: issue.leaf.l1.code,
    categoryL2: issue.leaf.l2.code,
    categoryL3: issue.leaf.l3.code,
    cityCode: issue.city.code,
    districtCode: issue.district.code,
    streetCode: issue.street.code,
    departmentCode: department,
    outcome,
    satisfaction,
    dissatisfactionReason,
    requestText: request,
    address,
    replyText: reply.text,
    callerNumber: issue.callerNumber,
    callerName: issue.callerName,
  };
}

function pickOutcome(rng: Prng, consultation: boolean): Outcome {
  const x = rng.next();
  if (consultation) return x < 0.95 ? 'solved' : x < 0.98 ? 'partly' : 'unsolved';
  return x < 0.8 ? 'solved' : x < 0.9 ? 'partly' : x < 0.97 ? 'unsolved' : 'returned';
}

function requestText(rng: Prng, issue: Issue, kind: Kind): string {
  const where = `${issue.district.zh}${issue.street.zh}`;
  const topic = issue.leaf.l3.nameZh;
  // What the resident says the problem is, in their words (one draw, as the place noun it replaces).
  const said = rng.pick(REQUEST_PHRASES[issue.leaf.l3.code] ?? [`${topic}问题比较突出`]);
  let text =
    kind === 'consultation'
      ? `来电咨询${topic}：${said}，想了解该怎么办、找哪个部门。`
      : kind === 'praise'
        ? `之前反映${where}${said}，相关部门很快处理好了，特此表扬。`
        : kind === 'suggestion'
          ? `${where}${said}，建议相关部门加强${topic}方面的管理。`
          : issue.round > 0
            ? `此前已反映过${where}${said}，至今未解决，再次反映，希望相关部门切实处理。`
            : `反映${where}${said}，已持续一段时间，希望相关部门尽快处理。`;
  // Personal data inside the free text, as real requests have it: import must remove it.
  const x = rng.next();
  if (x < 0.12) text = `我叫${issue.callerName}，${text}联系电话${issue.callerNumber}。`;
  else if (x < 0.17) text = `${issue.callerName}来电，${text}`;
  else if (x < 0.21) text += `本人身份证号${fakeIdNumber(rng, issue.district.code)}。`;
  else if (x < 0.23) text += `可发邮件至${fakeEmail(rng)}回复。`;
  return text;
}

function replyText(rng: Prng, issue: Issue, department: string, at: number): { text: string; template: boolean } {
  if (TEMPLATE_DEPARTMENTS.includes(department) && rng.chance(0.8)) {
    // Identical, or near-identical (a date added): one form once digits and punctuation are removed.
    return { text: rng.chance(0.5) ? TEMPLATE_REPLY : `${iso(at).slice(0, 10)}：${TEMPLATE_REPLY}`, template: true };
  }
  return {
    text: `经核实，${issue.district.zh}${issue.street.zh}${issue.leaf.l3.nameZh}问题${rng.pick(ACTIONS)}，${rng.pick(FOLLOWUPS)}`,
    template: false,
  };
}

function plantHotTopics(rng: Prng, c: GeneratedCase, month: string, truth?: PlantedTruth): void {
  for (const t of PLANTED_HOT_TOPICS) {
    if (!rng.chance(t.month === month ? t.surgeShare : t.baseShare)) continue;
    c.requestText += t.sentence;
    const key = `${month} ${t.keyword}`;
    truth?.hotTopicCases.set(key, (truth.hotTopicCases.get(key) ?? 0) + 1);
  }
}

/** The same caller comes back on the same issue within 90 days, mostly on ENV, PROP and TRAF. */
function scheduleRepeat(
  rng: Prng,
  issue: Issue,
  c: GeneratedCase,
  di: number,
  days: number,
  pending: Map<number, Issue[]>,
) {
  if (c.kind === 'consultation' || c.kind === 'praise' || c.kind === 'suggestion') return;
  const prone = CALIBRATION.repeatProne.includes(issue.leaf.l1.code);
  const unsolved = c.outcome !== 'solved' || c.satisfaction === 'dissatisfied';
  const p = (prone ? 0.2 : 0.04) * (unsolved ? 2 : 1) * (issue.round < 3 ? 1 : 0.3);
  if (!rng.chance(p)) return;
  const later = di + 1 + Math.min(CALIBRATION.repeatWithinDays - 2, Math.floor(rng.exponential(20)));
  if (later >= days) return;
  const list = pending.get(later) ?? [];
  list.push({ ...issue, round: issue.round + 1, previousCase: c.caseNumber });
  pending.set(later, list);
}

function dayWeight(day: string): number {
  const date = new Date(`${day}T00:00:00Z`);
  const year = date.getUTCFullYear();
  const daysInYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 366 : 365;
  const base =
    (yearlyMillions(year) / daysInYear) * MONTH_FACTOR[date.getUTCMonth()] * WEEKDAY_FACTOR[(date.getUTCDay() + 6) % 7];
  const pop = JIANGSU_CITIES.reduce((s, c) => s + c.population, 0);
  const surge = JIANGSU_CITIES.reduce((s, c) => s + c.population * surgeDayFactor(c.code, day), 0) / pop;
  return base * surge;
}

export function dayList(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** ISO 8601 with the +08:00 offset, as a 12345 export would show local time. */
function iso(ms: number): string {
  return new Date(ms + CN_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}
