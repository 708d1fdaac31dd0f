import { Injectable } from '@nestjs/common';
import type { Actor } from '../access-policy/actor.js';
import { roleDefinition } from '../access-policy/roles.js';
import { Clock } from '../common/clock.js';
import { AggregateCaches, identityOf } from '../common/aggregate-caches.js';
import type { DatasetEntity } from '../datasets/dataset.entity.js';
import { DEFAULT_DISCLOSURE, DisclosureConfig, DisclosureMethod, normalizeDisclosure } from './disclosure-settings.js';
import {
  noisyStatistics,
  PRECISION,
  ReleasedMeasureCell,
  ReleaseMode,
  releaseRow,
  releaseUnion,
  ReleaseSetting,
} from './measure-release.js';
import { BudgetHolder, licenceHolder, QueryBudgetService, queryFingerprint } from './query-budget.service.js';
import { localDay } from '../licensing/quota-day.js';
import type { QueryAuthorization } from '../licensing/license-enforcer.js';
import { COUNT_BASES, MeasureSpec, ROW_COUNT, Series, Sums } from '../catalog/registry.js';

/**
 * What the step reads of a query plan (QueryPlan in src/aggregate/query-plan.ts has these fields
 * and more): the series, the measures, whether cells are unions, the normalized query.
 */
export interface ReleasePlan {
  series: Series;
  measures: MeasureSpec[];
  unions: readonly unknown[];
  normalized: Record<string, unknown>;
}

/** What the step reads of the access decision (src/aggregate/aggregate-access.service.ts). */
export interface ReleaseAccess {
  licenseId?: string;
  basis?: QueryAuthorization['basis'];
}

/**
 * One result row before release: its keys and the summed base values (true values: never sent) of
 * its parts, the lattice cells it is the union of (one part, unless a filter makes it a union).
 */
export interface RawRow {
  keys: string[];
  parts: Sums[];
}

export type ReleasedCell = ReleasedMeasureCell;

export interface ReleasedRow {
  keys: string[];
  cells: ReleasedCell[];
  /** The released record count of the row. */
  count: number;
  /** The released value of a count behind the row, for analyses across rows; never sent as is. */
  component: (base: string) => number;
}

export interface DisclosureOutcome {
  rows: ReleasedRow[];
  method: string;
  threshold: number;
  suppressedCells: number;
  budgetRemaining: number | null;
  /** Whose budget the query was charged to, in words; null when none applies. */
  budgetScope: string | null;
  /** What was applied, in one or two sentences a reader can act on. */
  note: string;
}

type Release = Pick<DisclosureOutcome, 'rows' | 'method' | 'threshold' | 'suppressedCells' | 'note'>;

/**
 * The disclosure step: the only place raw rows become released values
 * (src/disclosure/measure-release.ts). Rows under the threshold are not listed, so a true zero and a
 * small count look the same; every measure derives only from released components. Callers who hold
 * the records (the steward; a department on its own cases) get exact values. Every other release is
 * charged to a budget of distinct queries (or epsilon): a licence for its life, a signed-in
 * principal or a public client address per day.
 */
@Injectable()
export class DisclosureService {
  constructor(
    private readonly budgets: QueryBudgetService,
    private readonly clock: Clock,
    /**
     * Releases are kept in the results cache (src/common/aggregate-caches.ts), settings in the plans
     * cache. Every method but differential privacy releases the same cells for the same rows (the
     * cell key method's noise is a function of the records behind the cell), so a repeated query
     * reuses its release; differential privacy draws fresh noise every time and is never kept.
     */
    private readonly caches: AggregateCaches,
  ) {}

  async apply(
    actor: Actor,
    dataset: DatasetEntity,
    plan: ReleasePlan,
    access: ReleaseAccess,
    raw: RawRow[],
  ): Promise<DisclosureOutcome> {
    const setting = this.settingFor(actor, dataset, plan, access);
    const budget = await this.charge(actor, setting, dataset, plan, access);
    return { ...this.release(setting, plan, raw, access), ...budget };
  }

  /**
   * Releases further rows behind an answer already charged (e.g. the months a persistence analysis
   * reads) under the same rules, without charging the budget again.
   */
  releaseMore(
    actor: Actor,
    dataset: DatasetEntity,
    plan: ReleasePlan,
    access: ReleaseAccess,
    raw: RawRow[],
  ): ReleasedRow[] {
    return this.release(this.settingFor(actor, dataset, plan, access), plan, raw, access).rows;
  }

  private settingFor(actor: Actor, dataset: DatasetEntity, plan: ReleasePlan, access: ReleaseAccess): ReleaseSetting {
    const method = (dataset.definition.disclosure.method ??
      DEFAULT_DISCLOSURE[dataset.classification].method) as DisclosureMethod;
    const mode = modeFor(method, actor, access);
    // One frozen setting per dataset as read, mode and series: a release is found by its identity.
    return this.caches.plan(`setting\u0000${identityOf(dataset)}\u0000${mode}\u0000${plan.series}`, () => ({
      mode,
      config: normalizeDisclosure(dataset.definition.disclosure, dataset.classification).config,
      countBases: COUNT_BASES[plan.series],
      rowCount: ROW_COUNT[plan.series],
    }));
  }

