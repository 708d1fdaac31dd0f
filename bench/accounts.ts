/**
 * Real accounts for the realistic workload, made the way a data office makes them: a steward key
 * (the CLI's bootstrap on an empty database, else a new key for the existing steward through the
 * same service `createApiKey` uses), then over the API: `createPrincipal` and `createApiKey` for
 * every department, researcher, steward and auditor, `requestLicense` by each researcher and
 * `approveLicense` by another steward (four eyes: not the one who created the researcher's
 * account). Every step is audited like any other; keys are stored hashed, and the plain keys live
 * only in this process. Fresh accounts each run, so that daily quotas and budgets start at zero.
 */
import type http from 'node:http';
import type { Actor } from '../src/access-policy/actor.js';
import { ApiKeysService } from '../src/principals/api-keys.service.js';
import { loadConfig } from '../src/config/app-config.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { localDay } from '../src/licensing/quota-day.js';
import { BootstrapService } from '../src/principals/bootstrap.service.js';
import { withIdentityContext } from '../src/principals/identity-context.js';
import { graphql } from './http-load.js';
import { Account, RESEARCH_LICENCE_DIMENSIONS } from './workload.js';

export interface Credential {
  token: string;
  licenseId?: string;
}

/** A steward API key: bootstrap on an empty database, else a new key of the first steward. */
async function stewardKey(url: string): Promise<string> {
  const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', SEED_DEMO: 'false' });
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  try {
    const [steward] = await ds.query<{ id: string; organization_id: string }[]>(
      `SELECT id, organization_id FROM principal WHERE role = 'steward' AND disabled_at IS NULL ORDER BY created_at LIMIT 1`,
    );
    return await withIdentityContext(config, ds, async (ctx) => {
      if (!steward) return (await ctx.get(BootstrapService).bootstrap('Benchmark data office')).apiKey;
      const actor: Actor = {
        role: 'steward',
        principalId: steward.id,
        organizationId: steward.organization_id,
        authMethod: 'none',
        requestId: 'bench-accounts',
      };
      return (await ctx.get(ApiKeysService).create(actor, { name: 'benchmark', principalId: steward.id })).apiKey;
    });
  } finally {
    await ds.destroy();
  }
}

const CREATE_PRINCIPAL = `mutation($input: CreatePrincipalInput!) { createPrincipal(input: $input) { id } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey } }`;
const REQUEST_LICENSE = `mutation($input: RequestLicenseInput!) { requestLicense(input: $input) { id } }`;
const APPROVE_LICENSE = `mutation($id: ID!) { approveLicense(id: $id) { id status } }`;

const ORGANIZATION: Record<Account['role'], (a: Account, run: string) => Record<string, string>> = {
  department: (a, run) => ({
    kind: 'department',
    nameZh: `部门 ${a.departmentCode} ${run}`,
    nameEn: `Department ${a.departmentCode} (benchmark ${run})`,
    departmentCode: a.departmentCode!,
  }),
  researcher: (a, run) => ({
    kind: 'university',
    nameZh: `大学 ${a.id} ${run}`,
    nameEn: `University (benchmark ${run})`,
  }),
  steward: (_a, run) => ({
    kind: 'hotline-centre',
    nameZh: `热线中心 ${run}`,
    nameEn: `Hotline centre (benchmark ${run})`,
  }),
  auditor: (_a, run) => ({ kind: 'audit-office', nameZh: `审计 ${run}`, nameEn: `Audit office (benchmark ${run})` }),
};

/** Creates every account of the workload through the gateway on `port`; returns each one's key and licence. */
export async function createAccounts(
  url: string,
  agent: http.Agent,
  port: number,
  accounts: Account[],
): Promise<Map<string, Credential>> {
  const run = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  const steward = await stewardKey(url);
  const credentials = new Map<string, Credential>();
  for (const a of accounts) {
    const { createPrincipal } = await graphql<{ createPrincipal: { id: string } }>(
      agent,
      port,
      CREATE_PRINCIPAL,
      { input: { name: `${a.id} (benchmark ${run})`, role: a.role, organization: ORGANIZATION[a.role](a, run) } },
      steward,
    );
    const { createApiKey } = await graphql<{ createApiKey: { apiKey: string } }>(
      agent,
      port,
      CREATE_KEY,
      { input: { name: 'benchmark', principalId: createPrincipal.id } },
      steward,
    );
    credentials.set(a.id, { token: createApiKey.apiKey });
  }
  // Four eyes: the steward who created a licensee's account may not approve its licence, so a
  // steward of the workload (created by the first) approves.
  const approverAccount = accounts.find((a) => a.role === 'steward');
  if (!approverAccount) throw new Error('the workload needs a steward account to approve licences');
  const approver = credentials.get(approverAccount.id)!.token;
  const today = localDay(new Date());
  const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
  for (const a of accounts.filter((x) => x.role === 'researcher')) {
    const credential = credentials.get(a.id)!;
    const { requestLicense } = await graphql<{ requestLicense: { id: string } }>(
      agent,
      port,
      REQUEST_LICENSE,
      {
        input: {
          purpose: 'Benchmark: what residents ask about, by district, month and category, and how it is handled',
          datasets: [{ dataset: 'hotline-cases', dimensions: RESEARCH_LICENCE_DIMENSIONS }],
          validFrom: today,
          validTo: nextYear,
          dailyQuota: 100_000,
          acceptObligations: ['no-reidentification', 'no-onward-sharing', 'cite-source', 'report-publications'],
        },
      },
      credential.token,
    );
    await graphql(agent, port, APPROVE_LICENSE, { id: requestLicense.id }, approver);
    credential.licenseId = requestLicense.id;
  }
  return credentials;
}
