import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLObjectType } from 'graphql';
import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { insertCases, insertReferenceData, insertTraffic } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

const AGGREGATE = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) {
  dataset columns rows { keys labels labelsEn cells { measure value flags } }
  disclosure { method threshold suppressedCells budgetRemaining budgetScope note } licenseId auditEventId citation } }`;

describe('aggregate', () => {
  let t: TestApp;
  const q = (query: Record<string, unknown>, token?: string) => t.gql(AGGREGATE, { q: query }, token);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc SQL checks
  const sql = (text: string, params: unknown[] = []): Promise<any[]> => t.dataSource.query(text, params);

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 4000, seed: 42 });
    await insertTraffic(t.dataSource, 7, ['320500', '320100'], '2021-03-01', 10);
  });
  afterAll(async () => {
    await t.close();
  });

  it('denies auditors (FORBIDDEN) and audits the denial', async () => {
    const res = await q({ dataset: 'hotline-cases', measures: ['cases'] }, 'test-auditor').expect(200);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const [row] = await sql(
      `SELECT decision, reason FROM audit_event WHERE principal_id = 'test-auditor' ORDER BY id DESC LIMIT 1`,
    );
    expect(row.decision).toBe('denied');
  });

  it('asks researchers without a licence for one (LICENSE_REQUIRED), audited', async () => {
    const res = await q({ dataset: 'hotline-cases', measures: ['cases'] }, 'test-researcher');
    expect(res.body.errors[0].extensions.code).toBe('LICENSE_REQUIRED');
    expect(res.body.errors[0].message).toMatch(/requestLicense/);
    const [row] = await sql(
      `SELECT decision, reason, dataset_slug FROM audit_event WHERE principal_id = 'test-researcher' ORDER BY id DESC LIMIT 1`,
    );
    expect(row).toMatchObject({ decision: 'denied', dataset_slug: 'hotline-cases' });
    expect(row.reason).toMatch(/^LICENSE_REQUIRED/);
  });

  it('does not show restricted datasets to the public', async () => {
    const res = await q({ dataset: 'hotline-cases', measures: ['cases'] });
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].extensions.validChoices).toEqual(['hotline-cases-open']);
  });

  it('gives stewards cases per district of one city (hierarchy filter), matching the records', async () => {
    const res = await q(
      {
        dataset: 'hotline-cases',
        groupBy: [{ dimension: 'area', level: 'district' }],
        measures: ['cases', 'avgHandlingDays'],
        filters: [{ dimension: 'area', level: 'city', in: ['320500'] }],
      },
      'test-steward',
    ).expect(200);
    expect(res.body.errors).toBeUndefined();
    const r = res.body.data.aggregate;
    expect(r.columns).toEqual(['area.district', 'cases', 'avgHandlingDays']);
    const truth = await sql(
      `SELECT coalesce(district_code, 'unknown') AS k, count(*)::int AS n,
         avg(extract(epoch FROM closed_at - received_at) / 86400) AS avg
       FROM case_record WHERE city_code = '320500' GROUP BY 1 ORDER BY coalesce(min(district_code), '')`,
    );
    expect(r.rows.map((x: { keys: string[] }) => x.keys[0])).toEqual(truth.map((x: { k: string }) => x.k));
    expect(r.rows.length).toBeGreaterThan(1);
    for (const [i, row] of r.rows.entries()) {
      expect(row.cells[0].value).toBe(truth[i].n);
      expect(row.cells[1].value).toBeCloseTo(Number(truth[i].avg), 9);
    }
    const gusu = r.rows.find((x: { keys: string[] }) => x.keys[0] === '320508');
    expect(gusu.labels).toEqual(['姑苏区']);
    expect(gusu.labelsEn).toEqual(['Gusu']);
    expect(r.citation).toMatch(/12345 hotline cases .*Jiangsu 12345 Hotline Centre.*version 2022-01-01/);
    const [audit] = await sql(`SELECT decision, query, result_size FROM audit_event WHERE id = $1`, [r.auditEventId]);
    expect(audit.decision).toBe('allowed');
    expect(audit.result_size).toBe(r.rows.length);
    expect(audit.query.filters).toEqual([{ dimension: 'area', level: 'city', in: ['320500'] }]);
  });

  it("limits a department to its own department's cases", async () => {
    const res = await q(
      { dataset: 'hotline-cases', groupBy: [{ dimension: 'department' }], measures: ['cases'] },
      'test-department-320500-housing',
    ).expect(200);
    expect(res.body.errors).toBeUndefined();
    const [truth] = await sql(`SELECT count(*)::int AS n FROM case_record WHERE department_code = '320500-housing'`);
    // Only its own department's row, exact: the department holds these cases, and the answer says so.
    const rows = res.body.data.aggregate.rows as { keys: string[]; cells: { value: number; flags: string[] }[] }[];
    expect(rows.map((r) => r.keys)).toEqual([['320500-housing']]);
    expect(rows[0].cells[0]).toMatchObject({ value: truth.n, flags: [] });
    expect(res.body.data.aggregate.disclosure).toMatchObject({ method: 'exact', budgetRemaining: null });
    expect(res.body.data.aggregate.disclosure.note).toMatch(/your department's own cases/);
  });

  it.each([
    [{ groupBy: [{ dimension: 'color' }] }, /no dimension "color"/, 'time'],
    [{ groupBy: [{ dimension: 'area', level: 'county' }] }, /no level "county"/, 'district'],
    [{ groupBy: [{ dimension: 'area' }] }, /several levels/, 'street'],
    [{ measures: ['revenue'] }, /no measure "revenue"/, 'solvedRate'],
    [{ filters: [{ dimension: 'area', level: 'city', in: ['999999'] }] }, /"999999" is not a area city code/, '320500'],
    [{ filters: [{ dimension: 'time', from: '2021-13' }] }, /not a time code/, 'YYYY-MM, e.g. 2021-03'],
    [{ orderBy: [{ field: 'nope' }] }, /Order by one of: cases/, 'cases'],
  ])('refuses a wrong query part %j with BAD_USER_INPUT naming valid choices', async (part, message, choice) => {
    const res = await q({ dataset: 'hotline-cases', measures: ['cases'], ...part }, 'test-steward').expect(200);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(message);
    expect(res.body.errors[0].extensions.validChoices).toContain(choice);
  });

  it('keeps the open dataset at its published levels', async () => {
    const res = await q({
      dataset: 'hotline-cases-open',
      groupBy: [{ dimension: 'area', level: 'district' }],
      measures: ['cases'],
    });
    expect(res.body.errors[0].extensions.validChoices).toEqual(['province', 'city']);
    const day = await q({
      dataset: 'hotline-cases-open',
      measures: ['cases'],
      filters: [{ dimension: 'time', from: '2021-03-15' }],
    });
    expect(day.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('lists no cell of the open dataset under its threshold, and says so', async () => {
    const res = await q({
      dataset: 'hotline-cases-open',
      groupBy: [
        { dimension: 'area', level: 'city' },
        { dimension: 'time', level: 'month' },
        { dimension: 'category', level: 'l1' },
        { dimension: 'kind' },
      ],
      measures: ['cases', 'solvedRate'],
    }).expect(200);
    const r = res.body.data.aggregate;
    expect(r.disclosure).toMatchObject({ method: 'cell-key', threshold: 20 });
    expect(r.disclosure.note).toMatch(/Rows with fewer than 20 records are not listed/);
    const truth = await sql(
      `SELECT city_code || '|' || to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') || '|' || category_l1 || '|' || kind AS k,
         count(*)::int AS n FROM case_record GROUP BY 1`,
    );
    const small = truth.filter((x: { n: number }) => x.n < 20).map((x: { k: string }) => x.k);
    expect(small.length).toBeGreaterThan(0);
    const listed = new Set(r.rows.map((x: { keys: string[] }) => x.keys.join('|')));
    for (const k of small) expect([k, listed.has(k)]).toEqual([k, false]);
    expect(listed.size).toBe(truth.length - small.length);
    expect(r.rows.length).toBeGreaterThan(0);
    for (const row of r.rows) expect(row.cells[0].value).toBeGreaterThanOrEqual(20);
    const withheld = r.rows.flatMap((x: { cells: { flags: string[] }[] }) =>
      x.cells.filter((c) => c.flags.includes('suppressed')),
    );
    expect(r.disclosure.suppressedCells).toBe(withheld.length);
  });

  it('orders and cuts to a top-N, also by a percentile', async () => {
    const res = await q(
      {
        dataset: 'hotline-cases',
        groupBy: [{ dimension: 'category', level: 'l2' }],
        measures: ['cases', 'p90HandlingDays'],
        orderBy: [{ field: 'cases', direction: 'DESC' }],
        limit: 2,
      },
      'test-steward',
    ).expect(200);
    const truth = await sql(
      `SELECT coalesce(category_l2, 'unknown') AS k, count(*)::int AS n FROM case_record GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 2`,
    );
    expect(
      res.body.data.aggregate.rows.map((r: { keys: string[]; cells: { value: number }[] }) => [
        r.keys[0],
        r.cells[0].value,
      ]),
    ).toEqual(truth.map((x: { k: string; n: number }) => [x.k, x.n]));
    const byP90 = await q(
      {
        dataset: 'hotline-cases',
        groupBy: [{ dimension: 'kind' }],
        measures: ['p90HandlingDays'],
        orderBy: [{ field: 'p90HandlingDays', direction: 'DESC' }],
        limit: 3,
      },
      'test-steward',
    ).expect(200);
    const values = byP90.body.data.aggregate.rows.map((r: { cells: { value: number }[] }) => r.cells[0].value);
    expect(values).toHaveLength(3);
    expect([...values].sort((a, b) => b - a)).toEqual(values);
  });

  it('refuses results over the cell cap with advice (QUERY_TOO_COMPLEX)', async () => {
    const res = await q(
      {
        dataset: 'hotline-cases',
        groupBy: [
          { dimension: 'area', level: 'street' },
          { dimension: 'time', level: 'day' },
        ],
        measures: ['cases', 'solvedRate', 'repeatRate', 'onTimeRate', 'satisfactionRate'],
      },
      'test-steward',
    ).expect(200);
    expect(res.body.data?.aggregate?.rows?.length).toBeUndefined();
    expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.body.errors[0].message).toMatch(/coarser level than street.*limit/);
  });

  it('writes time keys in the contract formats and filters a time range', async () => {
    const res = await q(
      {
        dataset: 'hotline-cases',
        groupBy: [{ dimension: 'time', level: 'week' }],
        measures: ['cases'],
        filters: [{ dimension: 'time', from: '2021-03-01', to: '2021-03-14' }],
      },
      'test-steward',
    ).expect(200);
    const keys = res.body.data.aggregate.rows.map((r: { keys: string[] }) => r.keys[0]);
    expect(keys).toEqual(['2021-W09', '2021-W10']);
    const [truth] = await sql(
      `SELECT count(*)::int AS n FROM case_record WHERE received_at >= '2021-03-01T00:00+08' AND received_at < '2021-03-15T00:00+08'`,
    );
    const total = res.body.data.aggregate.rows.reduce(
      (a: number, r: { cells: { value: number }[] }) => a + r.cells[0].value,
      0,
    );
    expect(total).toBe(truth.n);
    const hours = await q(
      {
        dataset: 'hotline-cases',
        groupBy: [{ dimension: 'time', level: 'hour' }],
        measures: ['cases'],
        filters: [{ dimension: 'time', level: 'day', in: ['2021-03-15'] }],
      },
      'test-steward',
    ).expect(200);
    // A day's hours of 4,000 cases a year hold a few cases each: exactly those at the threshold are listed.
    const threshold = hours.body.data.aggregate.disclosure.threshold as number;
    expect(threshold).toBeGreaterThan(0);
    const listedHours = await sql(
      `SELECT to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24') AS k FROM case_record
       WHERE (received_at AT TIME ZONE 'Asia/Shanghai')::date = '2021-03-15' GROUP BY 1 HAVING count(*) >= $1 ORDER BY 1`,
      [threshold],
    );
    expect(hours.body.data.aggregate.rows.map((r: { keys: string[] }) => r.keys[0])).toEqual(
      listedHours.map((x: { k: string }) => x.k),
    );
    // Call traffic (not about people, no threshold) lists every hour of a day, in the contract format.
    const trafficHours = await q(
      {
        dataset: 'call-traffic',
        groupBy: [{ dimension: 'time', level: 'hour' }],
        measures: ['callsOffered'],
        filters: [{ dimension: 'time', level: 'day', in: ['2021-03-05'] }],
      },
      'test-steward',
    ).expect(200);
    expect(trafficHours.body.errors).toBeUndefined();
    expect(trafficHours.body.data.aggregate.rows.map((r: { keys: string[] }) => r.keys[0])).toEqual(
      Array.from({ length: 24 }, (_, h) => `2021-03-05T${String(h).padStart(2, '0')}`),
    );
  });

  it('serves call traffic with an answer rate', async () => {
    const res = await q(
      {
        dataset: 'call-traffic',
        groupBy: [{ dimension: 'area', level: 'city' }],
        measures: ['callsOffered', 'answerRate'],
      },
      'test-steward',
    ).expect(200);
    const truth = await sql(
      `SELECT city_code, sum(calls_offered)::int AS o, sum(calls_answered)::float8 / sum(calls_offered) AS rate
       FROM call_traffic GROUP BY 1 ORDER BY 1`,
    );
    expect(
      res.body.data.aggregate.rows.map((r: { keys: string[]; cells: { value: number }[] }) => [
        r.keys[0],
        r.cells[0].value,
      ]),
    ).toEqual(truth.map((x: { city_code: string; o: number }) => [x.city_code, x.o]));
    expect(res.body.data.aggregate.rows[0].cells[1].value).toBeCloseTo(truth[0].rate, 12);
  });

  it('rebuilds only the dirty days after new records arrive, and then shows them', async () => {
    const before = await q(
      {
        dataset: 'hotline-cases',
        measures: ['cases'],
        filters: [{ dimension: 'time', level: 'day', in: ['2022-02-02'] }],
      },
      'test-steward',
    );
    expect(before.body.data.aggregate.rows).toEqual([]);
    const otherDay = await sql(`SELECT count(*)::int AS n FROM rollup_cases_fine WHERE t < '2022-01-01'`);
    await insertCases(t.dataSource, { count: 37, seed: 9, from: '2022-02-02', to: '2022-02-02', source: 'late' });
    expect(await sql(`SELECT * FROM rollup_dirty_day`)).toEqual([]);
    const after = await q(
      {
        dataset: 'hotline-cases',
        measures: ['cases'],
        filters: [{ dimension: 'time', level: 'day', in: ['2022-02-02'] }],
      },
      'test-steward',
    );
    expect(after.body.data.aggregate.rows[0].cells[0].value).toBe(37);
    expect(await sql(`SELECT count(*)::int AS n FROM rollup_cases_fine WHERE t < '2022-01-01'`)).toEqual(otherDay);
  });

  it('lets two refreshers run at once without double counting', async () => {
    await sql(`INSERT INTO rollup_dirty_day (series, day) VALUES ('cases', '2021-05-05'), ('cases', '2021-05-06')`);
    const [before] = await sql(`SELECT sum(cases)::int AS n FROM rollup_cases_month`);
    const results = await Promise.all([refreshRollups(t.dataSource), refreshRollups(t.dataSource)]);
    expect(results.map((r) => r.cases).sort()).toEqual([0, 2]);
    const [after] = await sql(`SELECT sum(cases)::int AS n FROM rollup_cases_month`);
    const [truth] = await sql(`SELECT count(*)::int AS n FROM case_record`);
    expect(after).toEqual(before);
    expect(after.n).toBe(truth.n);
  });

  it('executes result rows and cells as plain data (no resolver per field), compiled', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    for (const name of ['AggregateRow', 'AggregateCell']) {
      const fields = Object.values((schema.getType(name) as GraphQLObjectType).getFields());
      expect(fields.filter((f) => f.resolve).map((f) => `${name}.${f.name}`)).toEqual([]);
    }
    // auditEventId holds a promise: it keeps NestJS's resolver, which the executor awaits.
    const result = (schema.getType('AggregateResult') as GraphQLObjectType).getFields();
    expect(result.auditEventId.resolve).toBeDefined();
  });

  it('never reads case_record to answer a query', async () => {
    // With the records out of reach, every kind of query must still be answered (from the rollups).
    await sql(`ALTER TABLE case_record RENAME TO case_record_hidden`);
    try {
      for (const query of [
        { groupBy: [{ dimension: 'area', level: 'street' }], measures: ['cases', 'medianHandlingDays'] },
        {
          groupBy: [{ dimension: 'channel' }],
          measures: ['repeatRate'],
          filters: [{ dimension: 'time', from: '2021-07-07T08', to: '2021-09-20T17' }],
        },
        {
          groupBy: [{ dimension: 'kind' }],
          measures: ['onTimeRate', 'satisfactionRate'],
          filters: [{ dimension: 'time', from: '2021-02-03', to: '2021-04' }],
        },
        { groupBy: [{ dimension: 'time', level: 'quarter' }], measures: ['consultationShare'] },
      ]) {
        const res = await q({ dataset: 'hotline-cases', ...query }, 'test-steward').expect(200);
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data.aggregate.rows.length).toBeGreaterThan(0);
      }
    } finally {
      await sql(`ALTER TABLE case_record_hidden RENAME TO case_record`);
    }
  });

  describe('export', () => {
    const query = {
      dataset: 'hotline-cases',
      groupBy: [{ dimension: 'area', level: 'city' }],
      measures: ['cases', 'solvedRate'],
    };
    const url = (ext: string, body: unknown = query) =>
      `/export/aggregate.${ext}?query=${encodeURIComponent(JSON.stringify(body))}`;

    it('denies the CSV download to auditors (403) and audits it', async () => {
      const res = await t.http().get(url('csv')).set('Authorization', 'Bearer test-auditor').expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      const [row] = await sql(
        `SELECT operation, decision, dataset_slug FROM audit_event WHERE principal_id = 'test-auditor' ORDER BY id DESC LIMIT 1`,
      );
      expect(row).toEqual({ operation: 'export', decision: 'denied', dataset_slug: 'hotline-cases' });
    });

    it('refuses a researcher without a licence (403 LICENSE_REQUIRED)', async () => {
      const res = await t.http().get(url('json')).set('Authorization', 'Bearer test-researcher').expect(403);
      expect(res.body.error.code).toBe('LICENSE_REQUIRED');
    });

    it('explains a malformed query parameter (400)', async () => {
      const res = await t.http().get('/export/aggregate.csv?query=%7Bnot-json').expect(400);
      expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(res.body.error.message).toMatch(/not valid JSON/);
      const missing = await t
        .http()
        .get(url('csv', { dataset: 'hotline-cases-open', measures: [] }))
        .expect(400);
      expect(missing.body.error.message).toMatch(/at least one measure/);
    });

    it('downloads CSV with the citation and disclosure notes, same numbers as GraphQL, audited', async () => {
      const res = await t.http().get(url('csv')).set('Authorization', 'Bearer test-steward').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/attachment; filename="?hotline-cases-aggregate.csv"?/);
      const lines = res.text.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^# citation: 12345 hotline cases/);
      expect(lines[1]).toMatch(/^# disclosure: method exact, threshold 10, suppressed cells \d+/);
      const auditId = /^# audit event: (\d+)$/m.exec(res.text)![1];
      const header = lines.find((l) => !l.startsWith('#'))!;
      expect(header).toBe(
        'area.city,area.city.labelZh,area.city.labelEn,cases,cases.flags,solvedRate,solvedRate.flags',
      );
      const suzhou = lines.find((l) => l.startsWith('320500,'))!.split(',');
      const gql = await q(query, 'test-steward');
      const row = gql.body.data.aggregate.rows.find((r: { keys: string[] }) => r.keys[0] === '320500');
      expect(suzhou.slice(0, 4)).toEqual(['320500', '苏州市', 'Suzhou', String(row.cells[0].value)]);
      const [audit] = await sql(`SELECT operation, decision, principal_id, query FROM audit_event WHERE id = $1`, [
        auditId,
      ]);
      // A download is audited as what it is: an export, in this format, of this query.
      expect(audit).toMatchObject({ operation: 'export', decision: 'allowed', principal_id: 'test-steward' });
      expect(audit.query).toMatchObject({ format: 'csv', dataset: 'hotline-cases' });
    });

    it('downloads JSON with rows, citation, disclosure and notes', async () => {
      const res = await t.http().get(url('json')).set('Authorization', 'Bearer test-steward').expect(200);
      const body = JSON.parse(res.text);
      expect(body.columns).toEqual(['area.city', 'cases', 'solvedRate']);
      expect(body.citation).toMatch(/version 2022-01-01/);
      const [audit] = await sql(`SELECT operation, query FROM audit_event WHERE id = $1`, [body.auditEventId]);
      expect(audit.operation).toBe('export');
      expect(audit.query).toMatchObject({ format: 'json' });
      expect(body.disclosure).toMatchObject({ method: 'exact', threshold: 10 });
      expect(body.notes.join('\n')).toMatch(/suppressed cells/);
      expect(body.rows.length).toBe(3);
    });
  });
});
