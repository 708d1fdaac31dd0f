import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  hits: number;
  expiresAt: number;
  blockedUntil: number;
}

/** Enough for every address of a busy day; beyond it the oldest windows are dropped first. */
const MAX_KEYS = 200_000;

/**
 * The in-process @nestjs/throttler storage: the same fixed window as the Redis script, so one
 * instance without REDIS_URL behaves like a fleet with it. (@nestjs/throttler's own
 * ThrottlerStorageService is CommonJS requiring @nestjs/common, which Nest 12 ships as ESM
 * only; Node >= 20.19 loads that, Jest's ESM runtime does not.)
 */
export class InMemoryThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    await Promise.resolve();
    const now = this.now();
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    const seconds = (until: number) => Math.max(0, Math.ceil((until - now) / 1000));
    if (window && window.blockedUntil > now) {
      return {
        totalHits: window.hits,
        timeToExpire: seconds(window.expiresAt),
        isBlocked: true,
        timeToBlockExpire: seconds(window.blockedUntil),
      };
    }
    if (!window || window.expiresAt <= now) {
      if (this.windows.size >= MAX_KEYS) this.sweep(true);
      window = { hits: 0, expiresAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, window);
    }
    window.hits += 1;
    if (window.hits > limit) {
      window.blockedUntil = blockDuration > 0 ? now + blockDuration : window.expiresAt;
      return {
        totalHits: window.hits,
        timeToExpire: seconds(window.expiresAt),
        isBlocked: true,
        timeToBlockExpire: seconds(window.blockedUntil),
      };
    }
    return { totalHits: window.hits, timeToExpire: seconds(window.expiresAt), isBlocked: false, timeToBlockExpire: 0 };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  private sweep(full = false): void {
    const now = this.now();
    for (const [id, w] of this.windows) {
      if (w.expiresAt <= now && w.blockedUntil <= now) this.windows.delete(id);
    }
    if (full) {
      // Still full of live windows: drop the oldest (Map keeps insertion order).
      for (const id of this.windows.keys()) {
        if (this.windows.size < MAX_KEYS * 0.9) break;
        this.windows.delete(id);
      }
    }
  }
}
