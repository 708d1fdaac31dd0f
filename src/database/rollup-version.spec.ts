import { compareVersions, versionedRollupSql } from './rollup-version.js';

describe('compareVersions', () => {
  it.each([
    ['cases:3,traffic:1', 'cases:3,traffic:1', 0],
    ['cases:4,traffic:1', 'cases:3,traffic:1', 1],
    ['cases:3,traffic:1', 'cases:4,traffic:1', -1],
    // Ahead in one series and behind in another is behind: the rows would mix versions.
    ['cases:5,traffic:0', 'cases:4,traffic:1', -1],
    ['', 'cases:1,traffic:1', -1],
    ['cases:10,traffic:2', 'cases:9,traffic:2', 1],
  ])('%s against %s is %d', (a, b, expected) => {
    expect(Math.sign(compareVersions(a, b))).toBe(expected);
  });

  it('treats an unknown version as behind', () => {
    expect(compareVersions(undefined, '')).toBe(-1);
  });
});

describe('versionedRollupSql', () => {
  it('keeps the parameters of the query it wraps and reads the version once', () => {
    const sut = versionedRollupSql('SELECT $1::int AS k0 ORDER BY 1');
    expect(sut).toContain('(SELECT $1::int AS k0 ORDER BY 1)');
    expect(sut.match(/FROM rollup_state/g)).toHaveLength(1);
  });
});
