import { LicenseType } from './dto/license.type.js';
import { LicenseEntity, LicenseStatus } from './license.entity.js';
import { formatLicenseId } from './license-scope.js';
import { localDay, quotaResetsAt } from './quota-day.js';

/** The status a licence has now: an active licence past its last day is expired. */
export function effectiveStatus(license: Pick<LicenseEntity, 'status' | 'validTo'>, now: Date): LicenseStatus {
  if (license.status === 'active' && localDay(now) > license.validTo) return 'expired';
  return license.status;
}

export function toLicenseType(license: LicenseEntity, now: Date, usage: { today: number; total: number }): LicenseType {
  return {
    id: formatLicenseId(license.id),
    status: effectiveStatus(license, now),
    statusReason: license.statusReason ?? undefined,
    statusChangedAt: license.statusChangedAt?.toISOString(),
    kind: license.kind,
    licenseeId: license.principalId,
    organizationId: license.organizationId ?? undefined,
    requestedById: license.requestedById,
    decidedById: license.decidedById ?? undefined,
    firstApprovedById: license.firstApprovedById ?? undefined,
    purpose: license.purpose,
    datasets: license.scopes.map((s) => ({
      dataset: s.dataset,
      dimensions: Object.entries(s.dimensions).map(([dimension, level]) => ({ dimension, level })),
      cities: s.cities,
      departments: s.departments,
      periodFrom: s.periodFrom,
      periodTo: s.periodTo,
    })),
    validFrom: license.validFrom,
    validTo: license.validTo,
    obligations: license.obligations,
    dailyQuota: license.dailyQuota,
    usage: {
      usedToday: usage.today,
      dailyQuota: license.dailyQuota,
      remainingToday: Math.max(0, license.dailyQuota - usage.today),
      resetsAt: quotaResetsAt(now).toISOString(),
      total: usage.total,
    },
    requestedAt: license.requestedAt.toISOString(),
  };
}
