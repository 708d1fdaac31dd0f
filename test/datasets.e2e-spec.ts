import { insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

const PUBLISH = `mutation P($input: PublishDatasetInput!) { publishDataset(input: $input) {
  slug classification published dimensions { code levels { code } } measures { code definition } disclosure { method threshold } } }`;

const input = (overrides: Record<string, unknown> = {}) => ({
  slug: 'hotline-cases-suzhou',
  titleZh: '苏州工单',
  titleEn: 'Suzhou cases',
  descriptionZh: '苏州市工单汇总',
  descriptionEn: 'Suzhou case aggregates',
  publisher: 'Suzhou 12345',
  versionDate: '2022-06-30',
  classification: 'restricted',
  termsOfUse: 'Licensed use only.',
  source: 'cases',
  dimensions: [
    { dimension: 'time', levels: ['year', 'month'] },
    { dimension: 'area', levels: ['city', 'district'] },
  ],
  measures: ['cases', 'onTimeRate'],
  disclosureMethod: 'threshold',
  disclosureThreshold: 10,
  ...overrides,
});

describe('catalog', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows dimensions, levels with members or formats, measures, statutory limits and your access', async () => {
    const res = await t
      .gql(
        `{ dataset(slug: "hotline-cases") { source yourAccess licenseRequired statutoryLimits { kind days }
           dimensions { code levels { code format members { code labelZh labelEn parentCode } } }
           measures { code unit definition } disclosure { method threshold } } }`,
        {},
        'test-department-320500-housing',
      )
      .expect(200);
    const d = res.body.data.dataset;
    expect(d.source).toBe('cases');
    expect(d.yourAccess).toMatch(/department's cases only \(department 320500-housing\)/);
    const area = d.dimensions.find((x: { code: string }) => x.code === 'area');
    const district = area.levels.find((l: { code: string }) => l.code === 'district');
    expect(district.members).toContainEqual({
      code: '320508',
      labelZh: '姑苏区',
      labelEn: 'Gusu',
      parentCode: '320500',
    });
    const time = d.dimensions.find((x: { code: string }) => x.code === 'time');
    expect(time.levels.find((l: { code: string }) => l.code === 'week').format).toMatch(/2021-W09/);
    const kind = d.dimensions.find((x: { code: string }) => x.code === 'kind');
    expect(kind.levels[0].members.map((m: { code: string }) => m.code)).toEqual([
      'consultation',
      'help',
      'complaint',
      'report',
      'suggestion',
      'praise',
    ]);
    expect(d.measures.map((m: { code: string }) => m.code)).toEqual(
      expect.arrayContaining(['cases', 'medianHandlingDays', 'p90HandlingDays', 'onTimeRate', 'repeatRate']),
    );
    expect(d.measures.find((m: { code: string }) => m.code === 'onTimeRate').definition).toMatch(/consultation 1 d/);
    expect(d.statutoryLimits).toContainEqual({ kind: 'consultation', days: 1 });
  });

  it('shows the public only the open dataset, at its coarse levels', async () => {
    const res = await t.gql(`{ datasets { slug yourAccess dimensions { code levels { code } } } }`).expect(200);
    expect(res.body.data.datasets.map((d: { slug: string }) => d.slug)).toEqual(['hotline-cases-open']);
    const area = res.body.data.datasets[0].dimensions.find((x: { code: string }) => x.code === 'area');
    expect(area.levels.map((l: { code: string }) => l.code)).toEqual(['province', 'city']);
  });

  describe('publishDataset', () => {
    it('is refused to everyone but stewards', async () => {
      const res = await t.gql(PUBLISH, { input: input() }, 'test-researcher').expect(200);
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const anon = await t.gql(PUBLISH, { input: input() }).expect(200);
      expect(anon.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it.each([
      [{ dimensions: [{ dimension: 'weather', levels: ['day'] }] }, /no dimension "weather"/, 'satisfaction'],
      [{ dimensions: [{ dimension: 'area', levels: ['city', 'block'] }] }, /no level "block"/, 'street'],
      [{ measures: ['cases', 'answerRate'] }, /no measure "answerRate"/, 'repeatRate'],
      [{ source: 'traffic', dimensions: [{ dimension: 'area', levels: ['district'] }] }, /no level "district"/, 'city'],
    ])('refuses unknown dimensions, levels and measures (%j)', async (part, message, choice) => {
      const res = await t.gql(PUBLISH, { input: input(part) }, 'test-steward').expect(200);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(message);
      expect(res.body.errors[0].extensions.validChoices).toContain(choice);
    });

    it('validates fields (class-validator) with a message saying what to fix', async () => {
      const res = await t.gql(
        PUBLISH,
        { input: input({ slug: 'Bad Slug', versionDate: '30/06/2022' }) },
        'test-steward',
      );
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(/slug: use 2 to 63 lower-case/);
      expect(res.body.errors[0].message).toMatch(/versionDate: write an ISO date/);
    });

    it('creates, updates and unpublishes a dataset, each audited', async () => {
      const created = await t.gql(PUBLISH, { input: input() }, 'test-steward').expect(200);
      expect(created.body.errors).toBeUndefined();
      expect(created.body.data.publishDataset.dimensions).toEqual([
        { code: 'time', levels: [{ code: 'year' }, { code: 'month' }] },
        { code: 'area', levels: [{ code: 'city' }, { code: 'district' }] },
      ]);
      const dept = await t.gql(`{ datasets { slug } }`, {}, 'test-department-320500-housing');
      expect(dept.body.data.datasets.map((d: { slug: string }) => d.slug)).toContain('hotline-cases-suzhou');

      const updated = await t
        .gql(PUBLISH, { input: input({ published: false, disclosureThreshold: 15 }) }, 'test-steward')
        .expect(200);
      expect(updated.body.data.publishDataset).toMatchObject({ published: false, disclosure: { threshold: 15 } });
      const hidden = await t.gql(`{ datasets { slug } }`, {}, 'test-department-320500-housing');
      expect(hidden.body.data.datasets.map((d: { slug: string }) => d.slug)).not.toContain('hotline-cases-suzhou');
      const query = await t.gql(
        `query { aggregate(query: { dataset: "hotline-cases-suzhou", measures: ["cases"] }) { auditEventId } }`,
        {},
        'test-steward',
      );
      expect(query.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');

      const audit = await t.dataSource.query(
        `SELECT operation, decision, reason, target FROM audit_event WHERE operation = 'publishDataset' AND decision = 'allowed' ORDER BY id`,
      );
      expect(audit).toEqual([
        { operation: 'publishDataset', decision: 'allowed', reason: 'created', target: 'dataset:hotline-cases-suzhou' },
        { operation: 'publishDataset', decision: 'allowed', reason: 'updated', target: 'dataset:hotline-cases-suzhou' },
      ]);
    });
  });
});
