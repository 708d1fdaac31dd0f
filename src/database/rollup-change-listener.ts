import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { noteRollupChange, ROLLUP_CHANNEL } from './rollup-version.js';

const RECONNECT_MS = 1_000;

/**
 * LISTENs on the primary for rollup rebuilds by any instance (the refresher NOTIFYs at commit) and
 * clears this process's caches of rollup results at once. While the listening connection is down,
 * the caches fall back to re-reading the version at most a second old (ResultCache).
 */
@Injectable()
export class RollupChangeListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RollupChangeListener');
  private client?: pg.Client;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url || this.stopped) return;
    const client = new pg.Client({
      connectionString: url,
      application_name: 'hotline-gateway-listen',
      connectionTimeoutMillis: 2_000,
    });
    client.on('notification', () => noteRollupChange());
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(`lost the ${ROLLUP_CHANNEL} listener${err ? ` (${err.message})` : ''}; reconnecting`);
      // Changes announced while away are missed: treat them as having happened.
      noteRollupChange();
      this.schedule();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${ROLLUP_CHANNEL}`);
    } catch (err) {
      lost(err as Error);
    }
  }

  private schedule(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
    this.retry.unref();
  }
}
