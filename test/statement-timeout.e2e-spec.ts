import { createTestApp, TestApp } from './utils/create-test-app.js';
import { SlowQueryModule } from './utils/slow-query.module.js';

describe('statement timeouts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DB_STATEMENT_TIMEOUT_MS: '700' }, { modules: [SlowQueryModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('cancels a statement over DB_STATEMENT_TIMEOUT_MS and answers QUERY_TOO_COMPLEX, with nothing internal', async () => {
    // Cancelled at 0.7 s; uncancelled it would take 30 s. The limit leaves room for a loaded machine.
    const started = Date.now();
    const res = await t.gql('{ sleepInPool(seconds: 30) }').expect(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.body.errors[0].message).toMatch(/cancelled.*Narrow it/);
    expect(JSON.stringify(res.body)).not.toMatch(/pg_sleep|statement timeout|canceling|57014|SELECT/i);
  });

  it('lets statements under the ceiling finish', async () => {
    const res = await t.gql('{ sleepInPool(seconds: 0.05) }').expect(200);
    expect(res.body).toEqual({ data: { sleepInPool: true } });
  });

  it('applies a tighter per-call timeout, then leaves the pooled connection as it was', async () => {
    const started = Date.now();
    // Under the pool's 700 ms, only the tight 100 ms timeout cancels this 0.5 s sleep (the error code says so).
    const tight = await t.gql('{ sleepTight(seconds: 0.5, timeoutMs: 100) }').expect(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(tight.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    // SET LOCAL ended with the transaction: the same 0.5 s sleep now passes under the pool's 700 ms.
    const runs = await Promise.all(Array.from({ length: 12 }, () => t.gql('{ sleepInPool(seconds: 0.3) }')));
    expect(runs).toHaveLength(12);
    for (const run of runs) expect(run.body).toEqual({ data: { sleepInPool: true } });
  });
});
