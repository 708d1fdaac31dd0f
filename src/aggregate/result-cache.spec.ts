import { jest } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ResultCache } from './result-cache.js';

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

describe(ResultCache.name, () => {
  let now = 1_000_000;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('loads once per key and rollup version, and reads the version at most once a second', async () => {
    const { state, dataSource } = fakeDataSource();
    const sut = new ResultCache<string[]>(dataSource, true);
    let loads = 0;
    const load = async () => [`answer ${++loads}`];
    const first = await sut.getOrLoad('q', load);
    expect(await sut.getOrLoad('q', load)).toBe(first);
    expect(await sut.getOrLoad('other', load)).toEqual(['answer 2']);
    expect(state.reads).toBe(1);

    now += 500;
    expect(await sut.getOrLoad('q', load)).toBe(first);
    expect(state.reads).toBe(1);

    // Another instance refreshed the rollups: seen once the version is read again.
    state.version = 'cases:2';
    now += 600;
    expect(await sut.getOrLoad('q', load)).toEqual(['answer 3']);
    expect(state.reads).toBe(2);
  });

  it('loads every time when disabled, without reading the version', async () => {
    const { state, dataSource } = fakeDataSource();
    const sut = new ResultCache<number>(dataSource, false);
    let loads = 0;
    await sut.getOrLoad('q', async () => ++loads);
    await sut.getOrLoad('q', async () => ++loads);
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
    const sut = new ResultCache<string>(flaky, true);
    await expect(sut.getOrLoad('q', async () => 'x')).rejects.toThrow('connection lost');
    fail = false;
    expect(await sut.getOrLoad('q', async () => 'y')).toBe('y');
    expect(state.reads).toBe(1);
  });
});
