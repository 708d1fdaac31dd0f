import type { ReleasedRow } from './disclosure-step.service.js';
import type { QueryPlan } from './query-plan.js';

type OrderSpec = QueryPlan['orderBy'][number];
export type OrderValue<R> = (row: R, order: OrderSpec) => number | string | null;

/**
 * Stable sort of result rows by the query's orderBy (nulls last), reading each row's value through
 * `value`; rows equal on every order go by `tie` (default: keep their order).
 */
export function orderRows<R>(
  plan: QueryPlan,
  rows: R[],
  value: OrderValue<R>,
  tie: (a: R, b: R) => number = () => 0,
): R[] {
  return [...rows].sort((a, b) => {
    for (const o of plan.orderBy) {
      const va = value(a, o);
      const vb = value(b, o);
      if (va === vb) continue;
      if (va === null) return 1;
      if (vb === null) return -1;
      const c = va < vb ? -1 : 1;
      return o.direction === 'DESC' ? -c : c;
    }
    return tie(a, b);
  });
}

/** The value a released row shows for an order: its key, or the released cell of the measure. */
export function releasedValue(plan: QueryPlan): OrderValue<ReleasedRow> {
  return (r, o) =>
    o.target.type === 'key'
      ? r.keys[o.target.index]
      : (r.cells[plan.measures.indexOf(o.target.measure)]?.value ?? null);
}
