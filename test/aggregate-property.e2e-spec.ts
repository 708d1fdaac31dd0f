import { bucketBounds, bucketOf } from '../src/common/histogram.js';
import { STATUTORY_LIMIT_DAYS } from '../src/catalog/registry.js';
import {
  CATEGORIES,
  CHANNELS,
  CITIES,
  DISTRICTS,
  insertCases,
  insertReferenceData,
  KINDS,
  PROVINCE,
  STREETS,
} from './utils/case-fixtures.js';
import { rng } from './utils/seeded-random.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * Property: for hundreds of random queries, every measure read from the rollups equals the same
 * measure computed here straight from case_record. Counts, rates and averages match exactly (to
 * 1e-9); medians and p90 must fall inside the histogram bucket holding the true value (nearest
 * rank), which is the stated tolerance of percentiles from rollups.
 */
const QUERIES = 200;
const MEASURES = [
  'cases',
  'consultationShare',
  'avgHandlingDays',
  'medianHandlingDays',
  'p90HandlingDays',
  'onTimeRate',
  'solvedRate',
  'satisfactionRate',
  'repeatRate',
  'dissatisfactionRate',
  'avgChainLength',
  'unsolvedAfterThreeShare',
];
const LEVELS: Record<string, string[]> = {
  time: ['year', 'quarter', 'month', 'week', 'day', 'hour'],
  area: ['province', 'city', 'district', 'street'],
  category: ['l1', 'l2', 'l3'],
  channel: ['channel'],
  kind: ['kind'],
  department: ['department'],
  outcome: ['outcome'],
  satisfaction: ['satisfaction'],
};
const DEPARTMENTS = CITIES.flatMap(([c]) => ['env', 'housing', 'traffic'].map((s) => `${c}-${s}`));
const MEMBERS: Record<string, string[]> = {
  'area.province': [PROVINCE],
  'area.city': CITIES.map((c) => c[0]),
  'area.district': DISTRICTS.map((d) => d[0]),
  'area.street': STREETS,
  'category.l1': CATEGORIES.filter((c) => c[1] === 1).map((c) => c[0]),
  'category.l2': CATEGORIES.filter((c) => c[1] === 2).map((c) => c[0]),
  'category.l3': CATEGORIES.filter((c) => c[1] === 3).map((c) => c[0]),
  'channel.channel': CHANNELS,
  'kind.kind': KINDS,
  'department.department': DEPARTMENTS,
  'outcome.outcome': ['solved', 'partly', 'unsolved', 'returned'],
  'satisfaction.satisfaction': ['satisfied', 'basically', 'dissatisfied', 'unrated'],
};

interface Rec {
  local: Date;
  hd: number | null;
  kind: string;
  /** Every level's key, computed once. */
  keys?: Map<string, string | null>;
  /** For the first contact of a repeat chain: its contacts and the latest contact's outcome. */
  chain?: { contacts: number; lastOutcome: string };
  [column: string]: unknown;
}

const ALL_LEVELS = Object.entries({
  time: ['year', 'quarter', 'month', 'week', 'day', 'hour'],
  area: ['province', 'city', 'district', 'street'],
  category: ['l1', 'l2', 'l3'],
  channel: ['channel'],
  kind: ['kind'],
  department: ['department'],
  outcome: ['outcome'],
  satisfaction: ['satisfaction'],
}).flatMap(([d, levels]) => levels.map((l) => [d, l] as const));

const cachedKey = (r: Rec, dimension: string, level: string) => r.keys!.get(`${dimension}.${level}`) ?? null;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function isoWeek(d: Date): string {
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / (7 * 86_400_000));
  return `${thursday.getUTCFullYear()}-W${pad(week)}`;
}

function key(r: Rec, dimension: string, level: string): string | null {
  const t = r.local;
  const ymd = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  switch (`${dimension}.${level}`) {
    case 'time.year':
      return String(t.getUTCFullYear());
    case 'time.quarter':
      return `${t.getUTCFullYear()}-Q${Math.floor(t.getUTCMonth() / 3) + 1}`;
    case 'time.month':
      return ymd.slice(0, 7);
    case 'time.week':
      return isoWeek(t);
    case 'time.day':
      return ymd;
    case 'time.hour':
      return `${ymd}T${pad(t.getUTCHours())}`;
  }
  const column: Record<string, string> = {
    'area.province': 'province_code',
    'area.city': 'city_code',
    'area.district': 'district_code',
    'area.street': 'street_code',
    'category.l1': 'category_l1',
    'category.l2': 'category_l2',
    'category.l3': 'category_l3',
    'channel.channel': 'channel',
    'kind.kind': 'kind',
    'department.department': 'department_code',
    'outcome.outcome': 'outcome',
    'satisfaction.satisfaction': 'satisfaction',
  };
  return (r[column[`${dimension}.${level}`]] as string | null) ?? null;
}

