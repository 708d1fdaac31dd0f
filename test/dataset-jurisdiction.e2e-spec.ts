import { join } from 'node:path';
import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { ImportRunner } from '../src/ingest/import/import-runner.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * One dataset, one source and jurisdiction: NYC 311 requests imported beside Jiangsu's 12345 cases
 * land in `nyc311-cases`, with New York's areas and categories, and never count in hotline-cases.
 */
describe('datasets by jurisdiction', () => {
  let t: TestApp;
  let nycAccepted: number;
  const JIANGSU_CASES = 600;

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: JIANGSU_CASES, seed: 7 });
    const nyc = await new ImportRunner(t.dataSource, Buffer.alloc(32, 7)).run({
      file: join(import.meta.dirname, '..', 'docs', 'examples', 'nyc311-sample.csv'),
      profile: 'nyc311',
    });
    nycAccepted = nyc.accepted;
    expect(nycAccepted).toBeGreaterThan(150);
    await refreshRollups(t.dataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  const aggregate = async (dataset: string, level: string) => {
    const res = await t
      .gql(
        `{ aggregate(query: { dataset: "${dataset}", groupBy: [{ dimension: "area", level: "${level}" }], measures: ["cases"] }) { rows { keys cells { value } } } }`,
        {},
        'test-steward',
      )
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    return (res.body.data.aggregate.rows as { keys: string[]; cells: { value: number }[] }[]).map(
      (r) => [r.keys[0], r.cells[0].value] as const,
    );
  };

  it('counts only its own jurisdiction: hotline-cases Jiangsu, nyc311-cases New York', async () => {
    // Exact values for a steward: the totals are the records of each source.
    expect(await aggregate('hotline-cases', 'province')).toEqual([['320000', JIANGSU_CASES]]);
    expect(await aggregate('nyc311-cases', 'province')).toEqual([['US-NY', nycAccepted]]);
    expect((await aggregate('hotline-cases', 'city')).map(([city]) => city)).not.toContain('US-NY-NYC');
    const boroughs = await aggregate('nyc311-cases', 'district');
    expect(boroughs.length).toBeGreaterThan(1);
    expect(boroughs.every(([code]) => code.startsWith('US-NY-NYC-') || code === 'unknown')).toBe(true);
  });

  it("refuses another jurisdiction's area codes in a filter, naming this dataset's own", async () => {
    const filtered = (dataset: string, city: string) =>
      t.gql(
        `{ aggregate(query: { dataset: "${dataset}", groupBy: [{ dimension: "kind", level: "kind" }], measures: ["cases"], filters: [{ dimension: "area", level: "city", in: ["${city}"] }] }) { rows { keys } } }`,
        {},
        'test-steward',
      );
    const nycInJiangsu = await filtered('hotline-cases', 'US-NY-NYC');
    expect(nycInJiangsu.body.errors).toHaveLength(1);
    expect(nycInJiangsu.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(nycInJiangsu.body.errors[0].message).toMatch(/"US-NY-NYC" is not a area city code\. Valid codes: .*320500/);
    const suzhouInNyc = await filtered('nyc311-cases', '320500');
    expect(suzhouInNyc.body.errors).toHaveLength(1);
    expect(suzhouInNyc.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(suzhouInNyc.body.errors[0].message).toMatch(/"320500" is not a area city code\. Valid codes: .*US-NY-NYC/);
    const own = await filtered('hotline-cases', '320500');
    expect(own.body.errors).toBeUndefined();
  });

  it("lists each dataset's own members only: areas, categories and departments", async () => {
    const members = async (slug: string) => {
      const res = await t
        .gql(
          `{ dataset(slug: "${slug}") { dimensions { code levels { code members { code } } } } }`,
          {},
          'test-steward',
        )
        .expect(200);
      const byLevel = new Map<string, string[]>();
      for (const d of res.body.data.dataset.dimensions as {
        code: string;
        levels: { code: string; members: { code: string }[] }[];
      }[]) {
        for (const l of d.levels)
          byLevel.set(
            `${d.code}.${l.code}`,
            l.members.map((m) => m.code),
          );
      }
      return byLevel;
    };
    const jiangsu = await members('hotline-cases');
    const nyc = await members('nyc311-cases');
    expect(nyc.get('area.city')).toEqual(['US-NY-NYC']);
    expect(jiangsu.get('area.city')).not.toContain('US-NY-NYC');
    expect(jiangsu.get('area.city')!.length).toBeGreaterThan(0);
    expect(nyc.get('category.l1')!.length).toBeGreaterThan(5);
    expect(nyc.get('category.l1')!.every((c) => c.startsWith('NYC_'))).toBe(true);
    expect(jiangsu.get('category.l1')!.some((c) => c.startsWith('NYC_'))).toBe(false);
    expect(nyc.get('department.department')!.every((d) => d.startsWith('NYC-'))).toBe(true);
    expect(jiangsu.get('department.department')!.some((d) => d.startsWith('NYC-'))).toBe(false);
  });
});
