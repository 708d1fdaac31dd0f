import { loadConfig } from '../src/config/app-config.js';
import { openDatabase } from '../src/bootstrap/open-database.js';
import { ImportRunner } from '../src/ingest/import/import-runner.js';
import { loadPseudonymKey } from '../src/ingest/pii/pseudonym-key.js';
import { backendCpuSeconds } from './backend-cpu.js';

/**
 * Runs one import in its own process, so the benchmark can report the import's own peak
 * memory and CPU time, and the CPU time of its database backends.
 */
const [file, url, dataDir] = process.argv.slice(2);
const config = loadConfig({ DATABASE_URL: url, DATA_DIR: dataDir });
const db = await openDatabase(config, 'cli');
try {
  const key = await loadPseudonymKey(config);
  const backends = async () =>
    (
      await db.dataSource.query<{ pid: number }[]>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
      )
    ).map((r) => r.pid);
  const before = backendCpuSeconds(await backends());
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const summary = await new ImportRunner(db.dataSource, key).run({ file, profile: '12345', source: 'bench' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  // The pool keeps the import's connection open, so its backend is still there to ask.
  const after = backendCpuSeconds(await backends());
  process.stdout.write(
    JSON.stringify({
      ...summary,
      seconds,
      nodeCpuSeconds: (used.user + used.system) / 1e6,
      databaseCpuSeconds: before === null || after === null ? null : after - before,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
} finally {
  await db.close();
}
