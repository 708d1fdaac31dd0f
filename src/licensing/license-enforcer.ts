import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor, HeldLicence } from '../access-policy/actor.js';
import { CaslAbilityFactory } from '../access-policy/casl-ability.factory.js';
import { Clock } from '../common/clock.js';
import { DatasetEntity } from '../datasets/dataset.entity.js';
import { badUserInput, forbidden, GatewayError } from '../common/gateway-error.js';
import { LicenseEntity, LicenseStatus } from './license.entity.js';
import { effectiveStatus } from './license-mapper.js';
import {
  checkQueryScope,
  checkStandingScope,
  DatasetScope,
  formatLicenseId,
  parseLicenseId,
  RowScope,
  ScopedQuery,
  ScopeViolation,
} from './license-scope.js';
import { localDay, quotaResetsAt } from './quota-day.js';
import { readHeldLicences } from '../principals/principal-actor.js';

/** The columns of a licence the check reads: a LicenseEntity, or one read with the credential (Actor.licences). */
type CheckedLicence = Pick<
  LicenseEntity,
  'id' | 'principalId' | 'status' | 'statusReason' | 'validFrom' | 'validTo' | 'scopes' | 'dailyQuota'
>;

/** The outcome of checking one query: under which licence (if any) and which rows it may see. */
export interface QueryAuthorization {
  /** `L-12`, when the query runs under a licence. */
  licenseId?: string;
  /** Row conditions to push into SQL; undefined means all rows of the dataset. */
  rowScope?: RowScope;
  /**
   * How the caller came to see this data: open data, all records (the data office), its own
   * department's cases, its role's standing access (roles.ts, `withoutLicence`), or a licence.
   */
  basis: 'open-data' | 'steward' | 'own-department' | 'standing' | 'license';
}

/**
 * Checks every aggregate query against the licence it names (or the caller's only active licence
 * for the dataset) and counts it against the daily quota. The licence is read from the primary on
 * every request: with the API key in the key lookup's statement (Actor.licences), else here; so
 * suspension and revocation take effect on the very next request on every instance.
 */
