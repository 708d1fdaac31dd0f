/**
 * The realistic workload: a seeded generator of many distinct questions, asked by a population of
 * callers in the proportions a provincial hotline's data gateway would see. Pure: no I/O, the same
 * seed always gives the same requests (bench/workload.spec.ts checks both).
 *
 * Who asks (assumed shares of requests, by role):
 * - the public, 45%: the open dataset at city, month and category level 1, from many addresses;
 *   a small set of popular questions (the portal's charts, news and open-data reuse), asked often;
 * - departments, 25%: their own cases (exact), in fine detail: districts, streets, weeks, days,
 *   categories level 2 and 3, outcomes, satisfaction, handling times;
 * - researchers, 15%: under a data-use licence (the licensed share: quota and distinct-query
 *   budget charged), exploratory, so many distinct questions each, each asked less often;
 * - the data office (stewards), 12%: everything, including call traffic for capacity planning;
 * - auditors, 3%: pages of the access log.
 *
 * Within each caller, questions follow a Zipf law over that caller's own catalogue of distinct
 * questions: a few asked again and again, a long tail asked once in a while. That is what makes
 * the result cache hit or miss; the benchmark measures the ratio rather than assuming it.
 */
import type { AggregateQuery } from '../src/aggregate/query-plan.js';
import { Prng } from '../src/ingest/generate/prng.js';

export type Role = 'public' | 'department' | 'researcher' | 'steward' | 'auditor';

/** Share of requests by role (sums to 1). */
export const ROLE_SHARE: Readonly<Record<Role, number>> = {
  public: 0.45,
  department: 0.25,
  researcher: 0.15,
  steward: 0.12,
  auditor: 0.03,
};

/** The benchmark data's 13 cities (bench/bench-data.ts), the largest first, as its generator weights them. */
export const BENCH_CITIES = [
  '320100',
  '320200',
  '320300',
  '320400',
  '320500',
  '320600',
  '320700',
  '320800',
  '320900',
  '321000',
  '321100',
  '321200',
  '321300',
] as const;

/** How many accounts of each role ask (the public asks without one, from PUBLIC_ADDRESSES addresses). */
export const ACCOUNTS: Readonly<Record<Exclude<Role, 'public'>, number>> = {
  department: 12,
  researcher: 4,
  steward: 2,
  auditor: 1,
};
export const PUBLIC_ADDRESSES = 2_000;

/** Distinct questions in each caller's catalogue (the public shares one). */
export const CATALOGUE_SIZE: Readonly<Record<Role, number>> = {
  public: 150,
  department: 60,
  researcher: 250,
  steward: 400,
  auditor: 12,
};
/** Zipf exponent of the popularity of questions within a catalogue. */
export const ZIPF_EXPONENT = 1;

/**
 * The licence each researcher holds (requested by the researcher, approved by a steward): these
 * levels are the finest its queries use, so every generated researcher query is inside its scope.
 */
export const RESEARCH_LICENCE_DIMENSIONS = [
  { dimension: 'time', level: 'month' },
  { dimension: 'area', level: 'district' },
  { dimension: 'category', level: 'l2' },
  { dimension: 'kind', level: 'kind' },
  { dimension: 'channel', level: 'channel' },
  { dimension: 'outcome', level: 'outcome' },
  { dimension: 'satisfaction', level: 'satisfaction' },
];

export interface Account {
  id: string;
  role: Exclude<Role, 'public'>;
  /** Departments: the handling department whose cases are its own. */
  departmentCode?: string;
}

export interface AuditQuery {
  first: number;
  filter?: { operation?: string; datasetSlug?: string; decision?: string };
}

export interface WorkloadRequest {
  role: Role;
  /** The asking account's id (Account.id); undefined for the public. */
  account?: string;
  /** The public's address (sent as X-Forwarded-For; the benchmarked gateway trusts loopback, TRUST_PROXY). */
  address?: string;
  /** Asked under the account's licence (its id is added when the licence exists). */
  licensed: boolean;
  aggregate?: AggregateQuery;
  auditEvents?: AuditQuery;
  /**
   * The question as the result cache sees it: equal keys read the same rollup rows (a department's
   * own-case questions are its own: its rows are scoped to its department).
   */
  key: string;
}

export interface Workload {
  seed: string;
  accounts: Account[];
  requests: WorkloadRequest[];
}

