import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { DemoContext, DemoCredential } from './demo-step.js';
import { DEMO_STEPS } from './demo-steps.js';

const MARKER_KEY = 'demo_seeded_at';

/**
 * Loads the demo into an empty database, once. "Empty" means no demo marker and no
 * data beyond what migrations seed; a database with real data is never touched.
 */
export async function seedDemoIfEmpty(
  dataSource: DataSource,
  config: AppConfig,
  log: (line: string) => void,
): Promise<{ seeded: boolean; credentials: DemoCredential[] }> {
  const rows = await dataSource.query<{ value: string }[]>(`SELECT value FROM app_meta WHERE key = $1`, [MARKER_KEY]);
  const value = rows[0]?.value;
  if (value) return { seeded: false, credentials: await readCredentials(config) };
  const [held] = await dataSource.query<{ principals: number; cases: number }[]>(
    `SELECT (SELECT count(*)::int FROM principal) AS principals,
            (SELECT count(*)::int FROM (SELECT 1 FROM case_record LIMIT 1) c) AS cases`,
  );
  if (held.principals > 0 || held.cases > 0) {
    // Real data, or a demo load that was stopped halfway: never touch it, but say why.
    log(
      'demo: not loaded, the database already holds principals or cases without a finished demo ' +
        '(an interrupted demo load?); remove DATA_DIR to load the demo afresh, or set SEED_DEMO=false',
    );
    return { seeded: false, credentials: [] };
  }
  const ctx: DemoContext = { dataSource, config, log, credentials: [] };
  for (const step of DEMO_STEPS) {
    log(`demo: ${step.name}`);
    await step.run(ctx);
  }
  await writeCredentials(config, ctx.credentials);
  await dataSource.query(
    `INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [MARKER_KEY, new Date().toISOString()],
  );
  return { seeded: true, credentials: ctx.credentials };
}

function credentialsPath(config: AppConfig): string {
  return join(config.dataDir, 'demo-credentials.json');
}

async function writeCredentials(config: AppConfig, credentials: DemoCredential[]): Promise<void> {
  await fs.mkdir(config.dataDir, { recursive: true });
  await fs.writeFile(credentialsPath(config), JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
}

export async function readCredentials(config: AppConfig): Promise<DemoCredential[]> {
  try {
    return JSON.parse(await fs.readFile(credentialsPath(config), 'utf8')) as DemoCredential[];
  } catch {
    return [];
  }
}
