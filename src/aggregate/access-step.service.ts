import { Injectable } from '@nestjs/common';
import type { Actor } from '../access-policy/actor.js';
import type { DatasetEntity } from '../datasets/dataset.entity.js';
import { forbidden, GatewayError } from '../graphql/errors.js';
import { QueryPlan, RowCondition } from './query-plan.js';

export interface AccessDecision {
  /** The licence the query runs under, if any. */
  licenseId?: string;
  /** Conditions ANDed into the SQL, e.g. a department's own cases. */
  rowScope: RowCondition[];
}

/**
 * The access and licence step of the aggregate engine: who may run this plan on this dataset, under
 * which licence, over which rows. Today's rules (issue 6 replaces this with licence checks):
 * open datasets: anyone (within the published levels, which the planner already enforced);
 * restricted: stewards all rows, a department its own department's cases, everyone else needs a
 * licence; auditors see no data. Throws a GatewayError on denial; the caller audits it.
 */
@Injectable()
export class AggregateAccessService {
  async authorize(
    actor: Actor,
    dataset: DatasetEntity,
    _plan: QueryPlan,
    licenseId: string | undefined,
  ): Promise<AccessDecision> {
    if (actor.role === 'auditor') {
      throw forbidden('Auditors read the access log but see no data; use auditEvents instead.');
    }
    if (dataset.classification === 'open') return { rowScope: [] };
    if (actor.role === 'steward') return { rowScope: [] };
    if (licenseId) {
      throw new GatewayError(
        'LICENSE_INACTIVE',
        `Licence ${licenseId} is not active for you on "${dataset.slug}"; list your licences with { licenses { id status } }.`,
      );
    }
    if (actor.role === 'department' && actor.departmentCode && (dataset.definition.source ?? 'cases') === 'cases') {
      return {
        rowScope: [
          {
            dimension: 'department',
            level: 'department',
            in: [actor.departmentCode],
            reason: "own department's cases",
          },
        ],
      };
    }
    throw new GatewayError(
      'LICENSE_REQUIRED',
      `"${dataset.slug}" is ${dataset.classification}: request a data-use licence with requestLicense(dataset: "${dataset.slug}", purpose: ...) and query with its licenseId once a steward approves it.`,
      { dataset: dataset.slug },
    );
  }
}
