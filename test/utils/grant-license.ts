import type { TestApp } from './create-test-app.js';

/** The obligations every test licence accepts. */
export const ALL_OBLIGATIONS = ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'];

/**
 * A licence as the test researcher asks for it and the test steward approves it
 * (2026-01-01 to 2028-12-31, 1,000 queries a day); returns its id.
 */
export async function grantTestLicense(
  t: TestApp,
  purpose: string,
  datasets: { dataset: string; dimensions: { dimension: string; level: string }[] }[],
): Promise<string> {
  const requested = await t.gql(
    `mutation($i: RequestLicenseInput!) { requestLicense(input: $i) { id } }`,
    {
      i: {
        purpose,
        datasets,
        validFrom: '2026-01-01',
        validTo: '2028-12-31',
        dailyQuota: 1000,
        acceptObligations: ALL_OBLIGATIONS,
      },
    },
    'test-researcher',
  );
  expect(requested.body.errors).toBeUndefined();
  const id = requested.body.data.requestLicense.id as string;
  const approved = await t.gql(`mutation { approveLicense(id: "${id}") { status } }`, {}, 'test-steward');
  expect(approved.body.data.approveLicense.status).toBe('active');
  return id;
}
