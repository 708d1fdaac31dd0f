/**
 * A diagnostic switch (for benchmarks, or a fallback), read straight from the environment rather
 * than through AppConfig because no deployment needs to set it: true for `usual` (also when unset
 * or empty), false for `other`; anything else stops the boot with one line naming the variable.
 */
export function diagnosticSwitch(name: string, usual: string, other: string): boolean {
  const raw = (process.env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === usual) return true;
  if (raw === other) return false;
  throw new Error(`${name}: expected ${usual} or ${other}, got "${raw}"`);
}

/**
 * `HGW_AGGREGATE_CACHE=off` turns both caches of the aggregate path off (src/common/aggregate-caches.ts):
 * plans (and their SQL) and results (rollup reads, releases, orders, labelled rows).
 * For benchmarks of the uncached path, and for tests that must compute every answer anew.
 */
export function aggregateCachesOn(): boolean {
  return diagnosticSwitch('HGW_AGGREGATE_CACHE', 'on', 'off');
}
