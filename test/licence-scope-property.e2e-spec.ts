import { parseTimeCode, TIME_LEVELS, timeCodeAt, type TimeLevel } from '../src/catalog/time-members.js';
import type { DatasetDefinition } from '../src/datasets/dataset.entity.js';
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
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { grantTestLicense } from './utils/grant-license.js';
import { rng } from './utils/seeded-random.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * Issue 17, finding "time range gets round the licence" and its kin: random queries under random
 * licences, through GraphQL and the JSON export, and none that is answered may tell apart records
 * the licence keeps together. The oracle works from what a query means (which records each cell
 * holds), not from the licence checker's rules: a level finer than allowed splits an allowed cell;
 * a range bound that is not a boundary of an allowed period cuts one; persistentMonths reads months.
 * Reproduce a run with HGW_SCOPE_SEED=<seed>.
 */
const SEED = Number(process.env.HGW_SCOPE_SEED ?? 1717);
const QUERIES = 240;
const DIMENSIONS = ['time', 'area', 'category', 'kind', 'channel'] as const;
type Dimension = (typeof DIMENSIONS)[number];

const MEMBERS: Record<string, string[]> = {
  'area.province': [PROVINCE],
  'area.city': CITIES.map((c) => c[0]),
  'area.district': DISTRICTS.map((d) => d[0]),
  'area.street': STREETS,
  'category.l1': CATEGORIES.filter((c) => c[1] === 1).map((c) => c[0]),
  'category.l2': CATEGORIES.filter((c) => c[1] === 2).map((c) => c[0]),
  'category.l3': CATEGORIES.filter((c) => c[1] === 3).map((c) => c[0]),
  kind: KINDS,
  channel: CHANNELS,
};

interface Query {
  licenseId: string;
  groupBy: { dimension: string; level?: string }[];
  filters: { dimension: string; level?: string; in?: string[]; from?: string; to?: string }[];
  measures: string[];
}

