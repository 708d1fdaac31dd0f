import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
import { Redis } from 'ioredis';

/**
 * Fixed-window counter, atomic in Redis: INCR the window's counter, start its expiry on the
 * first hit, and once over the limit set a block key for `blockDuration`. Returns
 * [hits, ms left in window, blocked 0|1, ms left in block].
 */
const INCREMENT_SCRIPT = `
local hits_key, block_key = KEYS[1], KEYS[2]
local ttl, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local block_left = redis.call('PTTL', block_key)
if block_left > 0 then
  local window_left = redis.call('PTTL', hits_key)
  local hits = tonumber(redis.call('GET', hits_key) or limit + 1)
  return {hits, math.max(window_left, 0), 1, block_left}
end
local hits = redis.call('INCR', hits_key)
local window_left = redis.call('PTTL', hits_key)
if hits == 1 or window_left < 0 then
  redis.call('PEXPIRE', hits_key, ttl)
  window_left = ttl
end
if hits > limit then
  if block > 0 then
    redis.call('SET', block_key, '1', 'PX', block)
    return {hits, window_left, 1, block}
  end
  return {hits, window_left, 1, window_left}
end
return {hits, window_left, 0, 0}
`;

type IncrementReply = [number, number, number, number];

/**
 * A ThrottlerStorage for @nestjs/throttler on ioredis, so several gateway instances enforce one
 * limit. When Redis does not answer (down, slow), it falls back to the given in-process storage
 * rather than refusing service, and says so in the log at most once a minute.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly fallback: ThrottlerStorage,
    private readonly prefix = 'hgw:throttle:',
  ) {
    redis.defineCommand('hgwThrottle', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
  }

  static connect(url: string, fallback: ThrottlerStorage): RedisThrottlerStorage {
    const redis = new Redis(url, {
      // Fail fast while disconnected instead of queueing requests behind a dead Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1_000,
      commandTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    const storage = new RedisThrottlerStorage(redis, fallback);
    redis.on('error', (err: Error) => storage.warn(`Redis: ${err.message}`));
    return storage;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}${throttlerName}:${key}`;
    try {
      const command = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<IncrementReply>>)
        .hgwThrottle;
      const [hits, windowLeft, blocked, blockLeft] = await command.call(
        this.redis,
        `${base}:hits`,
        `${base}:block`,
        ttl,
        limit,
        blockDuration,
      );
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(windowLeft / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.ceil(blockLeft / 1000),
      };
    } catch (err) {
      this.warn(`Redis unavailable, enforcing rate limits in-process: ${(err as Error).message}`);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  /** Waits (bounded) for the first connection, so a healthy Redis counts from the first request. */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await Promise.resolve();
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}
