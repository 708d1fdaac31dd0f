import { loadConfig } from '../src/config/app-config.js';
import { openDatabase } from '../src/database/open-database.js';
import { ImportRunner } from '../src/ingest/import/import-runner.js';
import { loadPseudonymKey } from '../src/ingest/pii/pseudonym-key.js';

/** Runs one import in its own process, so the benchmark can report the import's own peak memory. */
const [file, url, dataDir] = process.argv.slice(2);
const config = loadConfig({ DATABASE_URL: url, DATA_DIR: dataDir });
const db = await openDatabase(config, 'cli');
try {
  const key = await loadPseudonymKey(config);
  const started = process.hrtime.bigint();
  const summary = await new ImportRunner(db.dataSource, key).run({ file, profile: '12345', source: 'bench' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    JSON.stringify({ ...summary, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n',
  );
} finally {
  await db.close();
}
