import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge } from 'prom-client';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { withTimeout } from '../common/with-timeout.js';
import { redactUrl } from './redact-url.js';
import { compareVersions, ROLLUP_VERSION_SQL, versionedRollupSql } from './rollup-version.js';

/** What a read is for: aggregate reads that may go to a replica. Everything else reads the primary. */
export type ReadPurpose = 'rollups' | 'catalog' | 'members';

/** How often each replica is asked whether it answers and which rollup version it holds. */
const PROBE_EVERY_MS = 500;
/** A probe that takes longer counts as no answer: with PROBE_EVERY_MS, a dead replica is out within 2 s. */
const PROBE_TIMEOUT_MS = 1_000;
/** How long a rollup read waits for a replica behind the primary's version before it reads the primary. */
const CATCH_UP_WAIT_MS = 250;
const CATCH_UP_POLL_MS = 50;

interface Replica {
  /** `replica-N host:port`, for metrics, logs and /readyz; never the password. */
  name: string;
  url: string;
  dataSource: DataSource;
  up: boolean;
  /** The rollup version it held at the last probe. */
  version?: string;
  since: number;
  probing?: Promise<void>;
}

export interface ReplicaStatus {
  name: string;
  up: boolean;
  version: string | null;
}

export interface VersionedRows<T> {
  rows: T[];
  /** The rollup version the rows were read at (`cases:12,traffic:3`): one snapshot, one version. */
  version: string;
  target: string;
}

/**
 * Sends aggregate reads (rollups, catalog, members) to streaming replicas (DATABASE_REPLICA_URLS)
 * and everything else to the primary. Routed here explicitly rather than through TypeORM's
 * `replication` option, which picks a replica at random for every read with no notion of one
 * that is down or behind: here a replica that does not answer a probe within a second is left
 * out (and taken back at its first good probe), and a rollup read goes only to a replica that
 * holds at least the primary's rollup version, or else to the primary.
 */
