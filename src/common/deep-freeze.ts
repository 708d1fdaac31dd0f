const deeplyFrozen = new WeakSet<object>();

/**
 * Freezes a value and everything reachable from it, and remembers that it did: a value that
 * `isDeeplyFrozen` can never change again, so what is computed from it may be kept.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || deeplyFrozen.has(value)) return value;
  Object.freeze(value);
  deeplyFrozen.add(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}

/** True for a value frozen by deepFreeze (a shallow Object.freeze is not enough). */
export function isDeeplyFrozen(value: unknown): value is object {
  return value !== null && typeof value === 'object' && deeplyFrozen.has(value);
}