function truthOf(records: Rec[], measure: string): number | null {
  const closed = records.filter((r) => r.hd !== null).map((r) => r.hd!);
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const nearestRank = (p: number) => {
    if (closed.length === 0) return null;
    const sorted = [...closed].sort((a, b) => a - b);
    return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
  };
  switch (measure) {
    case 'cases':
      return records.length;
    case 'consultationShare':
      return ratio(records.filter((r) => r.kind === 'consultation').length, records.length);
    case 'avgHandlingDays':
      return ratio(
        closed.reduce((a, b) => a + b, 0),
        closed.length,
      );
    case 'medianHandlingDays':
      return nearestRank(0.5);
    case 'p90HandlingDays':
      return nearestRank(0.9);
    case 'onTimeRate':
      return ratio(records.filter((r) => r.hd !== null && r.hd <= STATUTORY_LIMIT_DAYS[r.kind]).length, closed.length);
    case 'solvedRate':
      return ratio(records.filter((r) => r.outcome === 'solved').length, records.filter((r) => r.outcome).length);
    case 'satisfactionRate':
      return ratio(
        records.filter((r) => r.satisfaction === 'satisfied' || r.satisfaction === 'basically').length,
        records.filter((r) => r.satisfaction !== 'unrated').length,
      );
    case 'repeatRate':
      return ratio(records.filter((r) => r.repeat_of_id !== null).length, records.length);
    case 'dissatisfactionRate':
      return ratio(
        records.filter((r) => r.satisfaction === 'dissatisfied').length,
        records.filter((r) => r.satisfaction !== 'unrated').length,
      );
    case 'avgChainLength': {
      const roots = records.filter((r) => r.chain !== undefined);
      return ratio(
        roots.reduce((s, r) => s + r.chain!.contacts, 0),
        roots.length,
      );
    }
    case 'unsolvedAfterThreeShare':
      return ratio(
        records.filter((r) => r.chain !== undefined && r.chain.contacts >= 3 && r.chain.lastOutcome !== 'solved')
          .length,
        records.filter((r) => r.repeat_of_id === null).length,
      );
  }
  throw new Error(measure);
}

