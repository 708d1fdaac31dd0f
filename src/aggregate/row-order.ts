import type { ReleasedRow } from '../disclosure/disclosure.service.js';
import type { QueryPlan } from './query-plan.js';

type OrderSpec = QueryPlan['orderBy'][number];

const byKeys = (a: ReleasedRow, b: ReleasedRow): number => {
  for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i]) return a.keys[i] < b.keys[i] ? -1 : 1;
  return 0;
};

/** The value a released row shows for an order: its key, or the released cell of the measure. */
function shown(plan: QueryPlan, row: ReleasedRow, order: OrderSpec): number | string | null {
  return order.target.type === 'key'
    ? row.keys[order.target.index]
    : (row.cells[plan.measures.indexOf(order.target.measure)]?.value ?? null);
}

/**
 * Orders released rows by the query's orderBy, reading released values only, then cuts them to its
 * limit. A row whose ordered value is withheld (null) follows every row that shows one, and such
 * rows keep key order whatever the direction, so their place says nothing about what is withheld.
 * Ties break by key.
 */
export function orderReleased(plan: QueryPlan, rows: readonly ReleasedRow[]): ReleasedRow[] {
  const sorted = [...rows].sort((a, b) => {
    for (const o of plan.orderBy) {
      const va = shown(plan, a, o);
      const vb = shown(plan, b, o);
      if (va === null && vb === null) return byKeys(a, b);
      if (va === null) return 1;
      if (vb === null) return -1;
      if (va === vb) continue;
      const c = va < vb ? -1 : 1;
      return o.direction === 'DESC' ? -c : c;
    }
    return byKeys(a, b);
  });
  return plan.limit !== undefined ? sorted.slice(0, plan.limit) : sorted;
}
