import type { Actor } from '../access-policy/actor.js';
import { ApiKeysService } from './api-keys.service.js';
import { DemoStep } from '../database/demo-step.js';
import { BootstrapService } from './bootstrap.service.js';
import { withIdentityContext } from './identity-context.js';
import { PrincipalsService } from './principals.service.js';

/** The department code of the demo's Suzhou housing bureau; the records demo uses the same code. */
export const DEMO_DEPARTMENT_CODE = '320500-housing';

/**
 * Demo organizations and one principal per role, each with an API key, through the same
 * services (and audit) as the API: Jiangsu's hotline centre, Suzhou's housing bureau,
 * Nanjing University, the provincial audit office and a newspaper's data desk.
 */
export const identityDemoStep: DemoStep = {
  name: 'organizations, one principal per role and their API keys',
  async run(ctx) {
    // Demo keys are printed once and stop working after DEMO_KEY_DAYS days.
    const expiresAt = new Date(Date.now() + ctx.config.demoKeyDays * 86_400_000);
    await withIdentityContext(ctx.config, ctx.dataSource, async (app) => {
      const boot = await app
        .get(BootstrapService)
        .bootstrap(
          'Demo steward (data office)',
          { nameZh: '江苏省12345热线中心', nameEn: 'Jiangsu 12345 Hotline Centre' },
          { keyExpiresAt: expiresAt },
        );
      ctx.credentials.push({ role: 'steward', name: 'Demo steward (data office)', apiKey: boot.apiKey });
      const first: Actor = {
        role: 'steward',
        principalId: boot.principalId,
        organizationId: boot.organizationId,
        authMethod: 'none',
        requestId: 'demo-seed',
      };
      const principals = app.get(PrincipalsService);
      const keys = app.get(ApiKeysService);
      // Four eyes: a steward may not approve licences for accounts it created or keyed. The demo's
      // accounts are made by a second steward (the account manager, who has no key), so the
      // printed steward may approve the demo researcher's requests, as the README tour does.
      const manager = await principals.createPrincipal(first, {
        name: 'Demo account manager (data office)',
        role: 'steward',
        organizationId: boot.organizationId,
      });
      const steward: Actor = { ...first, principalId: manager.id };
      const accounts = [
        {
          role: 'department',
          name: 'Suzhou housing bureau analyst',
          organization: {
            kind: 'department',
            nameZh: '苏州市住房和城乡建设局',
            nameEn: 'Suzhou Housing and Urban-Rural Development Bureau',
            departmentCode: DEMO_DEPARTMENT_CODE,
          },
        },
        {
          role: 'researcher',
          name: 'Nanjing University researcher',
          organization: { kind: 'university', nameZh: '南京大学', nameEn: 'Nanjing University' },
        },
        {
          role: 'auditor',
          name: 'Provincial audit office auditor',
          organization: { kind: 'audit-office', nameZh: '江苏省审计厅', nameEn: 'Jiangsu Provincial Audit Office' },
        },
        {
          role: 'journalist',
          name: 'Xinhua Daily data journalist',
          organization: { kind: 'institute', nameZh: '新华日报社数据新闻部', nameEn: 'Xinhua Daily data desk' },
        },
      ];
      for (const account of accounts) {
        const principal = await principals.createPrincipal(steward, account);
        const created = await keys.create(steward, { name: 'demo', principalId: principal.id, expiresAt });
        ctx.credentials.push({ role: account.role, name: account.name, apiKey: created.apiKey });
      }
    });
  },
};