const OPEN_MEASURES = ['cases', 'consultationShare', 'avgHandlingDays', 'solvedRate', 'satisfactionRate'];
const CASE_MEASURES = [
  'cases',
  'consultationShare',
  'avgHandlingDays',
  'medianHandlingDays',
  'p90HandlingDays',
  'onTimeRate',
  'solvedRate',
  'satisfactionRate',
  'repeatRate',
];
const TRAFFIC_MEASURES = ['callsOffered', 'callsAnswered', 'callsAbandoned', 'answerRate'];
const MONTHS = Array.from({ length: 12 }, (_, i) => `2021-${String(i + 1).padStart(2, '0')}`);
const QUARTERS = ['2021-Q1', '2021-Q2', '2021-Q3', '2021-Q4'];

type Group = { dimension: string; level?: string };
type Filter = NonNullable<AggregateQuery['filters']>[number];

/** Picks by weight: `[item, weight]` pairs. */
function weighted<T>(r: Prng, options: readonly (readonly [T, number])[]): T {
  const total = options.reduce((s, [, w]) => s + w, 0);
  let u = r.next() * total;
  for (const [item, w] of options) {
    u -= w;
    if (u < 0) return item;
  }
  return options[options.length - 1][0];
}

/** `n` distinct items, in the list's order (so that equal choices give equal queries). */
function some<T>(r: Prng, items: readonly T[], min: number, max: number): T[] {
  const n = min + r.int(max - min + 1);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(n, items.length)) chosen.add(r.int(items.length));
  return [...chosen].sort((a, b) => a - b).map((i) => items[i]);
}

/** Measures, `cases` most often among them. */
function measures(r: Prng, from: readonly string[], max = 3): string[] {
  const picked = some(r, from, 1, max);
  return r.chance(0.5) && !picked.includes(from[0]) ? [from[0], ...picked].slice(0, max) : picked;
}

/** A city, the larger ones more often (the generator puts more cases there). */
const city = (r: Prng) => BENCH_CITIES[Math.floor(Math.pow(r.next(), 1.4) * BENCH_CITIES.length)];
const districtOf = (c: string, r: Prng) => `${c.slice(0, 4)}${String(1 + r.int(8)).padStart(2, '0')}`;
const categoryL1 = (r: Prng) => `C${Math.floor(Math.pow(r.next(), 1.5) * 12)}`;

/** A period filter, or none; `fine` allows a single day (datasets that publish days). */
function period(r: Prng, fine: boolean): Filter | undefined {
  const kind = weighted(r, [
    ['all', 3],
    ['year', 1],
    ['quarter', 2.5],
    ['month', 2.5],
    ['months', 1],
    ['day', fine ? 0.5 : 0],
  ] as const);
  switch (kind) {
    case 'all':
      return undefined;
    case 'year':
      return { dimension: 'time', from: '2021-01', to: '2021-12' };
    case 'quarter':
      return { dimension: 'time', level: 'quarter', in: [r.pick(QUARTERS)] };
    case 'month':
      return { dimension: 'time', level: 'month', in: [r.pick(MONTHS)] };
    case 'months': {
      const from = r.int(10);
      return { dimension: 'time', from: MONTHS[from], to: MONTHS[from + 1 + r.int(11 - from)] };
    }
    case 'day':
      return { dimension: 'time', level: 'day', in: [`${r.pick(MONTHS)}-${String(1 + r.int(28)).padStart(2, '0')}`] };
  }
}

const query = (
  dataset: string,
  groupBy: Group[],
  ms: string[],
  filters: (Filter | undefined)[],
  extra: Partial<AggregateQuery> = {},
): AggregateQuery => {
  const f = filters.filter((x): x is Filter => x !== undefined);
  return { dataset, groupBy, measures: ms, ...(f.length > 0 ? { filters: f } : {}), ...extra };
};

