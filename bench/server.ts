import 'reflect-metadata';
import { Actor } from '../src/access-policy/actor.js';
import { AuthenticationService } from '../src/access-policy/authentication.service.js';
import { createApp } from '../src/bootstrap/create-app.js';
import { loadConfig } from '../src/config/app-config.js';
import { createDataSource } from '../src/bootstrap/data-source.js';

/**
 * The gateway as the benchmark runs it: the real app on DATABASE_URL, plus bench-only bearer tokens
 * (`bench-steward`, `bench-department-<code>`) because accounts are not part of this benchmark, and
 * rate limits above the benchmark's load (unless RATE_LIMIT_* say otherwise).
 * Prints `port <n>` when listening.
 */
async function main(): Promise<void> {
  // The rate limiter still runs on every request, with limits the benchmark's load never reaches.
  const config = loadConfig({
    RATE_LIMIT_PER_PRINCIPAL: '1000000000',
    RATE_LIMIT_PER_ADDRESS: '1000000000',
    ...process.env,
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    PORT: '0',
  });
  const dataSource = createDataSource(config.databaseUrl!, { poolSize: 20 });
  await dataSource.initialize();
  const app = await createApp(config, dataSource);
  app.get(AuthenticationService).register({
    verify: async (token: string): Promise<Actor | undefined> => {
      if (token === 'bench-steward') return { role: 'steward', principalId: 'bench-steward', authMethod: 'api-key' };
      const m = /^bench-department-(.+)$/.exec(token);
      return m ? { role: 'department', principalId: token, departmentCode: m[1], authMethod: 'api-key' } : undefined;
    },
  });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as import('node:http').Server;
  const address = server.address() as { port: number };
  process.stdout.write(`port ${address.port}\n`);
  const stop = () =>
    void app
      .close()
      .then(() => (dataSource.isInitialized ? dataSource.destroy() : undefined))
      .finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