  private release(setting: ReleaseSetting, plan: ReleasePlan, raw: RawRow[], access: ReleaseAccess): Release {
    const build = (): Release => {
      const rows: ReleasedRow[] = [];
      let suppressedCells = 0;
      for (const r of raw) {
        const released =
          plan.unions.length === 0
            ? releaseRow(setting, plan.measures, r.parts[0])
            : releaseUnion(setting, plan.measures, r.parts);
        if (!released) continue;
        for (const c of released.cells) if (c.flags.includes('suppressed')) suppressedCells++;
        rows.push({ keys: r.keys, cells: released.cells, count: released.count, component: released.component });
      }
      const threshold = setting.mode === 'none' ? 0 : setting.config.threshold;
      return { rows, method: setting.mode, threshold, suppressedCells, note: noteFor(setting, access) };
    };
    if (setting.mode === 'differential-privacy') return build();
    // The rows read are one frozen object per data version and statement (the results cache), so the
    // key names the data version and statement, what is released from the rows (measures, unions),
    // the disclosure setting and the caller's basis (which the note names).
    const what = `${plan.measures.map((m) => m.code).join(',')}/${plan.unions.length > 0 ? 'union' : 'cell'}`;
    return this.caches.release(
      `release\u0000${identityOf(raw)}\u0000${what}\u0000${identityOf(setting)}\u0000${access.basis ?? ''}`,
      build,
    );
  }

  private async charge(
    actor: Actor,
    setting: ReleaseSetting,
    dataset: DatasetEntity,
    plan: ReleasePlan,
    access: ReleaseAccess,
  ): Promise<Pick<DisclosureOutcome, 'budgetRemaining' | 'budgetScope'>> {
    const { mode, config } = setting;
    if (mode === 'none' || mode === 'exact') return { budgetRemaining: null, budgetScope: null };
    const who = this.holderOf(actor, access);
    const limit = who.period === '' ? config.queryBudget : daily(config, actor);
    if (mode === 'differential-privacy') {
      const epsilon = config.epsilonPerQuery * noisyStatistics(plan.measures, setting.rowCount);
      const left = await this.budgets.chargeEpsilon(who, dataset.slug, epsilon, config.epsilonBudget);
      return { budgetRemaining: left, budgetScope: who.describe };
    }
    if (limit <= 0) return { budgetRemaining: null, budgetScope: null };
    const fingerprint = queryFingerprint({ ...plan.normalized, licenseId: undefined });
    const left = await this.budgets.chargeDistinctQuery(who, dataset.slug, fingerprint, limit);
    return { budgetRemaining: left, budgetScope: who.describe };
  }

  private holderOf(actor: Actor, access: ReleaseAccess): BudgetHolder {
    if (access.licenseId) return licenceHolder(access.licenseId);
    const period = localDay(this.clock.now());
    if (actor.principalId) {
      return { holder: `principal:${actor.principalId}`, period, describe: `you (${actor.principalId}) today` };
    }
    const address = actor.clientAddress ?? 'unknown';
    return { holder: `address:${address}`, period, describe: `your address (${address}) today` };
  }
}

/**
 * Exact for those who hold the records: a role that holds all of them (the data office; roles.ts,
 * `withoutLicence: 'all-records'`), and a department on its own cases.
 */
function modeFor(method: DisclosureMethod, actor: Actor, access: ReleaseAccess): ReleaseMode {
  if (method === 'none') return 'none';
  if (roleDefinition(actor.role).withoutLicence === 'all-records' || access.basis === 'own-department') return 'exact';
  return method;
}

const daily = (config: DisclosureConfig, actor: Actor): number =>
  actor.principalId ? config.principalDailyBudget : config.publicDailyBudget;

/** The disclosure summary's note: what was applied to this answer, in words. */
function noteFor(setting: ReleaseSetting, access: ReleaseAccess): string {
  const { mode, config } = setting;
  const t = config.threshold;
  const rows = `Rows with fewer than ${t} records are not listed (a missing row may be zero or small)`;
  const precision = `rates to ${PRECISION.ratio} decimals, days to ${PRECISION.days}`;
  switch (mode) {
    case 'none':
      return 'Not disclosure-controlled: these figures are not about people; values are exact.';
    case 'exact':
      return `Exact values: you hold these records (${access.basis === 'own-department' ? "your department's own cases" : 'data office'}). ${rows}; rates and means over fewer than ${t} records are withheld.`;
    case 'threshold':
      return `Threshold suppression: values are exact (${precision}). ${rows}; a rate is withheld when its denominator, numerator or complement is under ${t}.`;
    case 'cell-key':
      return `Cell key method: each count is perturbed by at most ±${config.maxNoise}, the same records always getting the same noise; rates, means and percentiles are computed from perturbed parts (${precision}). ${rows}; a rate is withheld when its denominator, numerator or complement is under ${t}.`;
    case 'differential-privacy':
      return `Differential privacy: every count, sum and histogram gets fresh noise spending epsilon ${config.epsilonPerQuery} each (${precision}). ${rows}; a rate is withheld when its denominator, numerator or complement is under ${t}.`;
  }
}
