import { Injectable } from '@nestjs/common';
import type { Actor } from '../access-policy/actor.js';
import type { DatasetEntity } from '../datasets/dataset.entity.js';
import { QueryBudgetService, queryFingerprint } from '../disclosure/query-budget.service.js';
import { DisclosureConfig, normalizeDisclosure } from '../disclosure/disclosure-settings.js';
import { releaseCells } from '../disclosure/release.js';
import { AccessDecision } from './access-step.service.js';
import { QueryPlan } from './query-plan.js';
import { Sums } from './registry.js';
import { DerivedValues } from '../common/derived-values.js';

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
  /** The released record count (null when suppressed), for analyses across rows; never sent as is. */
  count: number | null;
  /** The row's summed bases, for analyses that read released rows only. */
  sums: Sums;
}

export interface DisclosureOutcome {
  rows: ReleasedRow[];
  method: string;
  threshold: number;
  suppressedCells: number;
  budgetRemaining: number | null;
}

/**
 * The disclosure step: the only place raw cells become released values. Applies the dataset's
 * method (src/disclosure/: threshold suppression, the cell key method or differential privacy)
 * to every row; a suppressed row releases every measure as null. Queries under a licence are
 * charged against the licence's disclosure budget (distinct queries, or epsilon).
 */
@Injectable()
export class DisclosureService {
  /**
   * Releases of a cached result under one plan and one setting. Every method but differential
   * privacy releases the same cells for the same rows (the cell key method's noise is a function of
   * the records behind the cell), so a repeated query reuses its release instead of building it
   * again; differential privacy draws fresh noise every time and is never reused.
   */
  private readonly releases = new DerivedValues<Omit<DisclosureOutcome, 'budgetRemaining'>>();
  /** Settings per dataset version and role kind, so that a release is found by its setting's identity. */
  private readonly configs = new DerivedValues<DisclosureConfig>();

  constructor(private readonly budgets: QueryBudgetService) {}

  async apply(
    actor: Actor,
    dataset: DatasetEntity,
    plan: QueryPlan,
    access: AccessDecision,
    raw: RawRow[],
  ): Promise<DisclosureOutcome> {
    const config = this.configFor(actor, dataset);
    const budgetRemaining = await this.charge(config, dataset, plan, access);
    return { ...this.release(config, plan, raw), budgetRemaining };
  }

  /**
   * Releases further cells behind an answer already charged (e.g. the months a persistence
   * analysis reads) under the same rules, without charging the budget again.
   */
  releaseMore(actor: Actor, dataset: DatasetEntity, plan: QueryPlan, raw: RawRow[]): ReleasedRow[] {
    return this.release(this.configFor(actor, dataset), plan, raw).rows;
  }

  private configFor(actor: Actor, dataset: DatasetEntity): DisclosureConfig {
    const steward = actor.role === 'steward';
    return this.configs.get([dataset], steward ? 'steward' : '', () => {
      const { config: settings } = normalizeDisclosure(dataset.definition.disclosure, dataset.classification);
      // Stewards hold the microdata: they get exact counts, but small cells stay suppressed for them too.
      return steward && settings.method !== 'none' ? { ...settings, method: 'threshold' } : settings;
    });
  }

  private release(
    config: DisclosureConfig,
    plan: QueryPlan,
    raw: RawRow[],
  ): Omit<DisclosureOutcome, 'budgetRemaining'> {
    if (config.method === 'differential-privacy') return this.releaseNow(config, plan, raw);
    return this.releases.get([raw, plan, config], '', () => this.releaseNow(config, plan, raw));
  }

  private releaseNow(
    config: DisclosureConfig,
    plan: QueryPlan,
    raw: RawRow[],
  ): Omit<DisclosureOutcome, 'budgetRemaining'> {
    const { cells } = releaseCells(
      config,
      raw.map((r) => ({ count: r.count, keySum: r.recordKeySum ?? 0 })),
    );
    let suppressedCells = 0;
    const threshold = config.method === 'none' ? 0 : config.threshold;
    const rows = raw.map((r, i): ReleasedRow => {
      const cell = cells[i];
      return {
        keys: r.keys,
        count: cell.suppressed ? null : cell.count,
        sums: r.sums,
        cells: plan.measures.map((m) => {
          if (cell.suppressed) {
            suppressedCells++;
            return { measure: m.code, value: null, flags: ['suppressed'] };
          }
          if (m.code === 'cases' && cell.count !== r.count) {
            return { measure: m.code, value: cell.count, flags: cell.flags };
          }
          // A mean over fewer units (e.g. repeat chains) than a released count may describe.
          const units = m.unitBase ? (r.sums[m.unitBase] ?? 0) : undefined;
          if (units !== undefined && units > 0 && units < threshold) {
            suppressedCells++;
            return { measure: m.code, value: null, flags: ['suppressed'] };
          }
          const value = m.compute(r.sums);
          const flags = m.code === 'cases' ? [...cell.flags] : [];
          if (value !== null && m.flags) flags.push(...m.flags(value));
          return { measure: m.code, value, flags };
        }),
      };
    });
    return { rows, method: config.method, threshold, suppressedCells };
  }

  private async charge(
    config: DisclosureConfig,
    dataset: DatasetEntity,
    plan: QueryPlan,
    access: AccessDecision,
  ): Promise<number | null> {
    if (!access.licenseId) return null;
    if (config.method === 'differential-privacy') {
      return this.budgets.chargeEpsilon(access.licenseId, dataset.slug, config.epsilonPerQuery, config.epsilonBudget);
    }
    if (config.queryBudget > 0) {
      const fingerprint = queryFingerprint({ ...plan.normalized, licenseId: undefined });
      return this.budgets.chargeDistinctQuery(access.licenseId, dataset.slug, fingerprint, config.queryBudget);
    }
    return null;
  }
}
