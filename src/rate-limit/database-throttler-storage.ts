import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The fixed window of RedisThrottlerStorage as one atomic upsert on `rate_limit_window`: a new or
 * expired window starts at 1, a running one counts up, and the hit that goes over the limit sets
 * `blocked_until`; while blocked, hits are refused without counting. $1 key, $2 window ms,
 * $3 limit, $4 block ms.
 */
const INCREMENT_SQL = `
INSERT INTO rate_limit_window AS w (key, hits, window_ends_at, blocked_until)
VALUES ($1, 1, statement_timestamp() + $2::float8 * interval '1 millisecond', NULL)
ON CONFLICT (key) DO UPDATE SET
  hits = CASE WHEN w.blocked_until > statement_timestamp() THEN w.hits
              WHEN w.window_ends_at <= statement_timestamp() THEN 1
              ELSE w.hits + 1 END,
  window_ends_at = CASE WHEN w.blocked_until > statement_timestamp() THEN w.window_ends_at
              WHEN w.window_ends_at <= statement_timestamp() THEN excluded.window_ends_at
              ELSE w.window_ends_at END,
  blocked_until = CASE WHEN w.blocked_until > statement_timestamp() THEN w.blocked_until
              WHEN w.window_ends_at > statement_timestamp() AND w.hits + 1 > $3::int
                THEN statement_timestamp() + $4::float8 * interval '1 millisecond'
              ELSE NULL END
RETURNING hits,
  greatest(date_part('epoch', window_ends_at - statement_timestamp()) * 1000, 0)::float8 AS window_left,
  coalesce(blocked_until > statement_timestamp(), false) AS blocked,
  greatest(coalesce(date_part('epoch', blocked_until - statement_timestamp()) * 1000, 0), 0)::float8 AS block_left`;

/** Windows ended this long ago are removed now and then. */
const PRUNE_EVERY = 1_000;

/**
 * A ThrottlerStorage on the gateway's own PostgreSQL, for several processes (WORKERS, or instances
 * behind a load balancer) without Redis. When the database does not answer, it falls back to the
 * given in-process storage, as the Redis storage does.
 */
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;
  private count = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly fallback: ThrottlerStorage,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      if (++this.count % PRUNE_EVERY === 0) {
        await this.dataSource.query(
          `DELETE FROM rate_limit_window WHERE window_ends_at < now() - interval '1 minute' AND (blocked_until IS NULL OR blocked_until < now())`,
        );
      }
      const [row] = await this.dataSource.query<
        { hits: number; window_left: number; blocked: boolean; block_left: number }[]
      >(INCREMENT_SQL, [`${throttlerName}:${key}`, ttl, limit, blockDuration]);
      return {
        totalHits: row.hits,
        timeToExpire: Math.ceil(row.window_left / 1000),
        isBlocked: row.blocked,
        timeToBlockExpire: Math.ceil(row.block_left / 1000),
      };
    } catch (err) {
      this.warn(`database unavailable for rate limits, enforcing them in-process: ${(err as Error).message}`);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}
