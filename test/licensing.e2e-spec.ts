import { FixedClock } from '../src/common/clock.js';
import { LicenseEnforcer } from '../src/licensing/license-enforcer.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials, testActor } from './utils/test-credentials.js';

const RESEARCHER = 'test:researcher:r1';
const OTHER_RESEARCHER = 'test:researcher:r2';
const STEWARD = 'test:steward:s1';
const STEWARD_2 = 'test:steward:s2';
const AUDITOR = 'test:auditor:a1';
const DEPARTMENT = 'test:department:d1:320500-housing';

const FIELDS = `id status statusReason kind licenseeId requestedById decidedById purpose validFrom validTo dailyQuota
  datasets { dataset dimensions { dimension level } cities periodFrom periodTo }
  obligations { code acceptedAt } usage { usedToday remainingToday resetsAt total }`;

const REQUEST = `mutation($input: RequestLicenseInput!) { requestLicense(input: $input) { ${FIELDS} } }`;
const APPROVE = `mutation($id: ID!, $narrow: LicenseNarrowingInput) { approveLicense(id: $id, narrow: $narrow) { ${FIELDS} } }`;
const decision = (name: string) =>
  `mutation($id: ID!, $reason: String!) { ${name}(id: $id, input: { reason: $reason }) { id status statusReason } }`;

const requestInput = (overrides: Record<string, unknown> = {}) => ({
  purpose: 'Study of repeat property-management complaints in Suzhou, 2021',
  datasets: [
    {
      dataset: 'hotline-cases',
      dimensions: [
        { dimension: 'time', level: 'month' },
        { dimension: 'area', level: 'district' },
        { dimension: 'category', level: 'l2' },
      ],
      cities: ['320500'],
      periodFrom: '2021-01-01',
      periodTo: '2021-12-31',
    },
  ],
  validFrom: '2027-01-01',
  validTo: '2027-12-31',
  dailyQuota: 3,
  acceptObligations: ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'],
  ...overrides,
});

