/**
 * The rollup version: `rollup_state` holds one counter per series, raised in the same transaction
 * as every rollup rebuild. As a string, `cases:12,traffic:3` (series in order).
 */
export const ROLLUP_VERSION_SQL = `SELECT string_agg(series || ':' || version, ',' ORDER BY series) AS v FROM rollup_state`;

/** The NOTIFY channel on which a rollup rebuild announces its new version at commit. */
export const ROLLUP_CHANNEL = 'hgw_rollups';

/**
 * Wraps a rollup query so that one statement (one snapshot) returns its rows and the version
 * they were read at. The version comes first and the rows are joined to it laterally with no
 * join condition, so PostgreSQL can only run a nested loop with the version outside: the rows
 * keep the query's own order, and a query with no rows still returns the version (one row
 * whose `hgw_row` is null).
 */
export function versionedRollupSql(sql: string): string {
  return `WITH hgw_v AS MATERIALIZED (${ROLLUP_VERSION_SQL})
SELECT hgw_v.v AS hgw_rollup_version, q.* FROM hgw_v LEFT JOIN LATERAL (SELECT true AS hgw_row, s.* FROM (${sql}) s) q ON true`;
}

function parse(version: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of version.split(',')) {
    const i = part.lastIndexOf(':');
    if (i > 0) out.set(part.slice(0, i), Number(part.slice(i + 1)));
  }
  return out;
}

/**
 * Compares two rollup versions series by series: negative when `a` is behind `b` in any series,
 * 0 when equal, positive when ahead. Unknown (undefined) is behind everything.
 */
export function compareVersions(a: string | undefined, b: string): number {
  if (a === undefined) return -1;
  if (a === b) return 0;
  const left = parse(a);
  let ahead = false;
  for (const [series, v] of parse(b)) {
    const mine = left.get(series) ?? -1;
    if (mine < v) return -1;
    if (mine > v) ahead = true;
  }
  return ahead ? 1 : 0;
}

/**
 * Changes whenever the rollups changed as far as this process knows: a rebuild here, or another
 * instance's rebuild announced on ROLLUP_CHANNEL. Caches of what the rollups hold compare it.
 */
let generation = 0;
export function rollupGeneration(): number {
  return generation;
}
export function noteRollupChange(): void {
  generation++;
}
