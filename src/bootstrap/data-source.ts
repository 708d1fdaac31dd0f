import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';

/** Connection options shared by the app, the CLI, the tests and the TypeORM CLI. */
export function dataSourceOptions(
  url: string,
  overrides: Partial<{
    poolSize: number;
    applicationName: string;
    statementTimeoutMs: number;
    /** Client-side ceiling on waiting for an answer (pg's query_timeout), for servers that may hang. */
    queryTimeoutMs: number;
  }> = {},
) {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: overrides.poolSize ?? 20,
      application_name: overrides.applicationName ?? 'hotline-gateway',
      // Fail fast when the database is down rather than queueing requests forever.
      connectionTimeoutMillis: 2_000,
      // Every statement gets a ceiling (DB_STATEMENT_TIMEOUT_MS); expensive work sets a tighter
      // one with withStatementTimeout(). PostgreSQL cancels the statement (SQLSTATE 57014).
      statement_timeout: overrides.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: 60_000,
      ...(overrides.queryTimeoutMs !== undefined ? { query_timeout: overrides.queryTimeoutMs } : {}),
    },
  } satisfies DataSourceOptions;
}

export function createDataSource(url: string, overrides?: Parameters<typeof dataSourceOptions>[1]): DataSource {
  return new DataSource(dataSourceOptions(url, overrides));
}

/**
 * The one exported DataSource, for the TypeORM CLI
 * (`npx typeorm -d dist/src/bootstrap/data-source.js migration:show`). It needs DATABASE_URL.
 */
const AppDataSource = createDataSource(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hotline');
export default AppDataSource;
