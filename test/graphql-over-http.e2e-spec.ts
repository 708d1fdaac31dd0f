import { serverAudits } from 'graphql-http';
import { AddressInfo } from 'node:net';
import { createTestApp, TestApp } from './utils/create-test-app.js';

/**
 * SHOULD and MAY audits this server fails on purpose; docs/security.md says why. The test fails
 * when this list and reality drift apart, so the documentation stays true.
 */
const KNOWN_NON_MUST_FAILURES = new Set<string>([
  // Apollo answers request errors with 400 whatever the Accept header; see docs/security.md.
  '572B SHOULD use 200 status code on document parsing failure when accepting application/json',
  'FDE2 SHOULD use 200 status code on document validation failure when accepting application/json',
  '7B9B SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
  // CSRF prevention: a GET needs a preflight-forcing header such as `apollo-require-preflight`.
  '5A70 MAY accept application/x-www-form-urlencoded formatted GET requests',
  '6A70 MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
  'D6D5 MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
]);

describe('GraphQL over HTTP conformance (graphql-http server audits)', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('passes every MUST, and fails only the documented SHOULD/MAY items', async () => {
    const results = await Promise.all(serverAudits({ url, fetchFn: fetch }).map((audit) => audit.fn()));
    const failed = results.filter((r) => r.status !== 'ok');
    const mustFailures = failed.filter((r) => r.name.startsWith('MUST'));
    expect(mustFailures.map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`)).toEqual([]);
    expect(results.filter((r) => r.name.startsWith('MUST')).length).toBeGreaterThanOrEqual(10);
    expect(failed.map((r) => `${r.id} ${r.name}`).sort()).toEqual([...KNOWN_NON_MUST_FAILURES].sort());
  });
});
