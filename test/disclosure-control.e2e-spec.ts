import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { grantTestLicense } from './utils/grant-license.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * Disclosure control end to end, on generated records: what a licensed researcher receives
 * from `aggregate` compared with the true counts computed straight from the records. Every cache
 * of the aggregate path is off (`HGW_AGGREGATE_CACHE=off`: results, plans, statements, releases),
 * so every answer is computed from the rollups again and two answers can only agree because
 * disclosure control gives the same records the same noise.
 */
const RESEARCHER = 'test-researcher';

interface Row {
  keys: string[];
  cells: { measure: string; value: number | null; flags: string[] }[];
}

describe('disclosure control on generated data', () => {
  let t: TestApp;
  let licenseId: string;

  const aggregate = async (query: Record<string, unknown>) => {
    const res = await t.gql(
      `query($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys cells { measure value flags } }
        disclosure { method threshold suppressedCells budgetRemaining } licenseId } }`,
      { q: { dataset: 'hotline-cases', measures: ['cases', 'avgHandlingDays'], licenseId, ...query } },
      RESEARCHER,
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data.aggregate as {
      rows: Row[];
      disclosure: { method: string; threshold: number; suppressedCells: number; budgetRemaining: number };
      licenseId: string;
    };
  };

  beforeAll(async () => {
    const cacheSwitch = process.env.HGW_AGGREGATE_CACHE;
    process.env.HGW_AGGREGATE_CACHE = 'off';
    try {
      t = await createTestApp();
    } finally {
      if (cacheSwitch === undefined) delete process.env.HGW_AGGREGATE_CACHE;
      else process.env.HGW_AGGREGATE_CACHE = cacheSwitch;
    }
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 6000, seed: 42 });
    licenseId = await grantTestLicense(t, 'Disclosure control test: cases by district and kind', [
      {
        dataset: 'hotline-cases',
        dimensions: [
          { dimension: 'area', level: 'district' },
          { dimension: 'kind', level: 'kind' },
          { dimension: 'time', level: 'month' },
        ],
      },
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  const truth = async () => {
    const rows = await t.dataSource.query<{ district: string | null; kind: string; n: number }[]>(
      `SELECT district_code AS district, kind, count(*)::int AS n FROM case_record GROUP BY 1, 2`,
    );
    return new Map(rows.map((r) => [`${r.district ?? 'unknown'}|${r.kind}`, r.n]));
  };

  it('answers the same query identically 100 times (nothing to average away), spending the budget once', async () => {
    const query = { groupBy: [{ dimension: 'area', level: 'district' }, { dimension: 'kind' }] };
    const first = await aggregate(query);
    expect(first.disclosure.method).toBe('cell-key');
    expect(first.rows.length).toBeGreaterThan(10);
    for (let i = 0; i < 99; i++) expect(await aggregate(query)).toEqual(first);
    // Reordering the same query is the same query.
    const reordered = await aggregate({
      groupBy: [{ dimension: 'area', level: 'district' }, { dimension: 'kind' }],
      orderBy: [],
    });
    expect(reordered.disclosure.budgetRemaining).toBe(first.disclosure.budgetRemaining);
  });

  it('gives a cell the same released values whichever query reaches it: another grouping, filter, order, page or measure list', async () => {
    // One cell, (district, kind), is the same records in each of these queries; their SQL, plans and
    // rows differ, and no cache is on, so only a cell key of the records can make them agree.
    const [district, kind] = ['320505', 'complaint'];
    const area = { dimension: 'area', level: 'district' };
    const cellOf = (answer: { rows: Row[] }, keys: string[]) => {
      const found = answer.rows.filter((r) => r.keys.join('|') === keys.join('|'));
      expect([keys, found.length]).toEqual([keys, 1]);
      return found[0].cells;
    };
    const grid = await aggregate({ groupBy: [area, { dimension: 'kind' }] });
    const reference = cellOf(grid, [district, kind]);
    const real = (await truth()).get(`${district}|${kind}`) as number;
    expect(real).toBeGreaterThan(grid.disclosure.threshold);
    const ways: [string, Record<string, unknown>, string[]][] = [
      ['kinds of one district', { groupBy: [{ dimension: 'kind' }], filters: [{ ...area, in: [district] }] }, [kind]],
      ['districts of one kind', { groupBy: [area], filters: [{ dimension: 'kind', in: [kind] }] }, [district]],
      [
        'the cell alone',
        {
          groupBy: [],
          filters: [
            { ...area, in: [district] },
            { dimension: 'kind', in: [kind] },
          ],
        },
        [],
      ],
      [
        'kind first, ordered by cases, one page',
        {
          groupBy: [{ dimension: 'kind' }, area],
          orderBy: [{ field: 'cases', direction: 'ASC' }],
          limit: 1000,
        },
        [kind, district],
      ],
    ];
    expect(ways).toHaveLength(4);
    for (const [way, query, keys] of ways) {
      const cells = cellOf(await aggregate(query), keys);
      expect([way, cells]).toEqual([way, reference]);
    }
    // Another measure list: the count is released the same on its own.
    const alone = await t.gql(
      `query($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys cells { measure value flags } } } }`,
      { q: { dataset: 'hotline-cases', measures: ['cases'], licenseId, groupBy: [area, { dimension: 'kind' }] } },
      RESEARCHER,
    );
    expect(alone.body.errors).toBeUndefined();
    expect(cellOf(alone.body.data.aggregate as { rows: Row[] }, [district, kind])).toEqual([reference[0]]);
    // The agreement says something only because values are perturbed: over the grid, many differ
    // from the truth (P(noise = 0) = 0.164), so equal values are not just the true values.
    const counts = await truth();
    expect(grid.rows.length).toBeGreaterThan(10);
    const moved = grid.rows.filter((r) => r.cells[0].value !== counts.get(r.keys.join('|'))).length;
    expect(moved).toBeGreaterThan(grid.rows.length / 2);
  });

  it('never lists a cell whose true count is between 1 and the threshold: it looks like an empty cell', async () => {
    const result = await aggregate({
      groupBy: [{ dimension: 'area', level: 'district' }, { dimension: 'kind' }, { dimension: 'time', level: 'month' }],
    });
    const months = await t.dataSource.query<{ district: string | null; kind: string; month: string; n: number }[]>(
      `SELECT district_code AS district, kind, to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, count(*)::int AS n
         FROM case_record GROUP BY 1, 2, 3`,
    );
    const real = new Map(months.map((r) => [`${r.district ?? 'unknown'}|${r.kind}|${r.month}`, r.n]));
    const small = [...real].filter(([, n]) => n < result.disclosure.threshold).map(([k]) => k);
    expect(small.length).toBeGreaterThan(0);
    const listed = new Set(result.rows.map((r) => r.keys.join('|')));
    for (const k of small) expect([k, listed.has(k)]).toEqual([k, false]);
    expect(listed.size).toBe(real.size - small.length);
    expect(result.rows.length).toBeGreaterThan(0);
    for (const row of result.rows) {
      expect(real.get(row.keys.join('|'))).toBeGreaterThanOrEqual(result.disclosure.threshold);
      expect(row.cells[0].flags).toEqual(['perturbed']);
      expect(row.cells[0].value).toBeGreaterThanOrEqual(result.disclosure.threshold);
    }
  });

  it('keeps the median relative error of cells of 100 or more under 2%, the noise within ±6', async () => {
    const result = await aggregate({ groupBy: [{ dimension: 'area', level: 'district' }, { dimension: 'kind' }] });
    const real = await truth();
    const errors: number[] = [];
    expect(result.rows.length).toBeGreaterThan(5);
    for (const row of result.rows) {
      const n = real.get(row.keys.join('|')) as number;
      const value = row.cells[0].value as number;
      expect(Math.abs(value - n)).toBeLessThanOrEqual(6);
      if (n >= 100) errors.push(Math.abs(value - n) / n);
    }
    expect(errors.length).toBeGreaterThan(5);
    errors.sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.02);
  });

  it('states the method, threshold, suppressed cells and the remaining distinct-query budget', async () => {
    const before = await aggregate({ groupBy: [{ dimension: 'kind' }] });
    const after = await aggregate({
      groupBy: [{ dimension: 'kind' }],
      filters: [{ dimension: 'kind', in: ['complaint'] }],
    });
    expect(before.disclosure).toMatchObject({ method: 'cell-key', threshold: 10 });
    expect(after.disclosure.budgetRemaining).toBe(before.disclosure.budgetRemaining - 1);
    expect(after.licenseId).toBe(licenseId);
  });
});
