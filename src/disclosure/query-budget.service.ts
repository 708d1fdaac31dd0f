import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../common/canonical-json.js';
import { GatewayError } from '../common/gateway-error.js';

/** The value without null or undefined members, at every level: an absent option and a null one are the same query. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

/**
 * The budget's name for a query: differently ordered but equal queries, and queries that differ
 * only in null options, count as one. Stored with each charge, so it must not change between versions.
 */
export function queryFingerprint(normalizedQuery: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(withoutNulls(normalizedQuery)))
    .digest('hex');
}

/** Who a budget is charged to, and for which period ('' = the holder's whole life, else a day). */
export interface BudgetHolder {
  /** `L-12` for a licence, `principal:<id>` or `address:<ip>` for daily budgets. */
  holder: string;
  period: string;
  /** In words, for the disclosure summary and error messages: "licence L-12", "your address today". */
  describe: string;
}

/** Daily periods older than this many days are deleted (they can no longer be charged). */
const KEEP_DAYS = 2;

/**
 * Budgets against averaging and reconstruction, per holder (a licence, or a principal or client
 * address per day), dataset and period: distinct queries counted against a limit (repeating a query
 * is free: the cell key method answers it identically), or an epsilon budget that each
 * differentially private query spends. Both are checked and charged atomically, so concurrent
 * requests cannot overspend.
 */
@Injectable()
export class QueryBudgetService {
  private prunedBefore = '';

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Charges one distinct query; returns the distinct queries left. One statement, one round trip
   * (`disclosure_charge_query`, migration 1764205600000): the query is marked seen and the budget
   * charged atomically, a repeat is free, and a refused query is neither charged nor marked seen.
   */
  async chargeDistinctQuery(who: BudgetHolder, dataset: string, fingerprint: string, limit: number): Promise<number> {
    await this.pruneDays(who.period);
    const [row] = await this.dataSource.query<{ spent: string | null }[]>(
      `SELECT disclosure_charge_query($1, $2, $3, $4, $5) AS spent`,
      [who.holder, dataset, who.period, fingerprint, limit],
    );
    if (row.spent === null) {
      throw new GatewayError(
        'QUOTA_EXCEEDED',
        `The disclosure budget of ${limit} distinct queries on ${dataset} for ${who.describe} is used up (0 left); repeating an earlier query still works.${who.period ? ' It renews at midnight, Asia/Shanghai time.' : ' Ask the data office to extend it.'}`,
        { budgetRemaining: 0, budgetKind: 'distinct-queries', budgetScope: who.describe },
      );
    }
    return limit - Number(row.spent);
  }

  /** Spends epsilon for one differentially private query; returns the epsilon left. */
  async chargeEpsilon(who: BudgetHolder, dataset: string, epsilon: number, limit: number): Promise<number> {
    await this.pruneDays(who.period);
    const rows = await this.dataSource.query<{ spent: string }[]>(
      `INSERT INTO disclosure_budget (holder, dataset_slug, kind, period, spent)
         SELECT $1, $2, 'epsilon', $5, $3::numeric WHERE $3::numeric <= $4::numeric
       ON CONFLICT (holder, dataset_slug, kind, period) DO UPDATE SET spent = disclosure_budget.spent + $3::numeric
         WHERE disclosure_budget.spent + $3::numeric <= $4::numeric
       RETURNING spent`,
      [who.holder, dataset, epsilon, limit, who.period],
    );
    if (rows.length === 0) {
      const left = Math.max(
        0,
        limit - (await this.spent(this.dataSource.query.bind(this.dataSource), who, dataset, 'epsilon')),
      );
      throw new GatewayError(
        'QUOTA_EXCEEDED',
        `This query would spend epsilon ${round(epsilon)} on ${dataset} for ${who.describe}, but only ${round(left)} of the privacy budget ${limit} is left.`,
        { budgetRemaining: round(left), budgetKind: 'epsilon', budgetScope: who.describe },
      );
    }
    return round(limit - Number(rows[0].spent));
  }

  async remaining(who: BudgetHolder, dataset: string, kind: 'queries' | 'epsilon', limit: number): Promise<number> {
    return round(limit - (await this.spent(this.dataSource.query.bind(this.dataSource), who, dataset, kind)));
  }

  private async spent(
    query: <T>(sql: string, params: unknown[]) => Promise<T>,
    who: BudgetHolder,
    dataset: string,
    kind: string,
  ): Promise<number> {
    const rows = await query<{ spent: string }[]>(
      `SELECT spent FROM disclosure_budget WHERE holder = $1 AND dataset_slug = $2 AND kind = $3 AND period = $4`,
      [who.holder, dataset, kind, who.period],
    );
    return rows.length ? Number(rows[0].spent) : 0;
  }

  /** Once per day and process: deletes the daily periods that ended more than KEEP_DAYS ago. */
  private async pruneDays(period: string): Promise<void> {
    if (period === '') return;
    const cutoff = new Date(Date.parse(`${period}T00:00:00Z`) - KEEP_DAYS * 86_400_000).toISOString().slice(0, 10);
    if (cutoff <= this.prunedBefore) return;
    this.prunedBefore = cutoff;
    for (const table of ['disclosure_query_seen', 'disclosure_budget']) {
      await this.dataSource.query(`DELETE FROM ${table} WHERE period <> '' AND period < $1`, [cutoff]);
    }
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The budget of a licence, for its whole life. */
export function licenceHolder(licenseId: string): BudgetHolder {
  return { holder: licenseId, period: '', describe: `licence ${licenseId}` };
}
