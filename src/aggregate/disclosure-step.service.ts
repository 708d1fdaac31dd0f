import { Injectable } from '@nestjs/common';
import type { Actor } from '../access-policy/actor.js';
import type { DatasetEntity } from '../datasets/dataset.entity.js';
import { AccessDecision } from './access-step.service.js';
import { QueryPlan } from './query-plan.js';
import { Sums } from './registry.js';

/** One result cell group before release: its keys and summed base values. */
export interface RawRow {
  keys: string[];
  sums: Sums;
  /** Records behind the row (cases, or calls offered for traffic). */
  count: number;
  /** Sum of the records' fixed random keys (the cell key method's input); undefined for traffic. */
  recordKeySum?: number;
}

export interface ReleasedCell {
  measure: string;
  value: number | null;
  flags: string[];
}

export interface ReleasedRow {
  keys: string[];
  cells: ReleasedCell[];
}

export interface DisclosureOutcome {
  rows: ReleasedRow[];
  method: string;
  threshold: number;
  suppressedCells: number;
  budgetRemaining: number | null;
}

/**
 * The disclosure step: the only place raw cells become released values. Today: threshold
 * suppression (a row counting fewer records than the dataset's threshold is released with every
 * measure null and flagged `suppressed`). Issue 7 adds the cell key method and budgets here.
 */
@Injectable()
export class DisclosureService {
  async apply(
    _actor: Actor,
    dataset: DatasetEntity,
    plan: QueryPlan,
    _access: AccessDecision,
    raw: RawRow[],
  ): Promise<DisclosureOutcome> {
    const settings = dataset.definition.disclosure;
    const threshold = settings.method === 'none' ? 0 : Math.max(0, settings.threshold);
    let suppressedCells = 0;
    const rows = raw.map((r) => {
      const hide = r.count > 0 && r.count < threshold;
      return {
        keys: r.keys,
        cells: plan.measures.map((m) => {
          if (hide) {
            suppressedCells++;
            return { measure: m.code, value: null, flags: ['suppressed'] };
          }
          return { measure: m.code, value: m.compute(r.sums), flags: [] };
        }),
      };
    });
    return { rows, method: settings.method, threshold, suppressedCells, budgetRemaining: null };
  }
}
