import { insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { grantTestLicense } from './utils/grant-license.js';
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

  it('names in yourAccess the licences the caller holds for that dataset, or says there are none', async () => {
    const access = async () =>
      (await t.gql(`{ dataset(slug: "hotline-cases") { yourAccess } }`, {}, 'test-researcher').expect(200)).body.data
        .dataset.yourAccess as string;
    expect(await access()).toBe('licence required: you hold none for it; request one with requestLicense');
    const id = await grantTestLicense(t, 'yourAccess: the licences held', [
      { dataset: 'hotline-cases', dimensions: [{ dimension: 'area', level: 'city' }] },
    ]);
    expect(await access()).toBe(
      `licensed: your licences for it: ${id} (active until 2028-12-31); pass an active one as licenseId`,
    );
    // Only that dataset's: the open one says nothing of it.
    const open = await t.gql(`{ dataset(slug: "hotline-cases-open") { yourAccess } }`, {}, 'test-researcher');
    expect(open.body.data.dataset.yourAccess).not.toMatch(new RegExp(id));
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

  it('cites the period the data cover apart from the version, once published with one', async () => {
    const slug = 'hotline-cases-period';
    const published = await t.gql(
      PUBLISH,
      { input: input({ slug, periodFrom: '2021-01-01', periodTo: '2022-12-31', versionDate: '2023-02-01' }) },
      'test-steward',
    );
    expect(published.body.errors).toBeUndefined();
    const res = await t
      .gql(
        `{ aggregate(query: { dataset: "${slug}", measures: ["cases"] }) { citation } dataset(slug: "${slug}") { periodFrom periodTo versionDate } }`,
        {},
        'test-steward',
      )
      .expect(200);
    expect(res.body.data.dataset).toEqual({
      periodFrom: '2021-01-01',
      periodTo: '2022-12-31',
      versionDate: '2023-02-01',
    });
    expect(res.body.data.aggregate.citation).toMatch(
      /^Suzhou cases \/ 苏州工单\. Suzhou 12345, data 2021-01-01 to 2022-12-31, version 2023-02-01\. Dataset "hotline-cases-period"\./,
    );
    const half = await t.gql(PUBLISH, { input: input({ slug, periodFrom: '2021-01-01' }) }, 'test-steward');
    expect(half.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(half.body.errors[0].message).toMatch(/periodFrom and periodTo go together/);
  });
});