/** The open dataset's popular charts: city, month or quarter, category level 1, channel, kind. */
function publicQuestion(r: Prng): AggregateQuery {
  const ds = 'hotline-cases-open';
  const oneCity = (p: number): Filter | undefined =>
    r.chance(p) ? { dimension: 'area', level: 'city', in: [city(r)] } : undefined;
  const time = (): Group => ({ dimension: 'time', level: r.chance(0.7) ? 'month' : 'quarter' });
  switch (weighted(r, [...[0, 1, 2, 3, 4, 5].map((i) => [i, [3, 3, 2, 1.5, 1.5, 1][i]] as const)])) {
    case 0:
      return query(ds, [{ dimension: 'area', level: 'city' }], measures(r, OPEN_MEASURES), [period(r, false)]);
    case 1:
      return query(ds, [time()], measures(r, OPEN_MEASURES, 2), [oneCity(0.6)]);
    case 2:
      return query(ds, [{ dimension: 'category', level: 'l1' }], measures(r, OPEN_MEASURES), [
        oneCity(0.5),
        period(r, false),
      ]);
    case 3:
      return query(ds, [{ dimension: r.chance(0.5) ? 'channel' : 'kind' }], measures(r, OPEN_MEASURES, 2), [
        oneCity(0.4),
        period(r, false),
      ]);
    case 4:
      return query(ds, [{ dimension: 'area', level: 'city' }, time()], measures(r, OPEN_MEASURES, 1), []);
    default:
      return query(
        ds,
        [
          { dimension: 'category', level: 'l1' },
          { dimension: 'time', level: 'quarter' },
        ],
        ['cases'],
        [oneCity(0.7)],
      );
  }
}

/**
 * Fine questions on hotline cases, for a department (on its own cases: its city and category) or the
 * data office (any city). Fine levels always come with a filter that keeps the result small.
 */
function caseQuestion(r: Prng, home: { city: string; l1: string } | undefined): AggregateQuery {
  const ds = 'hotline-cases';
  const c = home?.city ?? city(r);
  const l1 = home?.l1 ?? categoryL1(r);
  const inCity: Filter = { dimension: 'area', level: 'city', in: [c] };
  const cityFilter = (p: number) => (home || !r.chance(p) ? undefined : inCity);
  const ms = measures(r, CASE_MEASURES);
  const top = (field: string): Partial<AggregateQuery> =>
    r.chance(0.4) ? { orderBy: [{ field, direction: 'DESC' }], limit: r.chance(0.5) ? 10 : 20 } : {};
  switch (
    weighted(r, [
      ['trend', 3],
      ['daily', 1.5],
      ['area', 2.5],
      ['streets', 1],
      ['category', 2.5],
      ['status', 1.5],
      ['kind', 1.5],
      ['departments', home ? 0 : 1.5],
      ['hourly', 0.5],
    ] as const)
  ) {
    case 'trend':
      return query(ds, [{ dimension: 'time', level: r.chance(0.7) ? 'month' : 'week' }], ms, [
        cityFilter(0.6),
        r.chance(0.3) ? { dimension: 'category', level: 'l1', in: [l1] } : undefined,
      ]);
    case 'daily':
      return query(ds, [{ dimension: 'time', level: 'day' }], some(r, ['cases', 'onTimeRate', 'solvedRate'], 1, 2), [
        cityFilter(0.8),
        r.chance(0.6)
          ? { dimension: 'time', level: 'month', in: [r.pick(MONTHS)] }
          : { dimension: 'time', level: 'quarter', in: [r.pick(QUARTERS)] },
      ]);
    case 'area': {
      const byMonth = r.chance(0.3);
      return query(
        ds,
        [{ dimension: 'area', level: 'district' }, ...(byMonth ? [{ dimension: 'time', level: 'month' }] : [])],
        ms,
        [home ? undefined : inCity, byMonth ? undefined : period(r, true)],
        byMonth ? {} : top(ms[0]),
      );
    }
    case 'streets':
      return query(
        ds,
        [{ dimension: 'area', level: 'street' }],
        ms,
        [{ dimension: 'area', level: 'district', in: [districtOf(c, r)] }, period(r, true)],
        top(ms[0]),
      );
    case 'category': {
      const level = r.chance(0.6) ? 'l2' : 'l3';
      return query(
        ds,
        [{ dimension: 'category', level }],
        ms,
        [
          cityFilter(0.7),
          level === 'l3' || r.chance(0.3) ? { dimension: 'category', level: 'l1', in: [l1] } : undefined,
          period(r, true),
        ],
        top(ms[0]),
      );
    }
    case 'status':
      return query(
        ds,
        [{ dimension: r.chance(0.5) ? 'outcome' : 'satisfaction' }, ...(r.chance(0.4) ? [{ dimension: 'kind' }] : [])],
        ['cases'],
        [cityFilter(0.7), period(r, true)],
      );
    case 'kind':
      return query(
        ds,
        [{ dimension: 'kind' }],
        some(r, ['cases', 'avgHandlingDays', 'medianHandlingDays', 'p90HandlingDays', 'onTimeRate'], 1, 3),
        [cityFilter(0.6), period(r, true)],
      );
    case 'departments': {
      const ms = some(r, ['cases', 'onTimeRate', 'solvedRate', 'satisfactionRate'], 1, 3);
      return query(ds, [{ dimension: 'department' }], ms, [inCity, period(r, true)], top(ms[0]));
    }
    case 'hourly':
      return query(
        ds,
        [{ dimension: 'time', level: 'hour' }],
        ['cases'],
        [
          cityFilter(0.8),
          period(r, true)?.level === 'day'
            ? undefined
            : { dimension: 'time', level: 'day', in: [`${r.pick(MONTHS)}-${String(1 + r.int(28)).padStart(2, '0')}`] },
        ],
      );
  }
}

