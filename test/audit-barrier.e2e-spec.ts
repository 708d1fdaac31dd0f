import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * The aggregate's audit write commits while the result is built; the response barrier holds every
 * response until the request's audit events are stored, and answers SERVICE_UNAVAILABLE with no
 * data when one of them could not be.
 */
describe('audit response barrier', () => {
  let t: TestApp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of ad-hoc SQL checks
  const sql = (text: string, params: unknown[] = []): Promise<any[]> => t.dataSource.query(text, params);
  const QUERY = {
    dataset: 'hotline-cases',
    groupBy: [{ dimension: 'area', level: 'city' }],
    measures: ['cases'],
  };
  const WITHOUT_ID = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys cells { value } } } }`;
  const WITH_ID = `query Q($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys } auditEventId } }`;
  const exportUrl = `/export/aggregate.csv?query=${encodeURIComponent(JSON.stringify(QUERY))}`;
  const lastAggregateEvent = async () =>
    (
      await sql(
        `SELECT id::text, request_id FROM audit_event WHERE operation IN ('aggregate', 'export') AND principal_id = 'test-steward'
         ORDER BY seq DESC LIMIT 1`,
      )
    )[0] as { id: string; request_id: string } | undefined;

  /** Runs `body` while every audit insert of an aggregate or a download first sleeps, or fails. */
  async function withAuditInsert(behaviour: 'slow' | 'failing', body: () => Promise<void>): Promise<void> {
    const action =
      behaviour === 'slow' ? `PERFORM pg_sleep(0.4)` : `RAISE EXCEPTION 'audit storage unavailable (test)'`;
    await sql(`
      CREATE FUNCTION test_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.operation IN ('aggregate', 'export') THEN ${action}; END IF; RETURN NEW; END $$;
      CREATE TRIGGER test_audit_insert BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION test_audit_insert();`);
    try {
      await body();
    } finally {
      await sql(`DROP TRIGGER test_audit_insert ON audit_event; DROP FUNCTION test_audit_insert();`);
    }
  }

  beforeAll(async () => {
    t = await createTestApp();
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 500, seed: 7 });
    await refreshRollups(t.dataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends the result only once its audit event is stored, even when the query does not ask for its id', async () => {
    await withAuditInsert('slow', async () => {
      const before = await lastAggregateEvent();
      const started = Date.now();
      const res = await t.gql(WITHOUT_ID, { q: QUERY }, 'test-steward').expect(200);
      const elapsed = Date.now() - started;
      // Read the moment the response has arrived: the event must already be there.
      const after = await lastAggregateEvent();
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.aggregate.rows.length).toBeGreaterThan(0);
      expect(after).toBeDefined();
      expect(after!.id).not.toBe(before?.id);
      expect(after!.request_id).toBe(res.headers['x-request-id']);
      expect(elapsed).toBeGreaterThanOrEqual(400);
    });
  });

  it('sends a download only once its audit event is stored, and names that event', async () => {
    await withAuditInsert('slow', async () => {
      const res = await t.http().get(exportUrl).set('Authorization', 'Bearer test-steward').expect(200);
      const after = await lastAggregateEvent();
      expect(/^# audit event: (\d+)$/m.exec(res.text)?.[1]).toBe(after!.id);
    });
  });

  it.each([
    ['without', WITHOUT_ID],
    ['with', WITH_ID],
  ])(
    'answers SERVICE_UNAVAILABLE and no data when the audit write fails (query %s auditEventId)',
    async (_, document) => {
      await withAuditInsert('failing', async () => {
        const before = await lastAggregateEvent();
        const res = await t.gql(document, { q: QUERY }, 'test-steward').expect(200);
        expect(res.body.data).toBeNull();
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
        expect(res.body.errors[0].message).toMatch(/audit log could not be written/);
        expect(JSON.stringify(res.body)).not.toMatch(/320500/);
        expect(await lastAggregateEvent()).toEqual(before);
      });
    },
  );

  it('refuses a download with 503 and no rows when the audit write fails', async () => {
    await withAuditInsert('failing', async () => {
      const res = await t.http().get(exportUrl).set('Authorization', 'Bearer test-steward').expect(503);
      expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.text).not.toMatch(/320500/);
    });
  });

  it('answers normally again once the audit log is writable, and the chain is intact', async () => {
    const res = await t.gql(WITH_ID, { q: QUERY }, 'test-steward').expect(200);
    expect(res.body.errors).toBeUndefined();
    const [event] = await sql(`SELECT decision FROM audit_event WHERE id = $1`, [res.body.data.aggregate.auditEventId]);
    expect(event).toEqual({ decision: 'allowed' });
    const integrity = await t.gql(`{ auditIntegrity { ok } }`, {}, 'test-auditor').expect(200);
    expect(integrity.body.data.auditIntegrity.ok).toBe(true);
  });
});