describe('aggregate from rollups equals aggregate from records (property)', () => {
  let t: TestApp;
  let records: Rec[];

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 3000, seed: 2024 });
    // Incremental refresh must give the same rollups as one build: add a second batch on top.
    await insertCases(t.dataSource, { count: 500, seed: 77, from: '2021-06-01', to: '2021-07-31', source: 'second' });
    const rows = await t.dataSource.query<Record<string, unknown>[]>(
      `SELECT id, received_at, closed_at, kind, channel, category_l1, category_l2, category_l3, province_code, city_code,
         district_code, street_code, department_code, outcome, satisfaction, repeat_of_id FROM case_record`,
    );
    records = rows.map((r) => {
      const received = (r.received_at as Date).getTime();
      const closedAt = r.closed_at as Date | null;
      return {
        ...r,
        kind: r.kind as string,
        local: new Date(received + 8 * 3_600_000),
        hd: closedAt ? Math.max(0, (closedAt.getTime() - received) / 86_400_000) : null,
      };
    });
    for (const rec of records) rec.keys = new Map(ALL_LEVELS.map(([d, l]) => [`${d}.${l}`, key(rec, d, l)]));
    // Repeat chains, walked forward from each first contact (a case repeating no earlier case).
    const children = new Map<string, Rec[]>();
    for (const rec of records) {
      if (rec.repeat_of_id === null) continue;
      const parent = rec.repeat_of_id as string;
      children.set(parent, [...(children.get(parent) ?? []), rec]);
    }
    for (const root of records.filter((r) => r.repeat_of_id === null && children.has(r.id as string))) {
      const members: Rec[] = [];
      const stack = [root];
      while (stack.length > 0) {
        const rec = stack.pop()!;
        members.push(rec);
        stack.push(...(children.get(rec.id as string) ?? []));
      }
      const last = members.reduce((a, b) =>
        a.local.getTime() !== b.local.getTime()
          ? a.local > b.local
            ? a
            : b
          : BigInt(a.id as string) > BigInt(b.id as string)
            ? a
            : b,
      );
      root.chain = { contacts: members.length, lastOutcome: (last.outcome as string | null) ?? 'open' };
    }
    // An exact copy of hotline-cases without disclosure control, so every cell can be compared.
    const res = await t
      .gql(
        `mutation P($input: PublishDatasetInput!) { publishDataset(input: $input) { slug } }`,
        {
          input: {
            slug: 'hotline-cases-exact',
            titleZh: '工单（测试）',
            titleEn: 'Cases (test, no disclosure control)',
            descriptionZh: '测试',
            descriptionEn: 'Test copy',
            publisher: 'test',
            versionDate: '2022-01-01',
            classification: 'confidential',
            termsOfUse: 'Tests only.',
            source: 'cases',
            dimensions: Object.entries(LEVELS).map(([dimension, levels]) => ({ dimension, levels })),
            measures: MEASURES,
            disclosureMethod: 'none',
            disclosureThreshold: 0,
          },
        },
        'test-steward',
      )
      .expect(200);
    expect(res.body.errors).toBeUndefined();
  });
  afterAll(async () => {
    await t.close();
  });

  it(`matches the records on ${QUERIES} random queries`, async () => {
    const r = rng(99);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const stats = { compared: 0, tooComplex: 0, cells: 0 };
    for (let n = 0; n < QUERIES; n++) {
      const dims = Object.keys(LEVELS).sort(() => r() - 0.5);
      const groupBy = dims
        .slice(0, Math.floor(r() * 3))
        .map((dimension) => ({ dimension, level: pick(LEVELS[dimension]) }));
      const measures = [...MEASURES].sort(() => r() - 0.5).slice(0, 1 + Math.floor(r() * 4));
      const filters: Record<string, unknown>[] = [];
      const filterCount = Math.floor(r() * 3);
      for (let i = 0; i < filterCount; i++) {
        const dimension = pick(Object.keys(LEVELS));
        if (dimension === 'time') {
          if (r() < 0.5) {
            const start = Date.UTC(2021, 0, 1) + Math.floor(r() * 330) * 86_400_000;
            const end = start + Math.floor(r() * 60) * 86_400_000;
            const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
            filters.push(
              r() < 0.5 ? { dimension, from: day(start), to: day(end) } : { dimension, from: day(start).slice(0, 7) },
            );
          } else {
            filters.push({
              dimension,
              level: 'month',
              in: [`2021-${pad(1 + Math.floor(r() * 12))}`, `2021-${pad(1 + Math.floor(r() * 12))}`],
            });
          }
        } else {
          const level = pick(LEVELS[dimension]);
          const members = MEMBERS[`${dimension}.${level}`];
          filters.push({ dimension, level, in: [pick(members), pick(members)] });
        }
      }
      const query = { dataset: 'hotline-cases-exact', groupBy, measures, filters };

      // Expected: straight from the records.
      const inTime = (rec: Rec, f: Record<string, unknown>) => {
        if (f.in) return (f.in as string[]).includes(cachedKey(rec, 'time', f.level as string)!);
        const from = f.from as string | undefined;
        const to = f.to as string | undefined;
        const local = `${cachedKey(rec, 'time', 'hour')}`;
        if (from && local < (from.length === 7 ? `${from}-01` : from)) return false;
        if (to && local.slice(0, 10) > to) return false;
        return true;
      };
      const selected = records.filter((rec) =>
        filters.every((f) =>
          f.dimension === 'time'
            ? inTime(rec, f)
            : (f.in as string[]).includes(cachedKey(rec, f.dimension as string, f.level as string) as string),
        ),
      );
      const groups = new Map<string, Rec[]>();
      for (const rec of selected) {
        const k = groupBy.map((g) => cachedKey(rec, g.dimension, g.level) ?? 'unknown').join('|');
        const list = groups.get(k);
        if (list) list.push(rec);
        else groups.set(k, [rec]);
      }
      if (groupBy.length === 0 && groups.size === 0) groups.set('', []);

      const res = await t.gql(
        `query Q($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys cells { measure value } } } }`,
        { q: query },
        'test-steward',
      );
      if (res.body.errors) {
        // The only acceptable refusal: the result really is over the cell cap.
        expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
        expect(groups.size * measures.length).toBeGreaterThan(10_000);
        stats.tooComplex++;
        continue;
      }
      const rows = res.body.data.aggregate.rows as {
        keys: string[];
        cells: { measure: string; value: number | null }[];
      }[];
      expect(rows.map((x) => x.keys.join('|')).sort()).toEqual([...groups.keys()].sort());
      for (const row of rows) {
        const group = groups.get(row.keys.join('|'))!;
        for (const cell of row.cells) {
          const truth = truthOf(group, cell.measure);
          const context = `${JSON.stringify(query)} row ${row.keys.join('|')} ${cell.measure}`;
          if (truth === null || cell.value === null) {
            expect([context, cell.value]).toEqual([context, truth]);
          } else if (cell.measure === 'medianHandlingDays' || cell.measure === 'p90HandlingDays') {
            const [low, high] = bucketBounds(bucketOf(truth));
            expect([context, cell.value >= low - 1e-9 && cell.value <= high + 1e-9]).toEqual([context, true]);
          } else {
            expect([context, Math.abs(cell.value - truth) <= 1e-9 * Math.max(1, Math.abs(truth))]).toEqual([
              context,
              true,
            ]);
          }
          stats.cells++;
        }
      }
      stats.compared++;
    }
    expect(stats.compared).toBeGreaterThan(QUERIES * 0.9);
    expect(stats.cells).toBeGreaterThan(QUERIES * 5);
  }, 600_000);
});