/** A researcher's licensed questions: at most month, district, category level 2, any city. */
function researchQuestion(r: Prng): AggregateQuery {
  const ds = 'hotline-cases';
  const dims: Group[] = [
    { dimension: 'time', level: r.chance(0.7) ? 'month' : 'quarter' },
    { dimension: 'area', level: r.chance(0.5) ? 'city' : 'district' },
    { dimension: 'category', level: r.chance(0.5) ? 'l1' : 'l2' },
    { dimension: 'kind' },
    { dimension: 'channel' },
    { dimension: 'outcome' },
    { dimension: 'satisfaction' },
  ];
  const groups = some(r, dims, 1, 2);
  const c = city(r);
  const byDistrict = groups.some((g) => g.level === 'district');
  const byL2 = groups.some((g) => g.level === 'l2');
  const byTime = groups.some((g) => g.dimension === 'time');
  return query(ds, groups, measures(r, ['cases', 'avgHandlingDays', 'onTimeRate', 'solvedRate', 'repeatRate']), [
    byDistrict || r.chance(0.3) ? { dimension: 'area', level: 'city', in: [c] } : undefined,
    byL2 || r.chance(0.2) ? { dimension: 'category', level: 'l1', in: [categoryL1(r)] } : undefined,
    byTime ? undefined : period(r, false),
  ]);
}

/** Call traffic for capacity planning (data office). */
function trafficQuestion(r: Prng): AggregateQuery {
  const ds = 'call-traffic';
  const ms = some(r, TRAFFIC_MEASURES, 1, 2);
  switch (weighted(r, [...[0, 1, 2, 3].map((i) => [i, [2, 2, 1, 1][i]] as const)])) {
    case 0:
      return query(
        ds,
        [
          { dimension: 'area', level: 'city' },
          { dimension: 'time', level: 'month' },
        ],
        ms,
        [],
      );
    case 1:
      return query(ds, [{ dimension: 'time', level: 'day' }], ms, [
        { dimension: 'area', level: 'city', in: [city(r)] },
        r.chance(0.5)
          ? { dimension: 'time', level: 'month', in: [r.pick(MONTHS)] }
          : { dimension: 'time', level: 'quarter', in: [r.pick(QUARTERS)] },
      ]);
    case 2:
      return query(ds, [{ dimension: 'time', level: 'hour' }], ms, [
        { dimension: 'area', level: 'city', in: [city(r)] },
        { dimension: 'time', level: 'day', in: [`${r.pick(MONTHS)}-${String(1 + r.int(28)).padStart(2, '0')}`] },
      ]);
    default:
      return query(ds, [{ dimension: 'area', level: 'city' }], ms, [period(r, true)]);
  }
}

function auditQuestion(r: Prng): AuditQuery {
  const first = r.pick([20, 50, 100]);
  const filter = weighted(r, [
    [undefined, 2],
    [{ operation: 'aggregate' }, 2],
    [{ datasetSlug: 'hotline-cases' }, 1],
    [{ decision: 'denied' }, 1],
  ] as const);
  return filter ? { first, filter: { ...filter } } : { first };
}

/** A stable text for a question (keys in insertion order, which the builders fix). */
const keyOf = (q: unknown) => JSON.stringify(q);

