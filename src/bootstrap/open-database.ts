import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { refreshRollupsOnRecordsChanged } from '../aggregate/rollups-on-records-changed.js';
import { notifyRecordsChanged } from '../records/records-changed.js';
import { createDataSource } from './data-source.js';
import { redactUrl } from '../database/redact-url.js';
import { OwnerKind, startEmbedded } from '../database/embedded-database.js';

export interface OpenDatabase {
  url: string;
  /** `embedded` when this process or another gateway runs PostgreSQL from DATA_DIR/pg. */
  kind: 'external' | 'embedded';
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Opens the database the configuration names: DATABASE_URL, or the embedded
 * PostgreSQL of DATA_DIR (started here, or joined when a running gateway owns it).
 */
export async function openDatabase(
  config: AppConfig,
  kind: OwnerKind,
  log: (line: string) => void = () => undefined,
): Promise<OpenDatabase> {
  let url = config.databaseUrl;
  let stopEmbedded: () => Promise<void> = async () => undefined;
  if (url === undefined) {
    const embedded = await startEmbedded({ dataDir: config.dataDir, kind, log });
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const dataSource = createDataSource(url, {
    applicationName: `hotline-gateway-${kind}`,
    statementTimeoutMs: config.statementTimeoutMs,
  });
  try {
    await dataSource.initialize();
  } catch (err) {
    await stopEmbedded();
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  return {
    url,
    kind: config.databaseUrl === undefined ? 'embedded' : 'external',
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await stopEmbedded();
    },
  };
}

/** Applies pending migrations; returns their names. Concurrent starts serialize on an advisory lock. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  // Whoever migrates (server, cluster primary, command line, tests) keeps the rollups following the records.
  refreshRollupsOnRecordsChanged();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(727274)');
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    // A migration that changes what the rollups hold marks days dirty; rebuild them now rather
    // than serve half-filled rollups until the next import.
    if (applied.length > 0) await notifyRecordsChanged(dataSource);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
    await runner.release();
  }
}
