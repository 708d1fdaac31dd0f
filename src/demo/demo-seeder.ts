import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { refreshRollupsOnRecordsChanged } from '../aggregate/rollups-on-records-changed.js';
import { AppConfig } from '../config/app-config.js';
import { DemoContext, DemoCredential } from '../database/demo-step.js';
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
  // Earlier versions kept the demo keys in plain text here; they are printed once now, never stored.
  await fs.rm(join(config.dataDir, 'demo-credentials.json'), { force: true });
  if (value) {
    log(
      `demo: loaded ${value}; its API keys were printed then and expire ${config.demoKeyDays} days after loading ` +
        '(DEMO_KEY_DAYS). A steward makes new ones with createApiKey; remove DATA_DIR to load the demo afresh',
    );
    return { seeded: false, credentials: [] };
  }
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
  // The records demo step's new records bring the rollups up to date.
  refreshRollupsOnRecordsChanged();
  const ctx: DemoContext = { dataSource, config, log, credentials: [] };
  for (const step of DEMO_STEPS) {
    log(`demo: ${step.name}`);
    await step.run(ctx);
  }
  await dataSource.query(
    `INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [MARKER_KEY, new Date().toISOString()],
  );
  return { seeded: true, credentials: ctx.credentials };
}
