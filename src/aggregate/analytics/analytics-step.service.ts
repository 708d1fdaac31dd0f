import { Injectable } from '@nestjs/common';
import type { Actor } from '../../access-policy/actor.js';
import type { DatasetEntity } from '../../datasets/dataset.entity.js';
import type { AccessDecision } from '../aggregate-access.service.js';
import { orderReleased } from '../row-order.js';
import {
  DisclosureOutcome,
  DisclosureService,
  RawRow,
  ReleasedCell,
  ReleasedRow,
} from '../../disclosure/disclosure.service.js';
import { QueryPlan } from '../query-plan.js';
import { queryTooComplex } from '../../common/gateway-error.js';
import { dimensionSpec, measureSpec, PERSISTENT_MIN_MONTHS } from '../../catalog/registry.js';
import { periodOverPeriod } from './period-over-period.js';
import { persistentMonths } from './persistence.js';

/** Most month rows a persistence analysis may read (keys x months). */
export const MAX_PERSISTENCE_ROWS = 50_000;

/**
 * The analysis step, after disclosure control: measures computed across the rows of a result
 * (emerging issues, persistent issues) from released values only, so nothing suppressed or
 * unperturbed leaks through them. Then ordering and limit, which for these measures can only
 * happen here.
 */
@Injectable()
export class AnalyticsStepService {
  constructor(private readonly disclosure: DisclosureService) {}

  async complete(
    actor: Actor,
    dataset: DatasetEntity,
    plan: QueryPlan,
    access: AccessDecision,
    released: DisclosureOutcome,
    load: (plan: QueryPlan) => Promise<RawRow[]>,
  ): Promise<DisclosureOutcome> {
    let rows = released.rows;
    if (plan.measures.some((m) => m.analysis === 'periodOverPeriod')) {
      const timeIndex = plan.groups.findIndex((g) => g.dimension.code === 'time');
      const growth = periodOverPeriod(rows, timeIndex, released.threshold);
      rows = rows.map((r, i) =>
        fill(r, plan, (code) => {
          const g = growth[i];
          const value = code === 'casesGrowth' ? g.growth : code === 'growthPValue' ? g.pValue : undefined;
          return value === undefined ? undefined : { value, flags: g.emerging ? ['emerging'] : [] };
        }),
      );
    }
    if (plan.measures.some((m) => m.analysis === 'persistence')) {
      const runs = await this.persistence(actor, dataset, plan, access, load);
      rows = rows.map((r) =>
        fill(r, plan, (code) => {
          if (code !== 'persistentMonths') return undefined;
          const value = runs.get(r.keys.join('\u0000')) ?? 0;
          return { value, flags: value >= PERSISTENT_MIN_MONTHS ? ['persistent'] : [] };
        }),
      );
    }
    rows = orderReleased(plan, rows);
    const suppressedCells = rows.reduce((s, r) => s + r.cells.filter((c) => c.flags.includes('suppressed')).length, 0);
    return { ...released, rows, suppressedCells };
  }

  /** The same query by month, released under the same rules, then the longest high run per row. */
  private async persistence(
    actor: Actor,
    dataset: DatasetEntity,
    plan: QueryPlan,
    access: AccessDecision,
    load: (plan: QueryPlan) => Promise<RawRow[]>,
  ): Promise<Map<string, number>> {
    const time = dimensionSpec('time')!;
    const monthly: QueryPlan = {
      ...plan,
      groups: [
        ...plan.groups,
        { dimension: time, level: time.levels.find((l) => l.code === 'month')!, column: 'time.month' },
      ],
      measures: [measureSpec('cases', 'cases')!, measureSpec('cases', 'repeatRate')!],
      orderBy: [],
      limit: undefined,
      maxRows: MAX_PERSISTENCE_ROWS,
      loadRows: MAX_PERSISTENCE_ROWS,
    };
    const raw = await load(monthly);
    if (raw.length > MAX_PERSISTENCE_ROWS) {
      throw queryTooComplex(
        `persistentMonths reads more than ${MAX_PERSISTENCE_ROWS} month rows; filter time to fewer months or group at a coarser level.`,
      );
    }
    return persistentMonths(this.disclosure.releaseMore(actor, dataset, monthly, access, raw), plan.groups.length);
  }
}

/** Fills the cells of analysis measures in a released row; suppressed rows stay suppressed. */
function fill(
  row: ReleasedRow,
  plan: QueryPlan,
  valueOf: (code: string) => { value: number | null; flags: string[] } | undefined,
): ReleasedRow {
  return {
    ...row,
    cells: row.cells.map((c, j): ReleasedCell => {
      const computed = plan.measures[j].analysis ? valueOf(c.measure) : undefined;
      return computed === undefined ? c : { measure: c.measure, value: computed.value, flags: computed.flags };
    }),
  };
}
