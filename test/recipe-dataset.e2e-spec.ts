import { MigrationInterface, QueryRunner } from 'typeorm';
import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { dimensionSpec, measureSpec, Series, SERIES, SERIES_DIMENSIONS } from '../src/catalog/registry.js';
import type { DatasetDefinition } from '../src/datasets/dataset.entity.js';
import { insertReferenceData, insertTraffic } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * The recipe "add a dataset" of docs/architecture.md, followed on a real database: the one step
 * it asks for, a migration that inserts one `dataset` row, and nothing else. The gateway's catalog
 * (`datasets`), the aggregate engine (`aggregate`, through the planner, the SQL compiler and the
 * rollups of the dataset's source) and the registry all agree on it.
 */
const SLUG = 'call-traffic-open';

/** The recipe's migration, as it would sit in migrations/ (registered in migrations/index.ts). */
class CallTrafficOpenDataset1764205800000 implements MigrationInterface {
  name = 'CallTrafficOpenDataset1764205800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const definition: DatasetDefinition = {
      source: 'traffic',
      jurisdiction: '320000',
      dimensions: [
        {
          code: 'time',
          titleZh: '时间',
          titleEn: 'Time',
          levels: [
            { code: 'year', titleZh: '年', titleEn: 'Year' },
            { code: 'month', titleZh: '月', titleEn: 'Month' },
          ],
        },
        {
          code: 'area',
          titleZh: '地区',
          titleEn: 'Area',
          levels: [{ code: 'city', titleZh: '地市', titleEn: 'City' }],
        },
      ],
      measures: [
        {
          code: 'callsOffered',
          titleZh: '呼入量',
          titleEn: 'Calls offered',
          unit: 'count',
          definition: 'Calls that reached the hotline.',
        },
        {
          code: 'answerRate',
          titleZh: '接通率',
          titleEn: 'Answer rate',
          unit: 'ratio',
          definition: 'Calls answered divided by calls offered.',
        },
      ],
      disclosure: { method: 'threshold', threshold: 20 },
    };
    await queryRunner.query(
      `INSERT INTO "dataset" ("slug", "title_zh", "title_en", "description_zh", "description_en", "publisher",
         "version_date", "classification", "terms_of_use", "definition")
       VALUES ($1, '12345热线话务量（开放版）', '12345 hotline call traffic (open)', '各地市每月呼入电话数及接通率。',
         'Monthly calls offered and answer rate per city.', 'Jiangsu 12345 Hotline Centre data office', '2022-01-01',
         'open', 'Open data. Cite the source.', $2)`,
      [SLUG, JSON.stringify(definition)],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "dataset" WHERE "slug" = $1`, [SLUG]);
  }
}

const AGGREGATE = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) {
  dataset columns rows { keys cells { measure value } } disclosure { method threshold } } }`;

describe('recipe: add a dataset', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertTraffic(t.dataSource, 11, ['320500', '320100'], '2021-03-28', 8);
    await refreshRollups(t.dataSource);
    const runner = t.dataSource.createQueryRunner();
    try {
      await new CallTrafficOpenDataset1764205800000().up(runner);
    } finally {
      await runner.release();
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the new dataset in the catalog, to the public, with what its row says', async () => {
    const res = await t
      .gql(
        `{ datasets { slug source classification licenseRequired jurisdiction yourAccess
            dimensions { code levels { code members { code } } } measures { code unit } disclosure { method threshold } } }`,
      )
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    const d = res.body.data.datasets.find((x: { slug: string }) => x.slug === SLUG);
    expect(d).toMatchObject({
      source: 'traffic',
      classification: 'open',
      licenseRequired: false,
      jurisdiction: '320000',
      disclosure: { method: 'threshold', threshold: 20 },
      measures: [
        { code: 'callsOffered', unit: 'count' },
        { code: 'answerRate', unit: 'ratio' },
      ],
    });
    expect(d.yourAccess).toMatch(/^open: anyone may query it/);
    expect(d.dimensions.map((x: { code: string; levels: { code: string }[] }) => [x.code, x.levels.length])).toEqual([
      ['time', 2],
      ['area', 1],
    ]);
    const cities = d.dimensions[1].levels[0].members.map((m: { code: string }) => m.code);
    expect(cities).toEqual(expect.arrayContaining(['320500', '320100']));
  });

  it('names only what the registry offers for its source, with the registry titles', async () => {
    const rows = await t.dataSource.query<{ slug: string; definition: DatasetDefinition }[]>(
      `SELECT slug, definition FROM dataset ORDER BY slug`,
    );
    expect(rows.map((r) => r.slug)).toContain(SLUG);
    for (const { slug, definition } of rows) {
      const source = (definition.source ?? 'cases') as Series;
      expect([slug, SERIES.includes(source)]).toEqual([slug, true]);
      for (const dimension of definition.dimensions) {
        const spec = dimensionSpec(dimension.code);
        const finest = SERIES_DIMENSIONS[source][dimension.code];
        expect([slug, dimension.code, spec !== undefined && finest !== undefined]).toEqual([
          slug,
          dimension.code,
          true,
        ]);
        const offered = spec!.levels.slice(0, spec!.levels.findIndex((l) => l.code === finest) + 1);
        expect(dimension.levels.length).toBeGreaterThan(0);
        for (const level of dimension.levels) {
          const registered = offered.find((l) => l.code === level.code);
          expect([slug, dimension.code, level.code, registered?.titleEn]).toEqual([
            slug,
            dimension.code,
            level.code,
            level.titleEn,
          ]);
        }
      }
      expect(definition.measures.length).toBeGreaterThan(0);
      for (const measure of definition.measures) {
        const spec = measureSpec(source, measure.code);
        expect([slug, measure.code, spec?.unit]).toEqual([slug, measure.code, measure.unit]);
      }
    }
  });

  it('answers aggregate queries on it from the rollups of its source, for the public', async () => {
    // The engine reads the catalog at most once a second: the new row shows within that.
    let res = await t.gql(AGGREGATE, {
      q: {
        dataset: SLUG,
        groupBy: [
          { dimension: 'time', level: 'month' },
          { dimension: 'area', level: 'city' },
        ],
        measures: ['callsOffered', 'answerRate'],
      },
    });
    for (let i = 0; i < 20 && res.body.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      res = await t.gql(AGGREGATE, {
        q: {
          dataset: SLUG,
          groupBy: [
            { dimension: 'time', level: 'month' },
            { dimension: 'area', level: 'city' },
          ],
          measures: ['callsOffered', 'answerRate'],
        },
      });
    }
    expect(res.body.errors).toBeUndefined();
    const r = res.body.data.aggregate;
    expect(r.columns).toEqual(['time.month', 'area.city', 'callsOffered', 'answerRate']);
    expect(r.disclosure).toMatchObject({ method: 'threshold', threshold: 20 });
    const truth = await t.dataSource.query<{ month: string; city: string; offered: number; rate: number }[]>(
      `SELECT to_char(hour_start AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, city_code AS city,
         sum(calls_offered)::int AS offered, sum(calls_answered)::float8 / sum(calls_offered) AS rate
       FROM call_traffic GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(truth).toHaveLength(4);
    const got = [...r.rows]
      .map((row: { keys: string[]; cells: { value: number }[] }) => ({
        month: row.keys[0],
        city: row.keys[1],
        offered: row.cells[0].value,
        rate: row.cells[1].value,
      }))
      .sort((a, b) => (a.month + a.city < b.month + b.city ? -1 : 1));
    expect(got).toHaveLength(truth.length);
    for (const [i, row] of got.entries()) {
      expect([row.month, row.city, row.offered]).toEqual([truth[i].month, truth[i].city, truth[i].offered]);
      // Released ratios are rounded to three decimals.
      expect(row.rate).toBeCloseTo(truth[i].rate, 3);
    }
  });

  it('refuses what the new row does not publish, with the valid choices', async () => {
    const res = await t.gql(AGGREGATE, {
      q: { dataset: SLUG, groupBy: [{ dimension: 'time', level: 'day' }], measures: ['callsOffered'] },
    });
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].extensions.validChoices).toEqual(['year', 'month']);
  });
});
