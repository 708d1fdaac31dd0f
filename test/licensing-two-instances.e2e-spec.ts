import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../src/bootstrap/create-app.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { insertCases, insertReferenceData } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/** Suspension and revocation decided on one gateway instance stop queries on another at once. */
describe('licence decisions across two gateway instances', () => {
  let a: TestApp;
  let b: INestApplication;
  const dataSourceB = () => createDataSource(a.dbUrl, { poolSize: 4 });
  let closeB: () => Promise<void>;

  beforeAll(async () => {
    a = await createTestApp();
    registerTestCredentials(a.app);
    await insertReferenceData(a.dataSource);
    await insertCases(a.dataSource, { count: 500, seed: 7 });
    const ds = dataSourceB();
    await ds.initialize();
    b = await createApp(a.config, ds);
    await b.init();
    registerTestCredentials(b);
    closeB = async () => {
      await b.close();
      if (ds.isInitialized) await ds.destroy();
    };
  });
  afterAll(async () => {
    await closeB();
    await a.close();
  });

  const gql = (app: INestApplication, query: string, token: string) =>
    request(app.getHttpServer()).post('/graphql').set('Authorization', `Bearer ${token}`).send({ query });
  const aggregateOnB = (licenseId: string) =>
    gql(
      b,
      `{ aggregate(query: { dataset: "hotline-cases", licenseId: "${licenseId}", measures: ["cases"], groupBy: [{ dimension: "area", level: "city" }] }) { licenseId } }`,
      'test-researcher',
    );

  it('suspension on instance A refuses the next query on instance B; revocation too', async () => {
    const requested = await gql(
      a.app,
      `mutation { requestLicense(input: { purpose: "Two instances: cases by city in 2021", validFrom: "2026-01-01", validTo: "2027-12-31", dailyQuota: 50,
        acceptObligations: ["no-reidentification", "no-onward-sharing", "cite-source", "report-publications"],
        datasets: [{ dataset: "hotline-cases", dimensions: [{ dimension: "area", level: "city" }] }] }) { id } }`,
      'test-researcher',
    );
    const id = requested.body.data.requestLicense.id as string;
    await gql(a.app, `mutation { approveLicense(id: "${id}") { status } }`, 'test-steward').expect(200);

    const first = await aggregateOnB(id);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.aggregate.licenseId).toBe(id);

    await gql(
      a.app,
      `mutation { suspendLicense(id: "${id}", input: { reason: "checking a report" }) { status } }`,
      'test-steward',
    );
    const suspended = await aggregateOnB(id);
    expect(suspended.body.errors[0].extensions).toMatchObject({ code: 'LICENSE_INACTIVE', status: 'suspended' });

    await gql(
      a.app,
      `mutation { reinstateLicense(id: "${id}", input: { reason: "report received" }) { status } }`,
      'test-steward',
    );
    expect((await aggregateOnB(id)).body.errors).toBeUndefined();

    await gql(
      a.app,
      `mutation { revokeLicense(id: "${id}", input: { reason: "data shared onward" }) { status } }`,
      'test-steward',
    );
    const revoked = await aggregateOnB(id);
    expect(revoked.body.errors[0].extensions).toMatchObject({ code: 'LICENSE_INACTIVE', status: 'revoked' });
  });
});
