import { INestApplication, Type } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap/create-app.js';
import { Clock } from '../../src/common/clock.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { createDataSource } from '../../src/bootstrap/data-source.js';
import { migrate } from '../../src/bootstrap/open-database.js';
import { createTestDatabase } from './test-database.js';

/** The bearer token test apps' `/metrics` requires (METRICS_TOKEN). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

export interface TestApp {
  app: INestApplication;
  dataSource: DataSource;
  config: AppConfig;
  dbUrl: string;
  /** POST /graphql with an optional bearer token; returns the supertest response. */
  gql(query: string, variables?: Record<string, unknown>, token?: string): request.Test;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule on a fresh database with the real migrations, as `npm start`
 * does, and talks HTTP to it through supertest.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { modules?: Type[]; clock?: Clock } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'hgw-test-data-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    // Suites send hundreds of requests from 127.0.0.1; rate-limit tests set their own limits.
    RATE_LIMIT_PER_PRINCIPAL: '1000000',
    RATE_LIMIT_PER_ADDRESS: '1000000',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...env,
  });
  const dataSource = createDataSource(db.url, { poolSize: 10, statementTimeoutMs: config.statementTimeoutMs });
  await dataSource.initialize();
  await migrate(dataSource);
  const app = await createApp(config, dataSource, { extraModules: options.modules, clock: options.clock });
  await app.init();
  const server = app.getHttpServer();
  return {
    app,
    dataSource,
    config,
    dbUrl: db.url,
    http: () => request(server),
    gql: (query, variables, token) => {
      const req = request(server).post('/graphql').set('Content-Type', 'application/json');
      if (token) req.set('Authorization', `Bearer ${token}`);
      return req.send({ query, variables });
    },
    close: async () => {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
