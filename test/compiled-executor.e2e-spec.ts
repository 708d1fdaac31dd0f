import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLObjectType } from 'graphql';
import { CompiledExecutor } from '../src/graphql/compiled-executor.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { grantTestLicense } from './utils/grant-license.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * The compiled executor (src/graphql/compiled-executor.ts) rests on three public interfaces:
 * NestJS hands the schema it generated to `transformSchema`, Apollo Server executes every
 * operation through the `gateway`'s executor, and NestJS's resolver on a plain field only reads
 * the property. An upgrade that breaks one of them fails here: the real app is booted twice on the
 * same fixtures, compiled and on graphql-js's interpreter (HGW_GRAPHQL_EXECUTOR=interpreted), and
 * both must answer the same bodies and leave the same audit trail and disclosure state.
 */

const AGGREGATE = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) {
  dataset columns rows { keys labels labelsEn cells { measure value flags } }
  disclosure { method threshold suppressedCells budgetRemaining budgetScope note } licenseId auditEventId citation } }`;

const RESTRICTED = 'hotline-cases';
const OPEN = 'hotline-cases-open';

interface Side {
  t: TestApp;
  licenseId: string;
}

/** The requests both apps answer, in order (the licence is each app's own). */
function requests(licenseId: string): { query: string; variables?: Record<string, unknown>; token?: string }[] {
  const agg = (q: Record<string, unknown>, token?: string) => ({ query: AGGREGATE, variables: { q }, token });
  return [
    { query: '{ __typename }' },
    { query: '{ me { authMethod permissions } }', token: 'test-steward' },
    { query: '{ datasets { slug titleEn } }' },
    agg(
      {
        dataset: RESTRICTED,
        groupBy: [{ dimension: 'area', level: 'district' }],
        measures: ['cases', 'avgHandlingDays'],
        filters: [{ dimension: 'area', level: 'city', in: ['320500'] }],
      },
      'test-steward',
    ),
    // The public's open dataset at a fine grain: suppressed and perturbed cells.
    agg({
      dataset: OPEN,
      groupBy: [
        { dimension: 'area', level: 'district' },
        { dimension: 'time', level: 'month' },
      ],
      measures: ['cases'],
      orderBy: [{ field: 'cases', direction: 'DESC' }],
      limit: 40,
    }),
    // Under a licence, twice: the budget and quota are charged.
    agg(
      { dataset: RESTRICTED, groupBy: [{ dimension: 'kind', level: 'kind' }], measures: ['cases'], licenseId },
      'test-researcher',
    ),
    agg(
      {
        dataset: RESTRICTED,
        groupBy: [{ dimension: 'area', level: 'district' }],
        measures: ['cases', 'onTimeRate'],
        licenseId,
      },
      'test-researcher',
    ),
    // Errors: refused (audited), licence missing (audited), unknown dataset, wrong variable, no such field.
    agg({ dataset: RESTRICTED, measures: ['cases'] }, 'test-auditor'),
    agg({ dataset: RESTRICTED, measures: ['cases'] }, 'test-researcher'),
    agg({ dataset: 'no-such-dataset', measures: ['cases'] }),
    { query: AGGREGATE, variables: { q: { dataset: 5, measures: 'cases' } } },
    { query: '{ aggregate { nope } }' },
    // A mutation.
    {
      query: `mutation($i: RequestLicenseInput!) { requestLicense(input: $i) { status purpose } }`,
      variables: {
        i: {
          purpose: 'Executor comparison',
          datasets: [{ dataset: RESTRICTED, dimensions: [{ dimension: 'area', level: 'city' }] }],
          validFrom: '2026-01-01',
          validTo: '2026-12-31',
          dailyQuota: 10,
          acceptObligations: ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'],
        },
      },
      token: 'test-researcher',
    },
  ];
}

/** The answer with what differs between two databases by construction (ids) replaced. */
function normalized(status: number, body: unknown, licenseId: string): unknown {
  const auditIds = new Set<string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'auditEventId' && typeof x === 'string') auditIds.add(x);
        else collect(x);
      }
    }
  };
  collect(body);
  const replace = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => replace(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x, k)]));
    // Two databases may sum a float column in different orders: equal to 12 significant digits.
    if (typeof v === 'number' && !Number.isInteger(v)) return Number(v.toPrecision(12));
    if (typeof v !== 'string') return v;
    if (key === 'auditEventId') return '<audit event>';
    let text = licenseId ? v.replaceAll(licenseId, '<licence>') : v;
    for (const id of auditIds) text = text.replace(new RegExp(`\\b${id}\\b`, 'g'), '<audit event>');
    return text;
  };
  return { status, body: replace(body) };
}

async function boot(executor: 'compiled' | 'interpreted'): Promise<Side> {
  const before = process.env.HGW_GRAPHQL_EXECUTOR;
  process.env.HGW_GRAPHQL_EXECUTOR = executor;
  let t: TestApp;
  try {
    t = await createTestApp();
  } finally {
    if (before === undefined) delete process.env.HGW_GRAPHQL_EXECUTOR;
    else process.env.HGW_GRAPHQL_EXECUTOR = before;
  }
  registerTestCredentials(t.app);
  await insertReferenceData(t.dataSource);
  await insertCases(t.dataSource, { count: 3000, seed: 2020 });
  const licenseId = await grantTestLicense(t, 'Executor comparison: cases by kind and district', [
    {
      dataset: RESTRICTED,
      dimensions: [
        { dimension: 'kind', level: 'kind' },
        { dimension: 'area', level: 'district' },
      ],
    },
  ]);
  return { t, licenseId };
}

describe('the compiled executor against Apollo and NestJS (public interfaces only)', () => {
  let compiled: Side;
  let interpreted: Side;
  /** Operations Apollo handed to the executor it got from the gateway, and its calls to `load()`. */
  let executions = 0;
  let loads = 0;
  const originalLoad = CompiledExecutor.prototype.load;

  beforeAll(async () => {
    // Counts what Apollo hands to the executor it got from the gateway's `load()`.
    CompiledExecutor.prototype.load = async function (this: CompiledExecutor) {
      loads++;
      const { executor } = await originalLoad.call(this);
      const counted: GatewayExecutor = (request) => {
        executions++;
        return executor(request);
      };
      return { executor: counted };
    };
    compiled = await boot('compiled');
    interpreted = await boot('interpreted');
  });
  afterAll(async () => {
    CompiledExecutor.prototype.load = originalLoad;
    await compiled?.t.close();
    await interpreted?.t.close();
  });

  it('is loaded by Apollo through the `gateway` option, once, and only when compiled', () => {
    expect(loads).toBe(1);
  });

  it('works on the schema NestJS serves (`transformSchema`): plain rows and cells have no resolvers left', () => {
    const schema = compiled.t.app.get(GraphQLSchemaHost).schema;
    for (const name of ['AggregateRow', 'AggregateCell']) {
      const fields = Object.values((schema.getType(name) as GraphQLObjectType).getFields());
      expect(fields.length).toBeGreaterThan(1);
      expect(fields.filter((f) => f.resolve).map((f) => `${name}.${f.name}`)).toEqual([]);
    }
    // Under graphql-js, NestJS's resolvers stay where they are.
    const plain = interpreted.t.app.get(GraphQLSchemaHost).schema;
    const cell = Object.values((plain.getType('AggregateCell') as GraphQLObjectType).getFields());
    expect(cell.every((f) => f.resolve)).toBe(true);
  });

  it('answers every request as graphql-js does (data, errors, codes, status), each executed compiled', async () => {
    const before = executions;
    const list = requests('');
    for (const [i, r] of list.entries()) {
      const answers = [];
      for (const side of [compiled, interpreted]) {
        const variables = JSON.parse(
          JSON.stringify(r.variables ?? {}).replaceAll('"licenseId":""', `"licenseId":"${side.licenseId}"`),
        );
        const res = await side.t.gql(r.query, r.variables ? variables : undefined, r.token);
        answers.push(normalized(res.status, res.body, side.licenseId));
      }
      expect({ request: i, ...(answers[0] as object) }).toEqual({ request: i, ...(answers[1] as object) });
    }
    // Apollo validates before it executes: the unknown field never reaches the executor, the rest does.
    expect(executions - before).toBe(list.length - 1);
  });

  it('refuses an operation type the schema does not have with BAD_USER_INPUT (graphql-js: a generic error)', async () => {
    const res = await compiled.t.gql('subscription { x }');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('leaves the same audit trail and disclosure state behind', async () => {
    const audit = (side: Side) =>
      side.t.dataSource.query(
        `SELECT principal_id, role, operation, dataset_slug, decision, reason, result_size, cells_suppressed,
                query - 'licenseId' AS query, (license_id IS NOT NULL) AS licensed
         FROM audit_event ORDER BY seq`,
      );
    const [a, b] = [await audit(compiled), await audit(interpreted)];
    expect(a.length).toBeGreaterThan(5);
    expect(a.filter((e: { decision: string }) => e.decision === 'denied').length).toBeGreaterThanOrEqual(2);
    expect(a).toEqual(b);
    const usage = (side: Side) =>
      side.t.gql(
        `query($id: ID!) { license(id: $id) { status usage { usedToday remainingToday total } } }`,
        { id: side.licenseId },
        'test-researcher',
      );
    const [u, v] = [await usage(compiled), await usage(interpreted)];
    expect(u.body).toEqual(v.body);
  });
});
