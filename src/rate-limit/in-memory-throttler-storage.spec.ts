import { InMemoryThrottlerStorage } from './in-memory-throttler-storage.js';

describe(InMemoryThrottlerStorage.name, () => {
  let now: number;
  let sut: InMemoryThrottlerStorage;
  beforeEach(() => {
    now = 1_000_000;
    sut = new InMemoryThrottlerStorage(() => now);
  });
  afterEach(() => sut.close());

  it('allows `limit` hits per window, then blocks until the block ends', async () => {
    for (let i = 1; i <= 3; i += 1) {
      expect(await sut.increment('a', 10_000, 3, 10_000, 'principal')).toMatchObject({
        totalHits: i,
        isBlocked: false,
        timeToExpire: 10,
      });
    }
    now += 4_000;
    expect(await sut.increment('a', 10_000, 3, 10_000, 'principal')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 10,
    });
    now += 9_999;
    expect((await sut.increment('a', 10_000, 3, 10_000, 'principal')).isBlocked).toBe(true);
    now += 2;
    expect(await sut.increment('a', 10_000, 3, 10_000, 'principal')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps keys and limit names apart', async () => {
    await sut.increment('a', 10_000, 1, 10_000, 'principal');
    expect((await sut.increment('a', 10_000, 1, 10_000, 'principal')).isBlocked).toBe(true);
    expect((await sut.increment('b', 10_000, 1, 10_000, 'principal')).isBlocked).toBe(false);
    expect((await sut.increment('a', 10_000, 1, 10_000, 'address')).isBlocked).toBe(false);
  });

  it('starts a new window when the old one has expired', async () => {
    await sut.increment('a', 1_000, 2, 1_000, 'principal');
    await sut.increment('a', 1_000, 2, 1_000, 'principal');
    now += 1_001;
    expect(await sut.increment('a', 1_000, 2, 1_000, 'principal')).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
