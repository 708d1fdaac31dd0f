import type { ReleasedRow } from '../../disclosure/disclosure.service.js';
import { parseTimeCode, timeCodeAt } from '../../catalog/time-members.js';

/**
 * Persistent issues: for rows of (keys..., month), the longest run of consecutive calendar months
 * in which a key combination was "high": its released cases in the top quarter of that month's
 * listed rows (nearest rank) and its released repeats over released cases at or above the month's
 * overall rate over listed rows. Months not listed (under the threshold) are never high. Returns the run length per
 * key combination (joined with \u0000), 0 when never high.
 */
export function persistentMonths(monthRows: ReleasedRow[], monthIndex: number): Map<string, number> {
  const other = (r: ReleasedRow) => r.keys.filter((_, i) => i !== monthIndex).join('\u0000');
  const byMonth = new Map<string, ReleasedRow[]>();
  for (const r of monthRows) {
    const m = r.keys[monthIndex];
    byMonth.set(m, [...(byMonth.get(m) ?? []), r]);
  }
  const high = new Map<string, Set<string>>();
  for (const [month, rows] of byMonth) {
    const counts = rows.map((r) => r.count).sort((a, b) => a - b);
    const q75 = counts[Math.max(1, Math.ceil(0.75 * counts.length)) - 1];
    const cases = rows.reduce((s, r) => s + r.count, 0);
    const repeats = rows.reduce((s, r) => s + r.component('repeats'), 0);
    const pooled = cases > 0 ? repeats / cases : 0;
    for (const r of rows) {
      const rate = r.count > 0 ? r.component('repeats') / r.count : 0;
      if (r.count >= q75 && rate >= pooled) {
        const k = other(r);
        high.set(k, (high.get(k) ?? new Set()).add(month));
      }
    }
  }
  const months = [...byMonth.keys()].sort();
  const out = new Map<string, number>();
  for (const r of monthRows) out.set(other(r), 0);
  if (months.length === 0) return out;
  const sequence: string[] = [];
  for (let m = months[0]; m <= months[months.length - 1]; m = nextMonth(m)) sequence.push(m);
  for (const [k, set] of high) {
    let best = 0;
    let run = 0;
    for (const m of sequence) {
      run = set.has(m) ? run + 1 : 0;
      best = Math.max(best, run);
    }
    out.set(k, best);
  }
  return out;
}

function nextMonth(code: string): string {
  return timeCodeAt('month', parseTimeCode(code)!.end);
}