describe('licence scope, property: no answered query is finer than its licence', () => {
  let t: TestApp;
  let definition: DatasetDefinition;
  const licences: { id: string; dimensions: Partial<Record<Dimension, string>> }[] = [];
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

  const levelsOf = (dimension: string) =>
    definition.dimensions.find((d) => d.code === dimension)?.levels.map((l) => l.code) ?? [];

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 3000, seed: SEED });
    const [row] = await t.dataSource.query<{ definition: DatasetDefinition }[]>(
      `SELECT definition FROM dataset WHERE slug = 'hotline-cases'`,
    );
    definition = row.definition;
    for (let i = 0; i < 6; i++) {
      const dimensions: Partial<Record<Dimension, string>> = {};
      for (const d of DIMENSIONS) if (r() < 0.6) dimensions[d] = pick(levelsOf(d).filter((l) => l !== 'hour'));
      if (Object.keys(dimensions).length === 0) dimensions.area = 'city';
      const id = await grantTestLicense(t, `Property test licence ${i} for the scope checks`, [
        {
          dataset: 'hotline-cases',
          dimensions: Object.entries(dimensions).map(([dimension, level]) => ({ dimension, level })),
        },
      ]);
      licences.push({ id, dimensions });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  /** A time code of a random level for a random instant of 2021 (local time). */
  const timeCode = () => {
    const at = new Date(Date.UTC(2021, 0, 1) + Math.floor(r() * 364 * 24) * 3_600_000);
    return timeCodeAt(pick(TIME_LEVELS), at);
  };

  const randomQuery = (): Query => {
    const licence = pick(licences);
    const dims = [...DIMENSIONS].sort(() => r() - 0.5);
    const groupBy = dims.slice(0, Math.floor(r() * 3)).map((d) => {
      const levels = levelsOf(d);
      return levels.length === 1 ? { dimension: d } : { dimension: d, level: pick(levels) };
    });
    const filters: Query['filters'] = [];
    for (let i = Math.floor(r() * 3); i > 0; i--) {
      if (r() < 0.5) {
        let [from, to] = [timeCode(), timeCode()];
        if (parseTimeCode(from)!.start > parseTimeCode(to)!.start) [from, to] = [to, from];
        const side = r();
        filters.push({ dimension: 'time', ...(side < 0.8 ? { from } : {}), ...(side > 0.2 ? { to } : {}) });
      } else {
        const d = pick(DIMENSIONS.filter((x) => x !== 'time'));
        const levels = levelsOf(d);
        const level = pick(levels);
        const codes = MEMBERS[levels.length === 1 ? d : `${d}.${level}`];
        filters.push({ dimension: d, ...(levels.length === 1 ? {} : { level }), in: [pick(codes)] });
      }
    }
    const timeGrouped = groupBy.some((g) => g.dimension === 'time');
    const measure = r() < 0.2 ? (timeGrouped ? 'casesGrowth' : 'persistentMonths') : 'cases';
    return { licenseId: licence.id, groupBy, filters, measures: [measure] };
  };

  /** Why the query tells apart records its licence keeps together, or undefined. */
  const finerThanLicence = (q: Query, columns: string[]): string | undefined => {
    const allowed = licences.find((l) => l.id === q.licenseId)!.dimensions as Record<string, string>;
    const finer = (dimension: string, level: string) => {
      const levels = levelsOf(dimension);
      return allowed[dimension] === undefined || levels.indexOf(level) > levels.indexOf(allowed[dimension]);
    };
    for (const c of columns.filter((c) => levelsOf(c.split('.')[0]).length > 0)) {
      const [dimension, level = dimension] = c.split('.');
      if (finer(dimension, level)) return `column ${c}`;
    }
    for (const f of q.filters) {
      if (f.in && finer(f.dimension, f.level ?? f.dimension)) return `filter on ${f.dimension}.${f.level}`;
      if (f.from === undefined && f.to === undefined) continue;
      if (allowed.time === undefined) return 'a time range without time in the licence';
      const allowedLevels = levelsOf('time').slice(0, levelsOf('time').indexOf(allowed.time) + 1) as TimeLevel[];
      // A bound cuts an allowed period unless the instants just before and at it lie in different periods.
      const cuts = (b: Date) =>
        !allowedLevels.some((l) => timeCodeAt(l, new Date(b.getTime() - 1)) !== timeCodeAt(l, b));
      if (f.from && cuts(parseTimeCode(f.from)!.start)) return `range from ${f.from}`;
      if (f.to && cuts(parseTimeCode(f.to)!.end)) return `range to ${f.to}`;
    }
    if (q.measures.includes('persistentMonths') && finer('time', 'month')) return 'persistentMonths reads months';
    return undefined;
  };

  it('finds no query answered with finer data than its licence, in GraphQL or in the export', async () => {
    const answered: string[] = [];
    const violations: string[] = [];
    const refused = new Map<string, number>();
    let rangesRefused = 0;
    for (let i = 0; i < QUERIES; i++) {
      const q = randomQuery();
      const res = await t.gql(
        `query($q: AggregateQueryInput!) { aggregate(query: $q) { columns } }`,
        { q: { dataset: 'hotline-cases', ...q } },
        'test-researcher',
      );
      const code = res.body.errors?.[0]?.extensions?.code as string | undefined;
      if (i % 8 === 0) {
        // The export takes the same decision.
        const exported = await t
          .http()
          .get('/export/aggregate.json')
          .query({ query: JSON.stringify({ dataset: 'hotline-cases', ...q }) })
          .set('Authorization', 'Bearer test-researcher');
        expect({ q, status: exported.status === 200 ? 'ok' : exported.body.error?.code }).toEqual({
          q,
          status: code ?? 'ok',
        });
      }
      if (code) {
        refused.set(code, (refused.get(code) ?? 0) + 1);
        if (code === 'OUT_OF_LICENSE_SCOPE' && /time range/.test(res.body.errors[0].message as string)) rangesRefused++;
        continue;
      }
      answered.push(JSON.stringify(q));
      const why = finerThanLicence(q, res.body.data.aggregate.columns as string[]);
      if (why) violations.push(`${why}: ${JSON.stringify(q)}`);
    }
    expect(violations).toEqual([]);
    // The generator must exercise both sides, including the ranges of the finding.
    expect(answered.length).toBeGreaterThanOrEqual(30);
    expect(refused.get('OUT_OF_LICENSE_SCOPE') ?? 0).toBeGreaterThanOrEqual(30);
    expect(rangesRefused).toBeGreaterThanOrEqual(5);
  });
});
