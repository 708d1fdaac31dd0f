// Step 1 first: the registry entry must be in place before anything derives from the registry.
import { URGENCY_VOCABULARY } from './utils/urgency-dimension.js';
import { planQuery } from '../src/aggregate/query-planner.js';
import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { compileSql } from '../src/aggregate/sql-compiler.js';
import { CUBES, cubeColumns, FINEST_CUBE } from '../src/catalog/registry.js';
import type { DatasetDefinition } from '../src/datasets/dataset.entity.js';
import { MembersService } from '../src/datasets/members.service.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * The recipe "add a dimension" of docs/architecture.md, followed on a real database with a new
 * dimension `urgency` (normal or urgent, not always recorded): (1) its registry entry and the
 * line that lets the cases series offer it (test/utils/urgency-dimension.ts, imported first);
 * (2) the recipe's migration, run below: the record column, the fine cube's column, the dataset
 * that publishes it, every day marked dirty; (3) records that carry it (here set by SQL, in the
 * transaction that marks their days dirty, as an importer does: a real importer maps the column
 * in src/ingest/import). Nothing else is touched, and the catalog, the member directory, the
 * planner, the SQL compiler, the rollup refresher and the GraphQL answers all pick it up.
 */
const AGGREGATE = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) {
  columns rows { keys labels labelsEn cells { measure value } } } }`;

const MIGRATION = [
  `ALTER TABLE "case_record" ADD COLUMN "urgency" text
     CONSTRAINT "case_record_urgency_check" CHECK ("urgency" IN ('normal', 'urgent'))`,
  `ALTER TABLE "rollup_cases_fine" ADD COLUMN "urgency" text COLLATE "C" NOT NULL DEFAULT ''`,
  `UPDATE "dataset" SET "definition" = jsonb_set("definition", '{dimensions}', ("definition" -> 'dimensions') ||
     '[{"code": "urgency", "titleZh": "紧急程度", "titleEn": "Urgency",
        "levels": [{"code": "urgency", "titleZh": "紧急程度", "titleEn": "Urgency"}]}]'::jsonb)
    WHERE "slug" = 'hotline-cases'`,
  `INSERT INTO rollup_dirty_day (series, day)
     SELECT DISTINCT 'cases', (received_at AT TIME ZONE 'Asia/Shanghai')::date FROM case_record ON CONFLICT DO NOTHING`,
];

describe('recipe: add a dimension', () => {
  let t: TestApp;
  const q = (query: Record<string, unknown>) => t.gql(AGGREGATE, { q: query }, 'test-steward');
  const truth = (where = 'true') =>
    t.dataSource.query<{ urgency: string; kind: string; n: number; avg: number | null }[]>(
      `SELECT coalesce(urgency, 'unknown') AS urgency, kind, count(*)::int AS n,
         avg(extract(epoch FROM closed_at - received_at) / 86400)::float8 AS avg
       FROM case_record WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
    );

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    for (const statement of MIGRATION) await t.dataSource.query(statement);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 3000, seed: 77, from: '2021-02-01', to: '2021-04-30' });
    await t.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE case_record SET urgency = CASE WHEN record_key % 7 = 0 THEN NULL
           WHEN kind IN ('complaint', 'report') OR record_key % 3 = 0 THEN 'urgent' ELSE 'normal' END`,
      );
      await m.query(
        `INSERT INTO rollup_dirty_day (series, day)
         SELECT DISTINCT 'cases', (received_at AT TIME ZONE 'Asia/Shanghai')::date FROM case_record ON CONFLICT DO NOTHING`,
      );
    });
    await refreshRollups(t.dataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the dimension in the catalog with the members of its vocabulary', async () => {
    const res = await t
      .gql(
        `{ dataset(slug: "hotline-cases") { dimensions { code titleEn levels { code members { code labelZh labelEn } } } } }`,
        {},
        'test-steward',
      )
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    const urgency = res.body.data.dataset.dimensions.find((d: { code: string }) => d.code === 'urgency');
    expect(urgency).toEqual({
      code: 'urgency',
      titleEn: 'Urgency',
      levels: [
        {
          code: 'urgency',
          members: Object.entries(URGENCY_VOCABULARY).map(([code, [labelZh, labelEn]]) => ({
            code,
            labelZh,
            labelEn,
          })),
        },
      ],
    });
  });

  it('lets stewards publish it for the cases series, and only there', async () => {
    const publish = `mutation P($input: PublishDatasetInput!) { publishDataset(input: $input) { slug dimensions { code } } }`;
    const input = (source: string, measures: string[]) => ({
      slug: `urgency-${source}`,
      titleZh: '紧急程度',
      titleEn: 'Urgency',
      descriptionZh: '按紧急程度',
      descriptionEn: 'By urgency',
      publisher: 'Test',
      versionDate: '2021-12-31',
      classification: 'restricted',
      termsOfUse: 'Licensed use only.',
      source,
      dimensions: [
        { dimension: 'time', levels: ['month'] },
        { dimension: 'urgency', levels: ['urgency'] },
      ],
      measures,
      disclosureMethod: 'threshold',
      disclosureThreshold: 10,
    });
    const ok = await t.gql(publish, { input: input('cases', ['cases']) }, 'test-steward').expect(200);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.publishDataset.dimensions.map((d: { code: string }) => d.code)).toEqual(['time', 'urgency']);
    const refused = await t.gql(publish, { input: input('traffic', ['callsOffered']) }, 'test-steward').expect(200);
    expect(refused.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors[0].extensions.validChoices).not.toContain('urgency');
  });

  it('keeps it in the fine cube, filled by the refresher from the records', async () => {
    const fine = CUBES.find((c) => c.table === FINEST_CUBE.cases)!;
    expect(cubeColumns(fine)).toContain('urgency');
    const cube = await t.dataSource.query<{ urgency: string; n: number }[]>(
      `SELECT urgency, sum(cases)::int AS n FROM rollup_cases_fine GROUP BY 1 ORDER BY 1`,
    );
    const records = await t.dataSource.query<{ urgency: string; n: number }[]>(
      `SELECT coalesce(urgency, '') AS urgency, count(*)::int AS n FROM case_record GROUP BY 1 ORDER BY 1`,
    );
    expect(records.map((r) => r.urgency)).toEqual(['', 'normal', 'urgent']);
    expect(cube).toEqual(records);
  });

  it('plans and compiles a query on it against the cube that keeps it', async () => {
    const [row] = await t.dataSource.query<{ slug: string; definition: DatasetDefinition }[]>(
      `SELECT slug, definition FROM dataset WHERE slug = 'hotline-cases'`,
    );
    const directory = await t.app.get(MembersService).directory();
    const plan = planQuery(
      row,
      {
        dataset: 'hotline-cases',
        groupBy: [{ dimension: 'urgency' }],
        filters: [{ dimension: 'urgency', in: ['urgent'] }],
        measures: ['cases'],
      },
      directory,
    );
    expect(plan.groups.map((g) => g.column)).toEqual(['urgency']);
    const compiled = compileSql(plan);
    expect(compiled.cube).toBe(FINEST_CUBE.cases);
    expect(compiled.sql).toMatch(/\burgency AS k0\b/);
    expect(compiled.params).toContainEqual(['urgent']);
  });

  it('answers aggregate queries grouped by it, labelled, with unknown for records without it', async () => {
    const res = await q({
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'urgency' }, { dimension: 'kind' }],
      measures: ['cases', 'avgHandlingDays'],
    }).expect(200);
    expect(res.body.errors).toBeUndefined();
    const r = res.body.data.aggregate;
    expect(r.columns).toEqual(['urgency', 'kind', 'cases', 'avgHandlingDays']);
    const expected = await truth();
    expect(new Set(expected.map((x) => x.urgency))).toEqual(new Set(['unknown', 'normal', 'urgent']));
    const got = new Map(r.rows.map((row: { keys: string[] }) => [row.keys.join('/'), row]));
    expect(got.size).toBe(expected.length);
    for (const e of expected) {
      const row = got.get(`${e.urgency}/${e.kind}`) as { cells: { value: number }[] } | undefined;
      expect([e.urgency, e.kind, row?.cells[0].value]).toEqual([e.urgency, e.kind, e.n]);
      expect(row!.cells[1].value).toBeCloseTo(e.avg!, 9);
    }
    const urgent = r.rows.find((row: { keys: string[] }) => row.keys[0] === 'urgent');
    expect([urgent.labels[0], urgent.labelsEn[0]]).toEqual(['紧急', 'Urgent']);
    const unknown = r.rows.find((row: { keys: string[] }) => row.keys[0] === 'unknown');
    expect(unknown.labelsEn[0]).toBe('Unknown');
  });

  it('filters on it, and refuses a member outside its vocabulary with the valid choices', async () => {
    const res = await q({
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'kind' }],
      filters: [{ dimension: 'urgency', in: ['urgent'] }],
      measures: ['cases'],
    }).expect(200);
    expect(res.body.errors).toBeUndefined();
    const expected = await truth(`urgency = 'urgent'`);
    const rows = res.body.data.aggregate.rows as { keys: string[]; cells: { value: number }[] }[];
    expect(rows.map((row) => [row.keys[0], row.cells[0].value]).sort()).toEqual(
      expected.map((e) => [e.kind, e.n]).sort(),
    );
    const bad = await q({
      dataset: 'hotline-cases',
      filters: [{ dimension: 'urgency', in: ['critical'] }],
      measures: ['cases'],
    }).expect(200);
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.body.errors[0].extensions.validChoices).toEqual(Object.keys(URGENCY_VOCABULARY));
  });
});