/** `size` distinct questions from `make` (stops early if the question space is smaller). */
function catalogue<T>(r: Prng, size: number, make: (r: Prng) => T): T[] {
  const seen = new Map<string, T>();
  for (let tries = 0; seen.size < size && tries < size * 20; tries++) {
    const q = make(r);
    const k = keyOf(q);
    if (!seen.has(k)) seen.set(k, q);
  }
  return [...seen.values()];
}

/** Cumulative Zipf weights of ranks 1..n. */
function zipf(n: number, s: number): number[] {
  const w = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => (acc += x / total));
}

function drawRank(r: Prng, cumulative: number[]): number {
  const u = r.next();
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `count` requests from the seeded population. Departments are handling departments of the bench
 * data (`<city>-d<n>`, which handles category `C<n>` in its city), the busier cities more often.
 */
export function generateWorkload(options: { seed?: string; count?: number } = {}): Workload {
  const seed = options.seed ?? 'hotline-bench';
  const count = options.count ?? 20_000;
  const r = new Prng(`workload:${seed}`);
  const accounts: Account[] = [];
  const departments = new Set<string>();
  while (departments.size < ACCOUNTS.department) departments.add(`${city(r)}-d${categoryL1(r).slice(1)}`);
  for (const code of departments) accounts.push({ id: `department-${code}`, role: 'department', departmentCode: code });
  for (const role of ['researcher', 'steward', 'auditor'] as const) {
    for (let i = 1; i <= ACCOUNTS[role]; i++) accounts.push({ id: `${role}-${i}`, role });
  }

  // Each caller's catalogue of distinct questions (the public shares one), from its own stream.
  const catalogues = new Map<string, { items: (AggregateQuery | AuditQuery)[]; cumulative: number[] }>();
  const build = (id: string, size: number, make: (r: Prng) => AggregateQuery | AuditQuery) => {
    const items = catalogue(new Prng(`catalogue:${seed}:${id}`), size, make);
    catalogues.set(id, { items, cumulative: zipf(items.length, ZIPF_EXPONENT) });
  };
  build('public', CATALOGUE_SIZE.public, publicQuestion);
  for (const a of accounts) {
    if (a.role === 'department') {
      const [c, n] = a.departmentCode!.split('-d');
      build(a.id, CATALOGUE_SIZE.department, (x) => caseQuestion(x, { city: c, l1: `C${n}` }));
    } else if (a.role === 'researcher') build(a.id, CATALOGUE_SIZE.researcher, researchQuestion);
    else if (a.role === 'steward') {
      build(a.id, CATALOGUE_SIZE.steward, (x) => (x.chance(0.3) ? trafficQuestion(x) : caseQuestion(x, undefined)));
    } else build(a.id, CATALOGUE_SIZE.auditor, auditQuestion);
  }

  const roles = Object.entries(ROLE_SHARE) as [Role, number][];
  // Busier departments and researchers ask more (Zipf over accounts too).
  const byRole = new Map<Role, { list: Account[]; cumulative: number[] }>();
  for (const role of ['department', 'researcher', 'steward', 'auditor'] as const) {
    const list = accounts.filter((a) => a.role === role);
    byRole.set(role, { list, cumulative: zipf(list.length, 0.8) });
  }
  const requests: WorkloadRequest[] = [];
  for (let i = 0; i < count; i++) {
    const role = weighted(r, roles);
    if (role === 'public') {
      const cat = catalogues.get('public')!;
      const q = cat.items[drawRank(r, cat.cumulative)] as AggregateQuery;
      const n = r.int(PUBLIC_ADDRESSES);
      requests.push({ role, address: `10.${n >> 8}.${n & 255}.7`, licensed: false, aggregate: q, key: keyOf(q) });
      continue;
    }
    const who = byRole.get(role)!;
    const account = who.list[drawRank(r, who.cumulative)];
    const cat = catalogues.get(account.id)!;
    const item = cat.items[drawRank(r, cat.cumulative)];
    if (role === 'auditor') {
      requests.push({ role, account: account.id, licensed: false, auditEvents: item as AuditQuery, key: keyOf(item) });
    } else {
      const q = item as AggregateQuery;
      const key = role === 'department' ? `${account.departmentCode}:${keyOf(q)}` : keyOf(q);
      requests.push({ role, account: account.id, licensed: role === 'researcher', aggregate: q, key });
    }
  }
  return { seed, accounts, requests };
}
