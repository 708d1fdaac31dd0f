import { jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { noteRollupChange } from '../database/rollup-version.js';
import { AggregateCaches } from '../common/aggregate-caches.js';
import { ResultCache, RollupVersionMovedError, Versioned } from './result-cache.js';

/** A data source whose rollup version the test sets; counts the version reads. */
function fakeDataSource() {
  const state = { version: 'cases:1', reads: 0 };
  const dataSource = {
    query: async () => {
      state.reads++;
      return [{ v: state.version }];
    },
  } as unknown as DataSource;
  return { state, dataSource };
}

/** A loader that reads "the database" at the version the state holds. */
function loaderAt<T>(state: { version: string }, make: () => T) {
  const seen: string[] = [];
  const load = async (minVersion: string): Promise<Versioned<T>> => {
    seen.push(minVersion);
    return { value: make(), version: state.version };
  };
  return { load, seen };
}

describe(ResultCache.name, () => {
  let now = 1_000_000;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('loads once per key and rollup version, and reads the version at most once a second', async () => {
    const { state, dataSource } = fakeDataSource();
    const sut = new ResultCache<string[]>(dataSource, new AggregateCaches(true));
    let loads = 0;
    const { load, seen } = loaderAt(state, () => [`answer ${++loads}`]);
    const first = await sut.getOrLoad('q', load);
    expect(await sut.getOrLoad('q', load)).toBe(first);
    expect((await sut.getOrLoad('other', load)).value).toEqual(['answer 2']);
    expect(state.reads).toBe(1);
    expect(seen).toEqual(['cases:1', 'cases:1']);

    now += 500;
    expect(await sut.getOrLoad('q', load)).toBe(first);
    expect(state.reads).toBe(1);

    // Another instance refreshed the rollups: seen once the version is read again.
    state.version = 'cases:2';
    now += 600;
    expect(await sut.getOrLoad('q', load)).toEqual({ value: ['answer 3'], version: 'cases:2' });
    expect(state.reads).toBe(2);
  });

  it('reads the version again at once when a rebuild is announced', async () => {
    const { state, dataSource } = fakeDataSource();
    const sut = new ResultCache<number>(dataSource, new AggregateCaches(true));
    let loads = 0;
    const { load } = loaderAt(state, () => ++loads);
    await sut.getOrLoad('q', load);
    state.version = 'cases:2';
    noteRollupChange();
    expect(await sut.getOrLoad('q', load)).toEqual({ value: 2, version: 'cases:2' });
    expect(state.reads).toBe(2);
  });

  it('asks the loader for at least the current version and keeps the version it read', async () => {
    const { dataSource } = fakeDataSource();
    const sut = new ResultCache<string>(dataSource, new AggregateCaches(true));
    // The read found a newer version than the one known here (the primary moved on meanwhile).
    const loaded = await sut.getOrLoad('q', async (min) => ({ value: `read for ${min}`, version: 'cases:2' }));
    expect(loaded).toEqual({ value: 'read for cases:1', version: 'cases:2' });
  });

  it('serves a pinned version only, and refuses a read that found another', async () => {
    const { state, dataSource } = fakeDataSource();
    const sut = new ResultCache<string>(dataSource, new AggregateCaches(true));
    const { load } = loaderAt(state, () => 'rows');
    await sut.getOrLoad('q', load);
    expect(await sut.getOrLoad('q', load, 'cases:1')).toEqual({ value: 'rows', version: 'cases:1' });
    state.version = 'cases:2';
    await expect(sut.getOrLoad('other', load, 'cases:1')).rejects.toThrow(RollupVersionMovedError);
  });

  it('loads every time when disabled, without reading the version', async () => {
    const { state, dataSource } = fakeDataSource();
    const sut = new ResultCache<number>(dataSource, new AggregateCaches(false));
    let loads = 0;
    const { load } = loaderAt(state, () => ++loads);
    await sut.getOrLoad('q', load);
    await sut.getOrLoad('q', load);
    expect(loads).toBe(2);
    expect(state.reads).toBe(0);
  });

  it('reads the version again after a failed read', async () => {
    const { state, dataSource } = fakeDataSource();
    let fail = true;
    const flaky = {
      query: async (sql: string) => {
        if (fail) throw new Error('connection lost');
        return (await dataSource.query(sql)) as unknown;
      },
    } as unknown as DataSource;
    const sut = new ResultCache<string>(flaky, new AggregateCaches(true));
    await expect(sut.getOrLoad('q', async () => ({ value: 'x', version: 'cases:1' }))).rejects.toThrow(
      'connection lost',
    );
    fail = false;
    expect((await sut.getOrLoad('q', async () => ({ value: 'y', version: 'cases:1' }))).value).toBe('y');
    expect(state.reads).toBe(1);
  });
});
