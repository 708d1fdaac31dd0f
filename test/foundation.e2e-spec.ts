import { createTestApp, TEST_METRICS_TOKEN, TestApp } from './utils/create-test-app.js';

describe('foundation (HTTP edge)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /healthz says the process is up', async () => {
    const res = await t.http().get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when the database answers and migrations are applied', async () => {
    const res = await t.http().get('/readyz').expect(200);
    expect(res.body.status).toBe('ready');
  });

  it('GET /readyz is 503 while a migration is pending', async () => {
    await t.dataSource.undoLastMigration();
    try {
      const res = await t.http().get('/readyz').expect(503);
      expect(res.body.reason).toMatch(/migrations pending/);
    } finally {
      await t.dataSource.runMigrations();
    }
    await t.http().get('/readyz').expect(200);
  });

  it('sets security headers (helmet) and a request id on every response', async () => {
    const res = await t.http().get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await t.http().get('/healthz').set('X-Request-Id', 'client-chosen-id-123');
    expect(echoed.headers['x-request-id']).toBe('client-chosen-id-123');
    const refused = await t.http().get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(refused.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('serves { datasets { slug } } to the public: open datasets only', async () => {
    const res = await t.gql('{ datasets { slug classification licenseRequired } }').expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.datasets).toEqual([
      { slug: 'hotline-cases-open', classification: 'open', licenseRequired: false },
    ]);
  });

  it('answers GET /graphql for queries, with CSRF prevention on (GraphQL over HTTP)', async () => {
    const blocked = await t.http().get('/graphql').query({ query: '{ datasets { slug } }' });
    expect(blocked.status).toBe(400);
    const res = await t
      .http()
      .get('/graphql')
      .query({ query: '{ datasets { slug } }' })
      .set('Accept', 'application/graphql-response+json, application/json')
      .set('Apollo-Require-Preflight', 'true')
      .expect(200);
    expect(res.body.data.datasets).toHaveLength(1);
  });

  it('exposes Prometheus metrics with counts and latencies per GraphQL operation', async () => {
    await t.gql('query CatalogForMetrics { datasets { slug } }').expect(200);
    const res = await t.http().get('/metrics').set('Authorization', `Bearer ${TEST_METRICS_TOKEN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    // Labelled by the root field asked for, never by the client's operation name.
    expect(res.text).toMatch(/hgw_graphql_operations_total\{operation="datasets",type="query",outcome="ok"\} [1-9]\d*/);
    expect(res.text).toMatch(
      /hgw_graphql_operation_duration_seconds_count\{operation="datasets",type="query"\} [1-9]\d*/,
    );
    expect(res.text).not.toMatch(/CatalogForMetrics/);
    expect(res.text).toMatch(/hgw_http_requests_total\{method="POST",route="\/graphql",status="200"\}/);
  });

  it('masks unexpected errors and never returns a stack trace', async () => {
    const res = await t.gql('{ nope }');
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|at .*\.js:\d+/);
  });
});
