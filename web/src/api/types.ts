/** The shapes the portal reads from the public GraphQL API (a subset of the schema). */

export interface DimensionMember {
  code: string;
  labelZh: string;
  labelEn: string;
  parentCode: string | null;
}
export interface DimensionLevel {
  code: string;
  titleZh: string;
  titleEn: string;
  format: string | null;
  members: DimensionMember[];
}
export interface Dimension {
  code: string;
  titleZh: string;
  titleEn: string;
  levels: DimensionLevel[];
}
export interface Measure {
  code: string;
  titleZh: string;
  titleEn: string;
  unit: string;
  definition: string;
}
export interface Dataset {
  slug: string;
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
  publisher: string;
  versionDate: string;
  /** The days the data cover, when the dataset states them (cited apart from the version). */
  periodFrom?: string | null;
  periodTo?: string | null;
  classification: string;
  termsOfUse: string;
  licenseRequired: boolean;
  source: string;
  published: boolean;
  yourAccess: string;
  disclosure: { method: string; threshold: number };
  statutoryLimits: { kind: string; days: number }[];
  dimensions: Dimension[];
  measures: Measure[];
}

export interface AggregateCell {
  measure: string;
  value: number | null;
  flags: string[];
}
export interface AggregateRow {
  keys: string[];
  labels: string[];
  labelsEn: string[];
  cells: AggregateCell[];
}
export interface AggregateResult {
  dataset: string;
  columns: string[];
  rows: AggregateRow[];
  disclosure: { method: string; threshold: number; suppressedCells: number; budgetRemaining: number | null };
  licenseId: string | null;
  auditEventId: string;
  citation: string;
}

export interface Organization {
  id: string;
  kind: string;
  nameZh: string;
  nameEn: string;
  departmentCode: string | null;
}
export interface Principal {
  id: string;
  name: string;
  role: string;
  organization: Organization;
  oidcSubject: string | null;
  createdAt: string;
  disabledAt: string | null;
}
export interface Me {
  principal: Principal;
  authMethod: string;
  apiKeyId: string | null;
  scopes: string[] | null;
  permissions: string[];
}

export interface LicenseScope {
  dataset: string;
  dimensions: { dimension: string; level: string }[];
  cities: string[] | null;
  departments: string[] | null;
  periodFrom: string | null;
  periodTo: string | null;
}
export interface License {
  id: string;
  status: string;
  statusReason: string | null;
  statusChangedAt: string | null;
  kind: string;
  licenseeId: string;
  requestedById: string;
  decidedById: string | null;
  purpose: string;
  datasets: LicenseScope[];
  validFrom: string;
  validTo: string;
  obligations: { code: string; acceptedAt: string }[];
  dailyQuota: number;
  usage: { usedToday: number; dailyQuota: number; remainingToday: number; resetsAt: string; total: number };
  requestedAt: string;
}

export interface AuditEvent {
  id: string;
  seq: number;
  occurredAt: string;
  principalId: string | null;
  role: string;
  organizationId: string | null;
  apiKeyId: string | null;
  licenseId: string | null;
  operation: string;
  datasetSlug: string | null;
  query: string | null;
  resultSize: number | null;
  cellsSuppressed: number | null;
  decision: string;
  reason: string | null;
  target: string | null;
  requestId: string | null;
  clientAddress: string | null;
  prevHash: string;
  hash: string;
}

export interface ApiKey {
  id: string;
  principalId: string;
  name: string;
  prefix: string;
  scopes: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
