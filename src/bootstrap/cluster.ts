import cluster, { Worker } from 'node:cluster';
import { INestApplication } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { createDataSource } from './data-source.js';
import { migrate, OpenDatabase, openDatabase } from './open-database.js';
import { seedDemoIfEmpty } from '../demo/demo-seeder.js';
import { stopTracing } from '../tracing/tracing.js';
import { createApp } from './create-app.js';

/** How long the primary waits for its workers to stop before it stops the database anyway. */
const STOP_GRACE_MS = 15_000;

/**
 * `WORKERS=auto` (one per core) or a number: this process opens the database (starting the
 * embedded one, which every worker then shares), migrates and seeds it, then forks the workers
 * with node:cluster; they share the listening port. A worker that dies after it was serving is
 * started again; one that fails to start stops the whole server. Every limit that must hold across
 * workers lives outside them: rate limits in Redis or the database, quotas, budgets, keys,
 * licences and the audit chain in the database, and rollup rebuilds are announced to all.
 */
export async function runClusterPrimary(
  config: AppConfig,
  say: (line: string) => void,
  started: number,
): Promise<void> {
  let db: OpenDatabase | undefined;
  let stopping = false;
  const workers = new Set<Worker>();
  const stop = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, stopping ${workers.size} worker(s)`);
    const force = setTimeout(() => process.exit(1), STOP_GRACE_MS + 5_000);
    force.unref();
    await Promise.all(
      [...workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            const timer = setTimeout(() => {
              w.process.kill('SIGKILL');
              resolve();
            }, STOP_GRACE_MS);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    if (db) await db.close().catch(() => undefined);
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }

  let credentials: Awaited<ReturnType<typeof seedDemoIfEmpty>>['credentials'] = [];
  try {
    db = await openDatabase(config, 'server', say);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, () => void stop(signal));
    }
    const applied = await migrate(db.dataSource);
    if (applied.length > 0) say(`applied ${applied.length} migration(s)`);
    if (config.seedDemo) credentials = (await seedDemoIfEmpty(db.dataSource, config, say)).credentials;
    // The workers hold the connections from here on.
    await db.dataSource.destroy();
  } catch (err) {
    say(`failed to start: ${(err as Error).message}`);
    if (db) await db.close().catch(() => undefined);
    process.exit(1);
  }

  const env = { ...process.env, DATABASE_URL: db.url, SEED_DEMO: 'false' };
  let listening = 0;
  let announced = false;
  const fork = () => {
    const worker = cluster.fork(env);
    let serving = false;
    workers.add(worker);
    worker.on('listening', (address) => {
      serving = true;
      listening++;
      if (!announced && listening === config.workers) {
        announced = true;
        const lines = [
          `ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${config.workers} worker processes`,
          `portal: http://${config.host}:${address.port}/ (GraphQL explorer at /explorer)`,
          `GraphQL: http://${config.host}:${address.port}/graphql`,
          `database: ${db.kind === 'embedded' ? `embedded PostgreSQL in ${config.dataDir}/pg` : 'DATABASE_URL'}`,
        ];
        for (const c of credentials)
          lines.push(`demo ${c.role.padEnd(10)} ${c.name.padEnd(28)} Authorization: Bearer ${c.apiKey}`);
        process.stdout.write(lines.map((l) => `hotline-gateway: ${l}`).join('\n') + '\n');
      }
    });
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      if (serving) listening--;
      if (stopping) return;
      if (!serving) {
        say(`a worker failed to start (exit ${code ?? signal}); stopping`);
        void stop('worker failure', 1);
        return;
      }
      say(`worker ${worker.process.pid} stopped (exit ${code ?? signal}); starting another`);
      fork();
    });
  };
  for (let i = 0; i < config.workers; i++) fork();
}

/** One server of the cluster: the database is open and migrated already (DATABASE_URL from the primary). */
export async function runClusterWorker(config: AppConfig, say: (line: string) => void): Promise<void> {
  const url = config.databaseUrl as string;
  const dataSource = createDataSource(url, {
    applicationName: 'hotline-gateway-server',
    statementTimeoutMs: config.statementTimeoutMs,
  });
  let app: INestApplication | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      if (app) await app.close();
      await stopTracing();
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    }
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    // Ctrl-C reaches the whole process group: the primary orders the stop, so workers wait for SIGTERM.
    process.on(signal, () => void (signal === 'SIGTERM' ? stop() : undefined));
  }
  try {
    await dataSource.initialize();
    app = await createApp(config, dataSource);
    await app.listen(config.port, config.host);
  } catch (err) {
    say(`worker ${process.pid} failed to start: ${(err as Error).message}`);
    if (app) await app.close().catch(() => undefined);
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    process.exit(1);
  }
}
