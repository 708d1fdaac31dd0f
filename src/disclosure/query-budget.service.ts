import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { GatewayError } from '../graphql/errors.js';

/** Canonical JSON (sorted keys), so differently ordered but equal queries hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function queryFingerprint(normalizedQuery: unknown): string {
  return createHash('sha256').update(canonical(normalizedQuery)).digest('hex');
}

/**
 * Budgets against averaging and reconstruction, per budget holder (a licence) and dataset:
 * distinct queries counted against a limit (repeating a query is free: the cell key method
 * answers it identically), or an epsilon budget that each differentially private query spends.
 * Both are checked and charged atomically, so concurrent requests cannot overspend.
 */
@Injectable()
export class QueryBudgetService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Charges one distinct query; returns the distinct queries left. */
  async chargeDistinctQuery(holder: string, dataset: string, fingerprint: string, limit: number): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const inserted = await em.query<{ query_hash: string }[]>(
        `INSERT INTO disclosure_query_seen (holder, dataset_slug, query_hash) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING query_hash`,
        [holder, dataset, fingerprint],
      );
      if (inserted.length === 0) return limit - (await this.spent(em.query.bind(em), holder, dataset, 'queries'));
      const charged = await em.query<{ spent: string }[]>(
        `INSERT INTO disclosure_budget (holder, dataset_slug, kind, spent) VALUES ($1, $2, 'queries', 1)
         ON CONFLICT (holder, dataset_slug, kind) DO UPDATE SET spent = disclosure_budget.spent + 1
           WHERE disclosure_budget.spent + 1 <= $3
         RETURNING spent`,
        [holder, dataset, limit],
      );
      if (charged.length === 0) {
        throw new GatewayError(
          'QUOTA_EXCEEDED',
          `The disclosure budget of ${limit} distinct queries on ${dataset} under ${holder} is used up (0 left); repeating an earlier query still works. Ask the data office to extend it.`,
          { budgetRemaining: 0, budgetKind: 'distinct-queries' },
        );
      }
      return limit - Number(charged[0].spent);
    });
  }

  /** Spends epsilon for one differentially private query; returns the epsilon left. */
  async chargeEpsilon(holder: string, dataset: string, epsilon: number, limit: number): Promise<number> {
    const rows = await this.dataSource.query<{ spent: string }[]>(
      `INSERT INTO disclosure_budget (holder, dataset_slug, kind, spent)
         SELECT $1, $2, 'epsilon', $3::numeric WHERE $3::numeric <= $4::numeric
       ON CONFLICT (holder, dataset_slug, kind) DO UPDATE SET spent = disclosure_budget.spent + $3::numeric
         WHERE disclosure_budget.spent + $3::numeric <= $4::numeric
       RETURNING spent`,
      [holder, dataset, epsilon, limit],
    );
    if (rows.length === 0) {
      const left = Math.max(
        0,
        limit - (await this.spent(this.dataSource.query.bind(this.dataSource), holder, dataset, 'epsilon')),
      );
      throw new GatewayError(
        'QUOTA_EXCEEDED',
        `This query would spend epsilon ${epsilon} on ${dataset} under ${holder}, but only ${round(left)} of the privacy budget ${limit} is left.`,
        { budgetRemaining: round(left), budgetKind: 'epsilon' },
      );
    }
    return round(limit - Number(rows[0].spent));
  }

  async remaining(holder: string, dataset: string, kind: 'queries' | 'epsilon', limit: number): Promise<number> {
    return round(limit - (await this.spent(this.dataSource.query.bind(this.dataSource), holder, dataset, kind)));
  }

  private async spent(
    query: <T>(sql: string, params: unknown[]) => Promise<T>,
    holder: string,
    dataset: string,
    kind: string,
  ): Promise<number> {
    const rows = await query<{ spent: string }[]>(
      `SELECT spent FROM disclosure_budget WHERE holder = $1 AND dataset_slug = $2 AND kind = $3`,
      [holder, dataset, kind],
    );
    return rows.length ? Number(rows[0].spent) : 0;
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
