import { Injectable } from '@nestjs/common';
import type { Actor } from '../access-policy/actor.js';
import { CaslAbilityFactory } from '../access-policy/casl-ability.factory.js';
import type { DatasetEntity } from '../datasets/dataset.entity.js';
import { forbidden, GatewayError } from '../common/gateway-error.js';
import { LicenseEnforcer, QueryAuthorization } from '../licensing/license-enforcer.js';
import { QueryPlan, RowCondition } from './query-plan.js';

export interface AccessDecision {
  /** The licence the query runs under, if any. */
  licenseId?: string;
  /** Conditions ANDed into the SQL, e.g. a department's own cases or a licence's cities. */
  rowScope: RowCondition[];
  /** The licence's period of data, as local-time bounds [start, end). */
  period?: { start?: Date; end?: Date };
  /** How the caller came to see this data (a department on its own cases holds them: exact values). */
  basis?: QueryAuthorization['basis'];
}

const dayStart = (date: string) => new Date(`${date}T00:00:00Z`);

/**
 * The access and licence step of the aggregate engine: who may run this plan on this dataset,
 * under which licence, over which rows. Open datasets: anyone; restricted: stewards all rows, a
 * department its own department's cases, otherwise an active licence whose scope covers the
 * query (LicenseEnforcer); roles without data access (auditors) see none (roles.ts). Throws a GatewayError on denial; the caller audits it.
 */
@Injectable()
export class AggregateAccessService {
  constructor(
    private readonly licenses: LicenseEnforcer,
    private readonly abilities: CaslAbilityFactory,
  ) {}

  async authorize(
    actor: Actor,
    dataset: DatasetEntity,
    plan: QueryPlan,
    licenseId: string | undefined,
  ): Promise<AccessDecision> {
    const reach = this.abilities.reachOf(actor, dataset);
    if (reach.kind === 'no-data') {
      throw forbidden(`${reach.why[0].toUpperCase()}${reach.why.slice(1)}.`, { missingPermission: 'query:Aggregate' });
    }
    const normalized = plan.normalized as {
      groupBy?: { dimension: string; level?: string }[];
      filters?: { dimension: string; level?: string; in?: string[]; from?: string | null; to?: string | null }[];
    };
    const decision = await this.licenses.authorize(
      actor,
      {
        dataset: dataset.slug,
        groupBy: normalized.groupBy,
        filters: normalized.filters,
        implied: plan.measures.flatMap((m) => (m.reads ? [{ ...m.reads, measure: m.code }] : [])),
      },
      licenseId,
      dataset,
    );
    const scope = decision.rowScope ?? {};
    const dimensions = new Set(dataset.definition.dimensions.map((d) => d.code));
    const rowScope: RowCondition[] = [];
    if (scope.departments) {
      if (!dimensions.has('department')) {
        throw new GatewayError(
          'LICENSE_REQUIRED',
          `"${dataset.slug}" has no department dimension, so a department's own-data access does not cover it; request a licence for it.`,
          { dataset: dataset.slug },
        );
      }
      const reason = decision.basis === 'own-department' ? "own department's cases" : `licence ${decision.licenseId}`;
      rowScope.push({ dimension: 'department', level: 'department', in: scope.departments, reason });
    }
    // One dataset, one jurisdiction: records of other provinces never count, whoever asks.
    if (dataset.definition.jurisdiction) {
      rowScope.push({
        dimension: 'area',
        level: 'province',
        in: [dataset.definition.jurisdiction],
        reason: `dataset ${dataset.slug} covers ${dataset.definition.jurisdiction} only`,
      });
    }
    if (scope.cities) {
      rowScope.push({ dimension: 'area', level: 'city', in: scope.cities, reason: `licence ${decision.licenseId}` });
    }
    const period =
      scope.periodFrom || scope.periodTo
        ? {
            start: scope.periodFrom ? dayStart(scope.periodFrom) : undefined,
            end: scope.periodTo ? new Date(dayStart(scope.periodTo).getTime() + 86_400_000) : undefined,
          }
        : undefined;
    return { licenseId: decision.licenseId, rowScope, period, basis: decision.basis };
  }
}
