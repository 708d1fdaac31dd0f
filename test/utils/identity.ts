import { BootstrapService } from '../../src/principals/bootstrap.service.js';
import { TestApp } from './create-test-app.js';

export interface TestPrincipal {
  principalId: string;
  organizationId: string;
  apiKey: string;
}

/** The first steward, through the same service as `hotline-gateway bootstrap`. */
export async function bootstrapSteward(t: TestApp, name = 'Test steward'): Promise<TestPrincipal> {
  const r = await t.app.get(BootstrapService).bootstrap(name);
  return { principalId: r.principalId, organizationId: r.organizationId, apiKey: r.apiKey };
}

const ORGS = {
  steward: { kind: 'hotline-centre', nameZh: '热线中心', nameEn: 'Hotline centre' },
  department: {
    kind: 'department',
    nameZh: '苏州市住建局',
    nameEn: 'Suzhou housing bureau',
    departmentCode: '320500-housing',
  },
  researcher: { kind: 'university', nameZh: '南京大学', nameEn: 'Nanjing University' },
  auditor: { kind: 'audit-office', nameZh: '江苏省审计厅', nameEn: 'Jiangsu Provincial Audit Office' },
  journalist: { kind: 'institute', nameZh: '新华日报社数据新闻部', nameEn: 'Xinhua Daily data desk' },
} as const;

/** A principal of the given role (with a new organization) and an API key, created by a steward over GraphQL. */
export async function createPrincipalWithKey(
  t: TestApp,
  stewardKey: string,
  role: keyof typeof ORGS,
  options: { name?: string; oidcSubject?: string; keyExpiresAt?: string; scopes?: string[] } = {},
): Promise<TestPrincipal> {
  const created = await t.gql(
    `mutation ($input: CreatePrincipalInput!) { createPrincipal(input: $input) { id organization { id } } }`,
    {
      input: { name: options.name ?? `Test ${role}`, role, organization: ORGS[role], oidcSubject: options.oidcSubject },
    },
    stewardKey,
  );
  if (created.body.errors) throw new Error(JSON.stringify(created.body.errors));
  const principal = created.body.data.createPrincipal as { id: string; organization: { id: string } };
  const key = await t.gql(
    `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey } }`,
    { input: { name: 'test', principalId: principal.id, expiresAt: options.keyExpiresAt, scopes: options.scopes } },
    stewardKey,
  );
  if (key.body.errors) throw new Error(JSON.stringify(key.body.errors));
  return {
    principalId: principal.id,
    organizationId: principal.organization.id,
    apiKey: key.body.data.createApiKey.apiKey,
  };
}