describe('data-use licences', () => {
  let t: TestApp;
  const clock = new FixedClock(new Date('2027-01-10T02:00:00Z'));
  let enforcer: LicenseEnforcer;

  beforeAll(async () => {
    t = await createTestApp({}, { clock });
    registerTestCredentials(t.app);
    enforcer = t.app.get(LicenseEnforcer);
  });
  afterAll(async () => {
    await t.close();
  });

  const request = async (token = RESEARCHER, overrides: Record<string, unknown> = {}) => {
    const res = await t.gql(REQUEST, { input: requestInput(overrides) }, token);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.requestLicense as { id: string; status: string };
  };
  const query = (groupBy: { dimension: string; level?: string }[], filters: Record<string, unknown>[] = []) => ({
    dataset: 'hotline-cases',
    groupBy,
    filters: filters as never,
  });

  describe('requestLicense', () => {
    it('is denied to the public and to auditors', async () => {
      const pub = await t.gql(REQUEST, { input: requestInput() });
      expect(pub.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const auditor = await t.gql(REQUEST, { input: requestInput() }, AUDITOR);
      expect(auditor.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('refuses a request that does not accept every obligation, naming the missing ones', async () => {
      const res = await t.gql(REQUEST, { input: requestInput({ acceptObligations: ['cite-source'] }) }, RESEARCHER);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(/no-reidentification, no-onward-sharing, report-publications/);
    });

    it('refuses unknown datasets, dimensions and levels, and open datasets, saying what is valid', async () => {
      const res = await t.gql(
        REQUEST,
        {
          input: requestInput({
            datasets: [
              { dataset: 'nope', dimensions: [{ dimension: 'time', level: 'month' }] },
              { dataset: 'hotline-cases', dimensions: [{ dimension: 'area', level: 'village' }] },
              { dataset: 'hotline-cases-open', dimensions: [{ dimension: 'time', level: 'month' }] },
            ],
          }),
        },
        RESEARCHER,
      );
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(
        /unknown dataset "nope" \(valid: call-traffic, hotline-cases, hotline-cases-open, nyc311-cases\)/,
      );
      expect(res.body.errors[0].message).toMatch(
        /dimension area has no level "village" \(valid: province, city, district, street\)/,
      );
      expect(res.body.errors[0].message).toMatch(/hotline-cases-open is open data and needs no licence/);
    });

    it('refuses malformed input with class-validator messages', async () => {
      const res = await t.gql(
        REQUEST,
        { input: requestInput({ purpose: 'short', dailyQuota: 0, validTo: 'tomorrow' }) },
        RESEARCHER,
      );
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(/purpose must say what the data is for/);
      expect(res.body.errors[0].message).toMatch(/validTo must be a date/);
    });

    it('records a request with the obligations accepted and their time', async () => {
      const sut = await request();
      expect(sut).toMatchObject({ status: 'requested', kind: 'research', licenseeId: 'r1', requestedById: 'r1' });
      expect((sut as unknown as { obligations: { code: string; acceptedAt: string }[] }).obligations).toEqual(
        ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'].map((code) => ({
          code,
          acceptedAt: '2027-01-10T02:00:00.000Z',
        })),
      );
    });
  });

  describe('approveLicense', () => {
    it('is denied to researchers, departments and auditors', async () => {
      const { id } = await request();
      for (const token of [RESEARCHER, DEPARTMENT, AUDITOR]) {
        const res = await t.gql(APPROVE, { id }, token);
        expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      }
    });

    it('refuses to widen a request and narrows it when asked', async () => {
      const { id } = await request();
      const wider = await t.gql(
        APPROVE,
        {
          id,
          narrow: { datasets: [{ dataset: 'hotline-cases', dimensions: [{ dimension: 'area', level: 'street' }] }] },
        },
        STEWARD,
      );
      expect(wider.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(wider.body.errors[0].message).toMatch(/area down to street is finer than the requested district/);
      expect(wider.body.errors[0].message).toMatch(/drops the cities restriction/);

      const res = await t.gql(
        APPROVE,
        {
          id,
          narrow: {
            datasets: [
              {
                dataset: 'hotline-cases',
                dimensions: [
                  { dimension: 'time', level: 'quarter' },
                  { dimension: 'area', level: 'city' },
                ],
                cities: ['320500'],
                periodFrom: '2021-01-01',
                periodTo: '2021-06-30',
              },
            ],
            dailyQuota: 2,
          },
        },
        STEWARD,
      );
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.approveLicense).toMatchObject({
        status: 'active',
        decidedById: 's1',
        dailyQuota: 2,
        datasets: [
          {
            dataset: 'hotline-cases',
            dimensions: [
              { dimension: 'time', level: 'quarter' },
              { dimension: 'area', level: 'city' },
            ],
            cities: ['320500'],
            periodTo: '2021-06-30',
          },
        ],
      });
    });

    it('refuses a second decision on a licence already decided', async () => {
      const { id } = await request();
      await t.gql(APPROVE, { id }, STEWARD).expect(200);
      const again = await t.gql(decision('rejectLicense'), { id, reason: 'changed my mind' }, STEWARD);
      expect(again.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(again.body.errors[0].message).toMatch(
        /is active; rejectLicense applies only to a licence that is requested/,
      );
    });
  });

  describe('the whole lifecycle, enforced on every query', () => {
    it('requested -> LICENSE_INACTIVE; approved -> queries within scope; each scope rule refused; quota; suspend, reinstate, revoke; expiry', async () => {
      const researcher = testActor('researcher', 'r3');
      const token = 'test:researcher:r3';
      await expect(enforcer.authorize(researcher, query([{ dimension: 'area', level: 'city' }]))).rejects.toMatchObject(
        {
          extensions: { code: 'LICENSE_REQUIRED' },
        },
      );
      const { id } = await request(token);
      await expect(
        enforcer.authorize(researcher, query([{ dimension: 'area', level: 'city' }]), id),
      ).rejects.toMatchObject({
        extensions: { code: 'LICENSE_INACTIVE' },
      });

      const approved = await t.gql(APPROVE, { id }, STEWARD);
      expect(approved.body.data.approveLicense.status).toBe('active');

      // Within scope: the licence is found without naming it, and its row scope comes back for SQL.
      await expect(enforcer.authorize(researcher, query([{ dimension: 'area', level: 'district' }]))).resolves.toEqual({
        licenseId: id,
        basis: 'license',
        rowScope: { cities: ['320500'], periodFrom: '2021-01-01', periodTo: '2021-12-31' },
      });

      // Each kind of scope violation, with its rule named.
      const violations: [Parameters<typeof query>, RegExp][] = [
        [[[{ dimension: 'area', level: 'street' }]], /allows area down to district, not street/],
        [[[{ dimension: 'department' }]], /does not allow you to group by department/],
        [[[], [{ dimension: 'area', level: 'city', in: ['320100'] }]], /covers cities 320500 only, not 320100/],
        [
          [[], [{ dimension: 'time', from: '2022-01-01', to: '2022-03-31' }]],
          /covers data from 2021-01-01 to 2021-12-31/,
        ],
      ];
      for (const [args, rule] of violations) {
        const err = await enforcer.authorize(researcher, query(...args), id).catch((e: unknown) => e);
        expect(err).toMatchObject({ extensions: { code: 'OUT_OF_LICENSE_SCOPE', licenseId: id } });
        expect((err as Error).message).toMatch(rule);
      }
      const otherDataset = await enforcer
        .authorize(researcher, { dataset: 'call-traffic' }, id)
        .catch((e: unknown) => e);
      expect(otherDataset).toMatchObject({ extensions: { code: 'OUT_OF_LICENSE_SCOPE' } });
      expect((otherDataset as Error).message).toMatch(/does not cover call-traffic; it covers hotline-cases/);

      // Another researcher cannot use it.
      await expect(enforcer.authorize(testActor('researcher', 'r2'), query([]), id)).rejects.toMatchObject({
        extensions: { code: 'FORBIDDEN' },
      });

      // Quota: 3 a day, one was used above; the fourth is refused with the reset time.
      await enforcer.authorize(researcher, query([]), id);
      await enforcer.authorize(researcher, query([]), id);
      await expect(enforcer.authorize(researcher, query([]), id)).rejects.toMatchObject({
        extensions: { code: 'QUOTA_EXCEEDED', resetsAt: '2027-01-10T16:00:00.000Z', dailyQuota: 3 },
      });
      const usage = await t.gql(
        `query($id: ID!) { license(id: $id) { usage { usedToday remainingToday total } } }`,
        { id },
        token,
      );
      expect(usage.body.data.license.usage).toEqual({ usedToday: 3, remainingToday: 0, total: 3 });
      clock.advance(24 * 3600 * 1000); // next day: the quota is fresh
      await expect(enforcer.authorize(researcher, query([]), id)).resolves.toMatchObject({ licenseId: id });

      // Suspension takes effect on the very next request; reinstatement brings it back.
      const suspended = await t.gql(decision('suspendLicense'), { id, reason: 'publication not reported' }, STEWARD_2);
      expect(suspended.body.data.suspendLicense).toEqual({
        id,
        status: 'suspended',
        statusReason: 'publication not reported',
      });
      const err = await enforcer.authorize(researcher, query([]), id).catch((e: unknown) => e);
      expect(err).toMatchObject({ extensions: { code: 'LICENSE_INACTIVE', status: 'suspended' } });
      expect((err as Error).message).toMatch(/suspended \(publication not reported\)/);
      await t.gql(decision('reinstateLicense'), { id, reason: 'report received' }, STEWARD).expect(200);
      await expect(enforcer.authorize(researcher, query([]), id)).resolves.toMatchObject({ licenseId: id });

      // Revocation between two requests of the same client.
      await t.gql(decision('revokeLicense'), { id, reason: 'data shared onward' }, STEWARD).expect(200);
      await expect(enforcer.authorize(researcher, query([]), id)).rejects.toMatchObject({
        extensions: { code: 'LICENSE_INACTIVE', status: 'revoked' },
      });
      const reinstate = await t.gql(decision('reinstateLicense'), { id, reason: 'try again' }, STEWARD);
      expect(reinstate.body.errors[0].message).toMatch(
        /is revoked; reinstateLicense applies only to a licence that is suspended/,
      );
    });

    it('expires automatically after its last day (injected clock)', async () => {
      const researcher = testActor('researcher', 'r4');
      const { id } = await request('test:researcher:r4', { validTo: '2027-01-31' });
      await t.gql(APPROVE, { id }, STEWARD).expect(200);
      await expect(enforcer.authorize(researcher, query([]), id)).resolves.toMatchObject({ licenseId: id });
      const saved = clock.now();
      try {
        clock.set(new Date('2027-01-31T15:59:00Z')); // 23:59 in Shanghai on the last day
        await expect(enforcer.authorize(researcher, query([]), id)).resolves.toMatchObject({ licenseId: id });
        clock.set(new Date('2027-01-31T16:00:00Z')); // midnight: expired
        const err = await enforcer.authorize(researcher, query([]), id).catch((e: unknown) => e);
        expect(err).toMatchObject({ extensions: { code: 'LICENSE_INACTIVE', status: 'expired' } });
        expect((err as Error).message).toMatch(/expired on 2027-01-31; request a renewal/);
        const listed = await t.gql(`{ licenses(status: "expired") { id status } }`, {}, 'test:researcher:r4');
        expect(listed.body.data.licenses).toEqual([{ id, status: 'expired' }]);
      } finally {
        clock.set(saved);
      }
    });
  });

  describe('separation of duties', () => {
    it('nobody decides a licence they requested', async () => {
      // A department requests a sharing agreement; a department-linked steward account cannot approve it either.
      const { id } = await request(DEPARTMENT);
      const res = await t.gql(APPROVE, { id }, 'test:steward:d1');
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(res.body.errors[0].message).toMatch(/nobody decides a licence they requested or hold/);
      const ok = await t.gql(APPROVE, { id }, STEWARD);
      expect(ok.body.data.approveLicense).toMatchObject({ status: 'active', kind: 'sharing' });
    });
  });

  describe('licenses and license', () => {
    it('are denied to the public', async () => {
      const res = await t.gql('{ licenses { id } }');
      expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('show licensees their own licences only, and stewards and auditors all, with the pending queue', async () => {
      const { id } = await request(OTHER_RESEARCHER);
      const own = await t.gql('{ licenses { id licenseeId } }', {}, OTHER_RESEARCHER);
      expect(own.body.data.licenses).toEqual([{ id, licenseeId: 'r2' }]);
      const notMine = await t.gql('query($id: ID!) { license(id: $id) { id } }', { id }, RESEARCHER);
      expect(notMine.body.data.license).toBeNull();
      for (const token of [STEWARD, AUDITOR]) {
        const all = await t.gql('{ licenses(status: "requested") { id status } }', {}, token);
        expect(all.body.data.licenses.map((l: { id: string }) => l.id)).toContain(id);
        expect(new Set(all.body.data.licenses.map((l: { status: string }) => l.status))).toEqual(
          new Set(['requested']),
        );
      }
      const bad = await t.gql('{ licenses(status: "lost") { id } }', {}, STEWARD);
      expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('audits every governance change', async () => {
      const rows = await t.dataSource.query<{ operation: string }[]>(
        `SELECT DISTINCT operation FROM audit_event WHERE operation LIKE '%License' ORDER BY operation`,
      );
      expect(rows.map((r) => r.operation)).toEqual([
        'approveLicense',
        'reinstateLicense',
        'requestLicense',
        'revokeLicense',
        'suspendLicense',
      ]);
    });
  });

  describe('without a licence', () => {
    it('departments see their own cases, stewards everything, open data everyone', async () => {
      await expect(enforcer.authorize(testActor('department', 'd9', '320500-housing'), query([]))).resolves.toEqual({
        basis: 'own-department',
        rowScope: { departments: ['320500-housing'] },
      });
      await expect(enforcer.authorize(testActor('steward', 's9'), query([]))).resolves.toEqual({ basis: 'steward' });
      await expect(
        enforcer.authorize({ role: 'public', authMethod: 'none' }, { dataset: 'hotline-cases-open' }),
      ).resolves.toEqual({
        basis: 'open-data',
      });
      await expect(enforcer.authorize({ role: 'public', authMethod: 'none' }, query([]))).rejects.toMatchObject({
        extensions: { code: 'LICENSE_REQUIRED' },
      });
      await expect(enforcer.authorize(testActor('auditor', 'a9'), query([]))).rejects.toMatchObject({
        extensions: { code: 'FORBIDDEN' },
      });
    });
  });
});
