import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
// The IP helper only: the package's index pulls in CommonJS that requires ESM-only @nestjs/common.
import { normalizeIp } from '@nestjs/throttler/dist/ip.js';
import { Counter } from 'prom-client';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { InMemoryThrottlerStorage } from './in-memory-throttler-storage.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';
import { DatabaseThrottlerStorage } from './database-throttler-storage.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type LimitName = 'principal' | 'address';

export interface RateLimitVerdict {
  allowed: boolean;
  /** The limit that refused the request, when one did. */
  limit?: { name: LimitName; max: number; windowSeconds: number };
  retryAfterSeconds: number;
}

/**
 * Two fixed-window limits on @nestjs/throttler's storage contract (ThrottlerStorage): one per principal (the client
 * address for the public) and one per client address. Shared through Redis when REDIS_URL is
 * set, so several instances enforce one limit; in-process otherwise.
 */
@Injectable()
export class RateLimitService implements OnModuleInit, OnApplicationShutdown {
  private readonly local = new InMemoryThrottlerStorage();
  private readonly storage: ThrottlerStorage;
  private readonly redis: RedisThrottlerStorage | undefined;
  private readonly refused: Counter<'limit'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.refused = new Counter({
      name: 'hgw_rate_limited_total',
      help: 'Requests refused with 429, by the limit that refused them',
      labelNames: ['limit'] as const,
      registers: [metrics.registry],
    });
    this.redis =
      config.redisUrl && config.rateLimitStore === 'redis'
        ? RedisThrottlerStorage.connect(config.redisUrl, this.local)
        : undefined;
    // RATE_LIMIT_STORE: Redis where it is set; the database for several processes without Redis.
    this.storage =
      this.redis ??
      (config.rateLimitStore === 'database' ? new DatabaseThrottlerStorage(dataSource, this.local) : this.local);
  }

  async onModuleInit(): Promise<void> {
    if (this.redis && !(await this.redis.ready(2_000))) {
      new Logger('RateLimit').warn('Redis is not reachable yet; rate limits are enforced in-process until it is');
    }
  }

  /** Counts one request and says whether it may proceed. */
  async hit(clientAddress: string, principalId: string | undefined): Promise<RateLimitVerdict> {
    const { windowSeconds, perPrincipal, perAddress } = this.config.rateLimit;
    const address = normalizeIp(clientAddress);
    const ttl = windowSeconds * 1000;
    const checks: { name: LimitName; key: string; max: number }[] = [
      { name: 'address', key: address, max: perAddress },
      { name: 'principal', key: principalId ? `id:${principalId}` : `address:${address}`, max: perPrincipal },
    ];
    const records = await Promise.all(
      checks.map((c) => this.storage.increment(c.key, ttl, c.max, ttl, c.name).then((r) => ({ ...c, r }))),
    );
    const refused = records.filter((x) => x.r.isBlocked);
    if (refused.length === 0) return { allowed: true, retryAfterSeconds: 0 };
    const worst = refused.reduce((a, b) => (b.r.timeToBlockExpire > a.r.timeToBlockExpire ? b : a));
    this.refused.inc({ limit: worst.name });
    return {
      allowed: false,
      limit: { name: worst.name, max: worst.max, windowSeconds },
      retryAfterSeconds: Math.max(1, worst.r.timeToBlockExpire),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.local.close();
    await this.redis?.close();
  }
}
