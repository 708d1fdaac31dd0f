/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: they use DOM types.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { startFakeOidcProvider } from './utils/fake-oidc-provider.js';
import { createTestDatabase } from './utils/test-database.js';
import {
  ARTIFACTS,
  demoKeys,
  ensureBuilt,
  launchBrowser,
  startServer,
  type RunningServer,
} from './utils/portal-browser.js';

/**
 * The web portal in a real browser (Debian's Chromium, driven by playwright-core) against the real
 * server process on a fresh database with the demo loaded: one journey per role, the denied
 * action, the explorer, the XSS probe and the layout checks. Each journey ends with a screenshot
 * in test/artifacts/.
 */
describe('web portal in a browser', () => {
  let server: RunningServer;
  let dropDatabase: () => Promise<void>;
  let databaseUrl = '';
  let context: BrowserContext;
  let closeBrowser: () => Promise<void>;
  let keys: Record<string, string>;
  /** Content-Security-Policy reports and page errors, from every tab: there must be none. */
  const problems: string[] = [];
  let licenceId = '';

  beforeAll(async () => {
    ensureBuilt();
    const db = await createTestDatabase();
    dropDatabase = db.drop;
    databaseUrl = db.url;
    server = await startServer({ DATABASE_URL: db.url, SEED_DEMO: 'true', DEMO_CASES: '8000' });
    keys = demoKeys(server.output());
    expect(Object.keys(keys).sort()).toEqual(['auditor', 'department', 'journalist', 'researcher', 'steward']);
    ({ context, close: closeBrowser } = await launchBrowser('zh-CN'));
  }, 300_000);

  afterAll(async () => {
    await closeBrowser?.();
    await server?.stop();
    await dropDatabase?.();
  });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  async function newTab(width = 1280): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to|eval/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`a dialog opened: ${d.message()}`);
      void d.dismiss();
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`Refused to load: CSP ${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    return page;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(server.url + '/sign-in');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in with this key' }).click();
    await page.getByTestId('signed-in').waitFor();
  }

  async function shot(page: Page, name: string, fullPage = true): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `portal-${name}.png`), fullPage });
  }

  async function noHorizontalScroll(page: Page): Promise<void> {
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
  }

  /** Every form control has a name a screen reader would read (a label, aria-label or aria-labelledby). */
  async function controlsAreLabelled(page: Page): Promise<void> {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((el) => {
          const c = el as HTMLInputElement;
          if (c.type === 'hidden') return false;
          const named =
            (c.labels?.length ?? 0) > 0 ||
            c.getAttribute('aria-label') ||
            c.getAttribute('aria-labelledby') ||
            (el.tagName === 'BUTTON' && (el.textContent ?? '').trim() !== '');
          return !named;
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    expect(unlabelled).toEqual([]);
  }

  it('public: Chinese first for a Chinese browser, switchable; browses the catalog and builds an open table by keyboard and mouse', async () => {
    const page = await newTab(390);
    await page.goto(server.url + '/');
    // The browser asks for zh-CN: the portal answers in Chinese, and the choice can be changed.
    await page.getByRole('link', { name: '数据目录' }).first().waitFor();
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('navigation').getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    await noHorizontalScroll(page);
    await page.getByRole('link', { name: '12345 hotline cases (open)' }).click();
    await page.getByRole('heading', { name: 'Measures' }).waitFor();
    await page.getByText('How to cite').waitFor();
    await expect(page.locator('.citation').innerText()).resolves.toMatch(/Dataset "hotline-cases-open"/);
    await noHorizontalScroll(page);
    await page.getByRole('link', { name: 'Build a table from this dataset' }).click();

    // Build the table: area by city in rows, years across, cases and satisfaction.
    await page.getByLabel('Add a row dimension').selectOption('area');
    await page.getByLabel('Level of Area').first().selectOption('city');
    await page.getByLabel('Add a column dimension').selectOption('time');
    await page.getByRole('checkbox', { name: /^Cases/ }).check();
    await page.getByRole('checkbox', { name: /^Satisfaction rate/ }).check();
    // The run button is reachable by keyboard: focus the last measure, then Tab until it is focused.
    await page.getByRole('checkbox', { name: /^Satisfaction rate/ }).focus();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Run the query');
    }
    expect(reached).toBe(true);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');

    const answer = page.getByTestId('answer');
    await answer.waitFor();
    expect(page.url()).toContain('ds=hotline-cases-open');
    expect(page.url()).toContain('r=area.city');
    await expect(page.getByTestId('result-table').locator('tbody tr').count()).resolves.toBe(13);
    await expect(page.getByTestId('flag-legend').innerText()).resolves.toContain('perturbed');
    await page.locator('.chart-box canvas').first().waitFor();
    await expect(page.getByTestId('citation').innerText()).resolves.toMatch(/hotline-cases-open/);
    await page.getByText('The same query as GraphQL, curl and Python').click();
    await expect(page.getByLabel('curl').inputValue()).resolves.toContain('/graphql');

    // The link reproduces the query in a fresh tab.
    const again = await newTab();
    await again.goto(page.url());
    await again.getByTestId('answer').waitFor();
    await expect(again.getByTestId('result-table').locator('tbody tr').count()).resolves.toBe(13);
    await again.close();

    await noHorizontalScroll(page);
    await controlsAreLabelled(page);
    await shot(page, 'public');
    await page.close();
  });

  it('researcher applies, steward approves (audit event shown), researcher builds the licensed table, sees flags and downloads the CSV', async () => {
    const researcher = await newTab();
    await signIn(researcher, keys.researcher);
    await researcher.getByRole('navigation').getByRole('link', { name: 'Licences' }).click();
    await researcher.getByRole('button', { name: 'Apply for a licence' }).click();
    await researcher
      .getByLabel('Purpose')
      .fill('Complaint volumes by city and kind, 2021-2022, for a study of repeat complaints');
    await researcher.getByRole('checkbox', { name: /hotline-cases$/ }).check();
    const scope = researcher
      .locator('fieldset.scope', { hasText: 'hotline-cases' })
      .filter({ hasNotText: 'call-traffic' });
    await scope.getByLabel('Area', { exact: true }).selectOption('city');
    await scope.getByLabel('Request kind', { exact: true }).selectOption('kind');
    await scope.getByLabel('Time', { exact: true }).selectOption('month');
    for (const o of ['identify any person', 'pass the data on', 'cite the source', 'report publications']) {
      await researcher.getByRole('checkbox', { name: new RegExp(o) }).check();
    }
    await controlsAreLabelled(researcher);
    await researcher.getByRole('button', { name: 'Send the request' }).click();
    const sent = await researcher.getByText(/Request L-\d+ sent; status: requested/).innerText();
    licenceId = /L-\d+/.exec(sent)?.[0] ?? '';
    expect(licenceId).not.toBe('');
    await expect(researcher.locator('.audit-note').innerText()).resolves.toMatch(/requestLicense.*#\d+/);

    const steward = await newTab();
    await signIn(steward, keys.steward);
    await steward.getByRole('navigation').getByRole('link', { name: 'Licences' }).click();
    const card = steward.getByTestId(`licence-${licenceId}`);
    await card.waitFor();
    // Approve with narrowing: the area may be granted no finer than requested, and a dimension
    // left out entirely is named as a problem before anything is sent.
    const narrowing = card.getByTestId('narrow-hotline-cases');
    await expect(
      narrowing
        .getByLabel(/^Area: finest level/)
        .locator('option')
        .allInnerTexts(),
    ).resolves.not.toContain('district');
    for (const dimension of ['Area', 'Request kind', 'Time']) {
      await narrowing.getByLabel(new RegExp(`^${dimension}: finest level`)).selectOption('');
    }
    await expect(card.getByTestId('narrowing-problems').innerText()).resolves.toContain(
      'hotline-cases: keep at least one dimension',
    );
    await expect(card.getByRole('button', { name: 'Approve' }).isDisabled()).resolves.toBe(true);
    await narrowing.getByLabel(/^Area: finest level/).selectOption('city');
    await narrowing.getByLabel(/^Request kind: finest level/).selectOption('kind');
    await narrowing.getByLabel(/^Time: finest level/).selectOption('month');
    await narrowing.getByLabel(/^Data until/).fill('2021-12-31');
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.getByText(`Approve licence ${licenceId}, narrowed as entered above?`).waitFor();
    await card.getByRole('button', { name: 'Confirm' }).click();
    const outcome = steward.getByTestId('decision-outcome');
    await outcome.waitFor();
    await expect(outcome.innerText()).resolves.toMatch(new RegExp(`Licence ${licenceId} is now active`));
    await expect(outcome.innerText()).resolves.toMatch(/Recorded in the audit log \(approveLicense\): event #\d+/);
    // The licence in force carries the narrowed period.
    await steward.getByTestId(`licence-${licenceId}`).locator('.scopes', { hasText: '2021-12-31' }).waitFor();
    await shot(steward, 'steward-approved');
    await steward.close();

    // The researcher builds the licensed table through the form.
    await researcher.getByRole('navigation').getByRole('link', { name: 'Build a table' }).click();
    await researcher.getByLabel('Dataset').selectOption('hotline-cases');
    await researcher.getByLabel('Licence').selectOption(licenceId);
    await researcher.getByLabel('Add a row dimension').selectOption('area');
    await researcher.getByLabel('Level of Area').first().selectOption('city');
    await researcher.getByLabel('Add a column dimension').selectOption('kind');
    await researcher.getByRole('checkbox', { name: /^Cases/ }).check();
    await researcher.getByLabel('Filter by').selectOption('area');
    await researcher.locator('.filter').getByLabel('Level of Area').selectOption('city');
    await researcher.getByLabel(/^Search Area/).fill('Suzhou');
    await researcher
      .getByRole('checkbox', { name: /Suzhou/ })
      .first()
      .check();
    await researcher.getByLabel('Time from').fill('2021-01');
    await researcher.getByLabel('Time to').fill('2021-03');
    await researcher.getByRole('button', { name: 'Run the query' }).click();
    await researcher.getByTestId('answer').waitFor();
    expect(researcher.url()).toContain(`lic=${licenceId}`);
    expect(researcher.url()).not.toContain(keys.researcher);
    const legend = await researcher.getByTestId('flag-legend').innerText();
    expect(legend).toMatch(/perturbed|suppressed/);
    await expect(researcher.locator('td.flag-perturbed, td.flag-suppressed').count()).resolves.toBeGreaterThan(0);
    await researcher.getByText(licenceId, { exact: true }).first().waitFor();

    // The key is in this tab's sessionStorage only: not in localStorage, cookies or the URL.
    const storage = await researcher.evaluate(() => ({
      session: Object.values(sessionStorage).join(' '),
      local: Object.values(localStorage).join(' '),
      cookies: document.cookie,
    }));
    expect(storage.session).toContain(keys.researcher);
    expect(storage.local).not.toContain('hgw_');
    expect(storage.cookies).not.toContain('hgw_');

    const [download] = await Promise.all([
      researcher.waitForEvent('download'),
      researcher.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(download.suggestedFilename()).toBe('hotline-cases-aggregate.csv');
    expect(csv).toMatch(/^# citation: /m);
    expect(csv).toContain(`# licence: ${licenceId}`);
    expect(csv.split('\n').find((l) => !l.startsWith('#'))).toMatch(
      /^area\.city,area\.city\.labelZh,area\.city\.labelEn,kind,kind\.labelZh/,
    );
    await shot(researcher, 'researcher-licensed-table');
    await researcher.close();
  });

  it('a denied action shows the server’s reason in words', async () => {
    const page = await newTab();
    await signIn(page, keys.researcher);
    // L-1 allows area down to district; a street-level table is refused by the gateway.
    await page.goto(`${server.url}/build?ds=hotline-cases&r=area.street&m=cases&lic=L-1`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const shown = await alert.innerText();
    const api = (await (
      await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.researcher}` },
        body: JSON.stringify({
          query: 'query($q: AggregateQueryInput!) { aggregate(query: $q) { auditEventId } }',
          variables: {
            q: {
              dataset: 'hotline-cases',
              groupBy: [{ dimension: 'area', level: 'street' }],
              measures: ['cases'],
              licenseId: 'L-1',
            },
          },
        }),
      })
    ).json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(api.errors[0].extensions.code).toBe('OUT_OF_LICENSE_SCOPE');
    expect(shown).toContain('Outside what the licence allows');
    expect(shown).toContain('OUT_OF_LICENSE_SCOPE');
    expect(shown).toContain(api.errors[0].message);
    await shot(page, 'denied');
    await page.close();
  });

  it('auditor finds the licence’s events, opens one, runs the integrity check and sees the checkpoints', async () => {
    const page = await newTab();
    await signIn(page, keys.auditor);
    await expect(page.getByRole('navigation').getByRole('link', { name: 'Build a table' }).count()).resolves.toBe(0);
    await page.getByRole('navigation').getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Licence').fill(licenceId);
    await page.getByRole('button', { name: 'Find events' }).click();
    const events = page.getByTestId('audit-events');
    await events.waitFor();
    const text = await events.innerText();
    expect(text).toContain('aggregate');
    expect(text).toContain('approveLicense');
    await events
      .getByRole('row', { name: /aggregate/ })
      .first()
      .getByRole('button')
      .click();
    const detail = page.getByTestId('event-detail');
    await detail.waitFor();
    await expect(detail.getByLabel('Normalized query').inputValue()).resolves.toContain('"dataset": "hotline-cases"');
    await page.getByRole('button', { name: 'Run the integrity check' }).click();
    await expect(page.getByTestId('integrity-result').innerText()).resolves.toMatch(/Intact: [\d,]+ events check out/);
    await page.getByRole('button', { name: 'Show checkpoints and the public key' }).click();
    await expect(page.getByLabel(/^Public key/).inputValue()).resolves.toContain('BEGIN PUBLIC KEY');
    await controlsAreLabelled(page);
    await shot(page, 'auditor');
    await page.close();
  });

  it('department opens its dashboard: performance against the province, hot topics, and the surge monitor’s licence rule', async () => {
    const page = await newTab(390);
    await signIn(page, keys.department);
    await page.getByRole('navigation').getByRole('link', { name: 'Department' }).click();
    const perf = page.getByTestId('department-performance');
    await perf.waitFor();
    const rows = await perf.innerText();
    expect(rows).toMatch(/On-time rate\s+\d+(\.\d)?%/);
    expect(rows).toMatch(/Solved rate\s+\d+(\.\d)?%\s+\d+(\.\d)?%/);
    await page.getByTestId('hot-topics').waitFor();
    await expect(page.getByTestId('hot-topics').locator('li').count()).resolves.toBeGreaterThan(0);
    // The demo department holds no licence for call traffic: the monitor says why, in the gateway's words.
    await expect(page.getByRole('alert').filter({ hasText: 'LICENSE_REQUIRED' }).innerText()).resolves.toContain(
      'call-traffic',
    );
    await noHorizontalScroll(page);
    await shot(page, 'department');
    await page.close();
  });

  it('steward sees the surge monitor data and a 500-row table renders', async () => {
    const page = await newTab();
    await signIn(page, keys.steward);
    await page.evaluate(() => {
      (window as unknown as { longest: number }).longest = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const w = window as unknown as { longest: number };
          w.longest = Math.max(w.longest, e.duration);
        }
      }).observe({ type: 'longtask', buffered: false });
    });
    await page.goto(`${server.url}/build?ds=call-traffic&r=time.day,area.city&m=callsOffered,answerRate&n=500`);
    await page.getByTestId('answer').waitFor();
    await expect(page.getByTestId('result-table').locator('tbody tr').count()).resolves.toBe(500);
    // Still responsive: a control reacts after the table is drawn.
    await page.getByText('The same query as GraphQL, curl and Python').click();
    await page.getByLabel('Python').waitFor();
    const longest = await page.evaluate(() => (window as unknown as { longest?: number }).longest ?? 0);
    writeFileSync(join(ARTIFACTS, 'portal-500-rows.json'), JSON.stringify({ longestTaskMs: longest }) + '\n');
    await shot(page, 'steward-500-rows', false);
    await page.close();
  });

  it('steward creates a principal, disables it (audited, its keys stop working) and enables it again', async () => {
    const steward = await newTab();
    await signIn(steward, keys.steward);
    await steward.getByRole('navigation').getByRole('link', { name: 'Administration' }).click();
    const principals = steward.locator('section', { has: steward.getByRole('heading', { name: 'Principals' }) });
    await principals.getByLabel('Name', { exact: true }).fill('Visiting researcher');
    await principals.getByLabel('Role').selectOption('researcher');
    await principals.getByLabel('Name (Chinese)').fill('南京大学');
    await principals.getByLabel('Name (English)').fill('Nanjing University');
    await principals.getByRole('button', { name: 'Create the principal' }).click();
    const created = await principals.getByText(/Created Visiting researcher \(researcher\), id /).innerText();
    const id = /id ([0-9a-f-]{36})/.exec(created)?.[1] ?? '';
    expect(id).not.toBe('');

    // A key for the new principal, used straight through the API.
    const minted = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.steward}` },
      body: JSON.stringify({
        query: `mutation($p: ID!) { createApiKey(input: { principalId: $p, name: "visiting" }) { apiKey } }`,
        variables: { p: id },
      }),
    });
    const secret = ((await minted.json()) as { data: { createApiKey: { apiKey: string } } }).data.createApiKey.apiKey;
    /** The new key's standing: `ok`, or the error code the gateway answers with. */
    const whoAmI = async (): Promise<string> => {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: '{ me { principal { id } } }' }),
      });
      const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
      return body.errors?.[0]?.extensions?.code ?? 'ok';
    };
    expect(await whoAmI()).toBe('ok');

    await principals.getByLabel('Principal id').fill(id);
    await principals.getByLabel(/^Reason/).fill('visit ended');
    await principals.getByRole('button', { name: 'Disable', exact: true }).click();
    await principals.getByRole('button', { name: 'Confirm' }).click();
    await principals.getByText(`Principal ${id} is disabled.`).waitFor();
    await expect(principals.locator('.audit-note').last().innerText()).resolves.toMatch(/disablePrincipal.*#\d+/);
    expect(await whoAmI()).toBe('UNAUTHENTICATED');

    await principals.getByRole('button', { name: 'Enable', exact: true }).click();
    await principals.getByRole('button', { name: 'Confirm' }).click();
    await principals.getByText(`Principal ${id} is enabled.`).waitFor();
    expect(await whoAmI()).toBe('ok');
    await shot(steward, 'steward-principal-disabled');
    await steward.close();
  });

  it('renders every catalog title as text: a dataset titled <img src=x onerror=alert(1)> runs nothing', async () => {
    const payload = '<img src=x onerror=alert(1)>';
    const steward = await newTab();
    await signIn(steward, keys.steward);
    await steward.getByRole('navigation').getByRole('link', { name: 'Administration' }).click();
    await steward.getByLabel('Start from').selectOption('hotline-cases-open');
    await steward.locator('input[value="hotline-cases-open"]').waitFor();
    await steward.getByLabel('Slug', { exact: true }).fill('xss-probe');
    await steward.getByLabel('Title (Chinese)').fill(payload);
    await steward.getByLabel('Title (English)').fill(payload);
    await steward.getByLabel('Description (English)').fill(`<script>alert(2)</script> ${payload}`);
    await steward.getByRole('button', { name: 'Publish', exact: true }).click();
    await steward.getByText('Dataset xss-probe published.').waitFor();
    await expect(steward.locator('.audit-note').last().innerText()).resolves.toMatch(/publishDataset.*#\d+/);
    await steward.close();

    const page = await newTab();
    await page.goto(server.url + '/catalog');
    await page.getByText(payload).first().waitFor();
    await page.goto(server.url + '/catalog/xss-probe');
    await page.getByRole('heading', { name: payload }).waitFor();
    await page.goto(server.url + '/build?ds=xss-probe&r=area.city&m=cases');
    await page.getByTestId('answer').waitFor();
    const injected = await page.evaluate(() => ({
      images: document.querySelectorAll('img').length,
      scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
      alerted: (window as unknown as { alerted?: boolean }).alerted ?? false,
    }));
    expect(injected).toEqual({ images: 0, scripts: 0, alerted: false });
    await shot(page, 'xss-probe');
    await page.close();
  });

  it('the GraphQL explorer opens from a browser GET on /graphql and sends the signed-in key; JSON GET and POST are unchanged', async () => {
    const page = await newTab();
    await signIn(page, keys.auditor);
    const query = '{ me { principal { name role } } }';
    await page.goto(`${server.url}/graphql?query=${encodeURIComponent(query)}`);
    await page.locator('.graphiql-query-editor', { hasText: 'principal' }).waitFor();
    await page.getByRole('button', { name: /Execute query/ }).click();
    await page.locator('.graphiql-response', { hasText: 'Provincial audit office auditor' }).waitFor();
    await shot(page, 'explorer');
    await page.close();

    const json = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(
      /Cross-Site Request Forgery/,
    );
  });

  it('signs in through OpenID Connect (authorization code with PKCE) when OIDC is configured, and signs out', async () => {
    // (a second server process starts here, hence the longer timeout on a busy machine)
    const subject = 'oidc-researcher-7';
    const created = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.steward}` },
      body: JSON.stringify({
        query: `mutation { createPrincipal(input: { name: "OIDC researcher", role: "researcher", oidcSubject: "${subject}", organization: { kind: "university", nameZh: "东南大学", nameEn: "Southeast University" } }) { id } }`,
      }),
    });
    expect(((await created.json()) as { errors?: unknown }).errors).toBeUndefined();
    const idp = await startFakeOidcProvider({ clientId: 'hotline-portal', audience: 'hotline-gateway', subject });
    // A second gateway process on the same database, with OIDC on.
    const withOidc = await startServer({
      DATABASE_URL: databaseUrl,
      SEED_DEMO: 'false',
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: 'hotline-gateway',
      OIDC_JWKS_URL: `${idp.issuer}/jwks`,
      OIDC_CLIENT_ID: 'hotline-portal',
    });
    try {
      const page = await newTab();
      await page.goto(withOidc.url + '/sign-in');
      // Another origin (port), so the language chosen earlier does not carry over.
      await page.getByLabel('语言').selectOption('en');
      await page.getByRole('button', { name: /^Sign in with 127\.0\.0\.1:\d+$/ }).click();
      await page.getByTestId('signed-in').waitFor();
      await expect(page.getByTestId('signed-in').innerText()).resolves.toContain('OIDC researcher');
      expect(idp.verifiedExchanges()).toBe(1);
      expect(page.url()).toBe(withOidc.url + '/');
      const stored = await page.evaluate(() => ({
        session: Object.values(sessionStorage),
        local: Object.values(localStorage).join(' '),
      }));
      expect(stored.session.some((v) => /^ey[\w-]+\.[\w-]+\.[\w-]+$/.test(v))).toBe(true);
      expect(stored.local).not.toMatch(/ey[\w-]+\.ey/);
      await page.getByRole('navigation').getByRole('link', { name: 'Licences' }).waitFor();
      await shot(page, 'oidc');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
      await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0);
      await page.close();
    } finally {
      await withOidc.stop();
      await idp.close();
    }
  }, 300_000);
});