@Injectable()
export class LicenseEnforcer {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly abilities: CaslAbilityFactory,
  ) {}

  /** `known` is the dataset when the caller has already loaded it (saves a query per request). */
  async authorize(
    actor: Actor,
    query: ScopedQuery,
    licenseId?: string | null,
    known?: DatasetEntity,
  ): Promise<QueryAuthorization> {
    const dataset =
      known?.slug === query.dataset
        ? known
        : await this.dataSource.getRepository(DatasetEntity).findOneBy({ slug: query.dataset, published: true });
    if (!dataset) throw badUserInput(`Unknown dataset "${query.dataset}"; list them with { datasets { slug } }.`);
    if (dataset.classification === 'open') return { basis: 'open-data' };
    // What the caller's role reaches without a licence (roles.ts); a named licence always applies instead.
    const reach = this.abilities.reachOf(actor, dataset);
    if (reach.kind === 'no-data') {
      throw forbidden(`${reach.why[0].toUpperCase()}${reach.why.slice(1)}.`, { missingPermission: 'query:Aggregate' });
    }
    if (!licenseId && reach.kind === 'all-records') return { basis: 'steward' };
    if (!licenseId && reach.kind === 'own-department') {
      if (!reach.departmentCode)
        throw forbidden('Your account is not linked to a department; ask a steward to link it.');
      return { basis: 'own-department', rowScope: { departments: [reach.departmentCode] } };
    }
    if (!licenseId && reach.kind === 'standing') {
      const checked = checkStandingScope(actor.role, reach.finest, dataset.slug, dataset.definition, query);
      if (checked) throw forbidden(checked.rule, { finest: reach.finest });
      return { basis: 'standing' };
    }
    if (!actor.principalId) {
      throw new GatewayError(
        'LICENSE_REQUIRED',
        `${dataset.slug} is ${dataset.classification} data: sign in with an API key and query under an active licence (requestLicense).`,
      );
    }
    const license = await this.pickLicense(
      actor,
      dataset.slug,
      licenseId,
      reach.kind !== 'licence' || reach.mayRequest,
    );
    const label = formatLicenseId(license.id);
    const now = this.clock.now();
    const status = effectiveStatus(license, now);
    if (status !== 'active') {
      throw new GatewayError('LICENSE_INACTIVE', this.inactiveMessage(label, status, license), {
        licenseId: label,
        status,
      });
    }
    if (localDay(now) < license.validFrom) {
      throw new GatewayError(
        'LICENSE_INACTIVE',
        `Licence ${label} is valid from ${license.validFrom}; query again then.`,
        {
          licenseId: label,
          status: 'not-yet-valid',
        },
      );
    }
    const scope = license.scopes.find((s) => s.dataset === dataset.slug);
    if (!scope) {
      throw new GatewayError(
        'OUT_OF_LICENSE_SCOPE',
        `licence ${label} does not cover ${dataset.slug}; it covers ${license.scopes.map((s) => s.dataset).join(', ')}`,
        { licenseId: label },
      );
    }
    const checked = checkQueryScope(label, scope, dataset.definition, query);
    if (checked instanceof ScopeViolation) {
      throw new GatewayError('OUT_OF_LICENSE_SCOPE', checked.rule, { licenseId: label });
    }
    await this.consumeQuota(license, now);
    return { licenseId: label, rowScope: checked, basis: 'license' };
  }

  private async pickLicense(
    actor: Actor,
    dataset: string,
    licenseId: string | null | undefined,
    mayRequest: boolean,
  ): Promise<CheckedLicence> {
    // Read with the credential (both sign-ins do), else here the same way: one list, one filter below.
    const held = actor.licences ?? (await readHeldLicences(this.dataSource, actor.principalId!));
    if (licenseId) {
      const numeric = parseLicenseId(licenseId);
      if (numeric === undefined) throw badUserInput(`"${licenseId}" is not a licence id; licence ids look like L-12.`);
      const own = held.find((l) => l.id === String(BigInt(numeric)));
      if (!own || own.principalId !== actor.principalId) {
        throw forbidden(
          `Licence ${formatLicenseId(numeric)} is not one of yours; list yours with { licenses { id status } }.`,
        );
      }
      return checkedLicence(own);
    }
    const today = localDay(this.clock.now());
    // Active, valid today, covering the dataset, in id order (held is in id order).
    const candidates = held
      .filter(
        (l) =>
          l.status === 'active' &&
          l.validTo >= today &&
          l.validFrom <= today &&
          l.scopes.some((s) => s.dataset === dataset),
      )
      .map(checkedLicence);
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) {
      throw new GatewayError(
        'LICENSE_REQUIRED',
        mayRequest
          ? `${dataset} needs an active licence and you hold none for it: request one with requestLicense, then query with its licenseId.`
          : `${dataset} needs an active licence and your role (${actor.role}) does not request licences; ask the data office.`,
      );
    }
    throw new GatewayError(
      'LICENSE_REQUIRED',
      `You hold several active licences for ${dataset} (${candidates.map((c) => formatLicenseId(c.id)).join(', ')}); name one in licenseId.`,
      { licenseIds: candidates.map((c) => formatLicenseId(c.id)) },
    );
  }

  private inactiveMessage(label: string, status: string, license: CheckedLicence): string {
    const why = license.statusReason ? ` (${license.statusReason})` : '';
    switch (status) {
      case 'requested':
        return `Licence ${label} is still awaiting a steward's decision.`;
      case 'rejected':
        return `Licence ${label} was rejected${why}; request a new one.`;
      case 'suspended':
        return `Licence ${label} is suspended${why}; contact the data office.`;
      case 'revoked':
        return `Licence ${label} was revoked${why}; request a new one.`;
      case 'expired':
        return `Licence ${label} expired on ${license.validTo}; request a renewal.`;
      default:
        return `Licence ${label} is ${status}.`;
    }
  }

  /** Atomically counts one query against today's quota, refusing once it is used up. */
  private async consumeQuota(license: CheckedLicence, now: Date): Promise<void> {
    const rows = await this.dataSource.query<{ queries: number }[]>(
      `INSERT INTO license_usage (license_id, day, queries) VALUES ($1, $2, 1)
       ON CONFLICT (license_id, day) DO UPDATE SET queries = license_usage.queries + 1
         WHERE license_usage.queries < $3
       RETURNING queries`,
      [license.id, localDay(now), license.dailyQuota],
    );
    if (rows.length === 0) {
      const resetsAt = quotaResetsAt(now).toISOString();
      throw new GatewayError(
        'QUOTA_EXCEEDED',
        `Licence ${formatLicenseId(license.id)} has used its ${license.dailyQuota} queries for today; the quota resets at ${resetsAt}.`,
        { licenseId: formatLicenseId(license.id), resetsAt, dailyQuota: license.dailyQuota },
      );
    }
  }
}

/** A licence read with the credential, as the check reads it. */
function checkedLicence(l: HeldLicence): CheckedLicence {
  return {
    id: l.id,
    principalId: l.principalId,
    status: l.status as LicenseStatus,
    statusReason: l.statusReason,
    validFrom: l.validFrom,
    validTo: l.validTo,
    scopes: l.scopes as DatasetScope[],
    dailyQuota: l.dailyQuota,
  };
}