@Injectable()
export class ReadRouter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ReadRouter');
  private readonly replicas: Replica[];
  private readonly reads: Counter<'target' | 'purpose'>;
  private readonly upGauge: Gauge<'target'>;
  private timer?: NodeJS.Timeout;
  private next = 0;

  constructor(
    @InjectDataSource() private readonly primary: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
  ) {
    this.replicas = config.replicaUrls.map((url, i) => {
      const parsed = new URL(url);
      return {
        name: `replica-${i + 1} ${parsed.hostname}:${parsed.port || '5432'}`,
        url,
        // Opened like the primary (same entities and connection settings), with its own pool.
        dataSource: new DataSource({
          ...primary.options,
          url,
          extra: {
            ...(primary.options.extra as Record<string, unknown>),
            max: 10,
            application_name: 'hotline-gateway-replica',
            statement_timeout: config.statementTimeoutMs,
            // A replica that hangs (rather than refusing connections) must not hold a read forever:
            // the server-side ceiling cannot fire there, so the client gives up a second after it.
            query_timeout: config.statementTimeoutMs + 1_000,
          },
        } as DataSourceOptions),
        up: false,
        since: Date.now(),
      };
    });
    this.reads = new Counter({
      name: 'hgw_db_reads_total',
      help: 'Aggregate reads (rollups, catalog, members) by the database that served them',
      labelNames: ['target', 'purpose'] as const,
      registers: [metrics.registry],
    });
    this.upGauge = new Gauge({
      name: 'hgw_db_replica_up',
      help: '1 while a read replica answers and is used, 0 while it is left out',
      labelNames: ['target'] as const,
      registers: [metrics.registry],
    });
  }

  async onModuleInit(): Promise<void> {
    if (this.replicas.length === 0) return;
    await Promise.all(this.replicas.map((r) => this.probe(r)));
    this.timer = setInterval(() => {
      for (const r of this.replicas) if (!r.probing) r.probing = this.probe(r).finally(() => (r.probing = undefined));
    }, PROBE_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(
      this.replicas.map(async (r) => {
        await r.probing?.catch(() => undefined);
        if (r.dataSource.isInitialized) await r.dataSource.destroy().catch(() => undefined);
      }),
    );
  }

  /** Each replica and whether it is in use; empty without replicas. */
  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({ name: r.name, up: r.up, version: r.version ?? null }));
  }

  /**
   * Runs a read that may lag the primary by a moment (catalog, members) on a replica that answers,
   * or on the primary; a replica that fails the read is left out and the primary answers instead.
   */
  async read<T>(purpose: Exclude<ReadPurpose, 'rollups'>, run: (dataSource: DataSource) => Promise<T>): Promise<T> {
    const replica = this.pick(() => true);
    if (replica) {
      try {
        const result = await run(replica.dataSource);
        this.reads.inc({ target: replica.name, purpose });
        return result;
      } catch (err) {
        if (isConnectionError(err)) this.leaveOut(replica, err);
        else if (!isRecoveryConflict(err)) throw err;
      }
    }
    const result = await run(this.primary);
    this.reads.inc({ target: 'primary', purpose });
    return result;
  }

  /**
   * Runs a rollup query and returns its rows with the rollup version they were read at, in one
   * statement (one snapshot). The read goes to a replica holding at least `minVersion` (waiting up
   * to CATCH_UP_WAIT_MS for one that is behind), otherwise to the primary.
   */
  async readRollups<T extends object>(sql: string, params: unknown[], minVersion: string): Promise<VersionedRows<T>> {
    const wrapped = versionedRollupSql(sql);
    let replica = this.pick((r) => compareVersions(r.version, minVersion) >= 0);
    if (!replica && this.replicas.some((r) => r.up)) replica = await this.waitForCatchUp(minVersion);
    if (replica) {
      try {
        const rows = await replica.dataSource.query<VersionedRow<T>[]>(wrapped, params);
        const read = unwrap(rows);
        // A replica may have been rebuilt from an older base backup since the probe: never go back.
        if (compareVersions(read.version, minVersion) >= 0) {
          this.reads.inc({ target: replica.name, purpose: 'rollups' });
          return { ...read, target: replica.name };
        }
        replica.version = read.version;
      } catch (err) {
        if (isConnectionError(err)) this.leaveOut(replica, err);
        else if (!isRecoveryConflict(err)) throw err;
      }
    }
    const read = unwrap(await this.primary.query<VersionedRow<T>[]>(wrapped, params));
    this.reads.inc({ target: 'primary', purpose: 'rollups' });
    return { ...read, target: 'primary' };
  }

  /** Round robin over the replicas in use that satisfy `fits`. */
  private pick(fits: (r: Replica) => boolean): Replica | undefined {
    const n = this.replicas.length;
    for (let i = 0; i < n; i++) {
      const r = this.replicas[(this.next + i) % n];
      if (r.up && fits(r)) {
        this.next = (this.next + i + 1) % n;
        return r;
      }
    }
    return undefined;
  }

  private async waitForCatchUp(minVersion: string): Promise<Replica | undefined> {
    const deadline = Date.now() + CATCH_UP_WAIT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
      await Promise.all(this.replicas.filter((r) => r.up).map((r) => this.probe(r)));
      const caught = this.pick((r) => compareVersions(r.version, minVersion) >= 0);
      if (caught) return caught;
    }
    return undefined;
  }

  private async probe(r: Replica): Promise<void> {
    try {
      const version = await withTimeout(
        (async () => {
          if (!r.dataSource.isInitialized) await r.dataSource.initialize();
          const rows = await r.dataSource.query<{ v: string | null }[]>(ROLLUP_VERSION_SQL);
          return rows[0]?.v ?? '';
        })(),
        PROBE_TIMEOUT_MS,
      );
      r.version = version;
      if (!r.up) {
        r.up = true;
        r.since = Date.now();
        this.logger.log(`${r.name} answers (rollup version ${version || 'none'}): aggregate reads use it`);
      }
      this.upGauge.set({ target: r.name }, 1);
    } catch (err) {
      this.leaveOut(r, err);
    }
  }

  private leaveOut(r: Replica, err: unknown): void {
    this.upGauge.set({ target: r.name }, 0);
    if (!r.up) return;
    r.up = false;
    r.since = Date.now();
    this.logger.warn(
      `${r.name} does not answer (${redactUrl(r.url)}: ${(err as Error).message}); reads go to the primary until it does`,
    );
  }
}

type VersionedRow<T> = T & { hgw_rollup_version: string | null; hgw_row: boolean | null };

function unwrap<T extends object>(rows: VersionedRow<T>[]): { rows: T[]; version: string } {
  const version = rows[0]?.hgw_rollup_version ?? '';
  const out: T[] = [];
  for (const row of rows) {
    if (!row.hgw_row) continue;
    const { hgw_rollup_version: _v, hgw_row: _r, ...rest } = row;
    out.push(rest as unknown as T);
  }
  return { rows: out, version };
}

/** Errors that say the server is gone or unreachable, not that the statement was wrong. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  const code = e?.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) return true;
  // 57P01-57P03: admin shutdown, crash shutdown, cannot connect now; 08xxx: connection exceptions.
  if (/^(57P0[1-3]|08...)$/.test(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end/i.test(
    e?.message ?? '',
  );
}

/**
 * A hot standby cancels a read that conflicts with the changes it replays (a rebuild's deletes):
 * the replica is fine, the read is retried on the primary.
 */
export function isRecoveryConflict(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return /conflict with recovery/i.test(e?.message ?? '') || e?.code === '40001';
}
