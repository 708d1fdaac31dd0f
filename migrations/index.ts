import { Foundation1764201600000 } from './1764201600000-foundation.js';
import { Records1764201700000 } from './1764201700000-records.js';
import { AuditLog1764201750000 } from './1764201750000-audit-log.js';
import { Identity1764201800000 } from './1764201800000-identity.js';
import { ReferenceData1764201900000 } from './1764201900000-reference-data.js';
import { Rollups1764202000000 } from './1764202000000-rollups.js';
import { AuditChain1764202100000 } from './1764202100000-audit-chain.js';
import { Licensing1764202300000 } from './1764202300000-licensing.js';
import { Disclosure1764202400000 } from './1764202400000-disclosure.js';
import { CellKeyDefaults1764202500000 } from './1764202500000-cell-key-defaults.js';
import { GovernanceAnalytics1764202600000 } from './1764202600000-governance-analytics.js';
import { TemplateReplies1764202700000 } from './1764202700000-template-replies.js';
import { HotTopics1764202710000 } from './1764202710000-hot-topics.js';
import { RollupCubes1764202900000 } from './1764202900000-rollup-cubes.js';
import { AuditAppendFunction1764203000000 } from './1764203000000-audit-append-function.js';
import { DisclosureRelease1764203500000 } from './1764203500000-disclosure-release.js';
import { SharedRateLimits1764204500000 } from './1764204500000-shared-rate-limits.js';
import { FreeTextRetention1764204600000 } from './1764204600000-free-text-retention.js';
import { FourEyes1764205000000 } from './1764205000000-four-eyes.js';
import { Nyc311Dataset1764205100000 } from './1764205100000-nyc311-dataset.js';
import { MonthlyPartitions1764205200000 } from './1764205200000-monthly-partitions.js';
import { PartialCaseIndexes1764205210000 } from './1764205210000-partial-case-indexes.js';
import { JournalistRole1764205300000 } from './1764205300000-journalist-role.js';
import { SparseHistograms1764205500000 } from './1764205500000-sparse-histograms.js';
import { BrinReceivedAt1764205510000 } from './1764205510000-brin-received-at.js';
import { CaseKeywordIndex1764205520000 } from './1764205520000-case-keyword-index.js';
import { ChargeDistinctQuery1764205600000 } from './1764205600000-charge-distinct-query.js';
import { DepartmentCubes1764205710000 } from './1764205710000-department-cubes.js';

/** Every migration, in order. Listed explicitly so ts-jest and the compiled build load the same set. */
export const migrations = [
  Foundation1764201600000,
  Records1764201700000,
  AuditLog1764201750000,
  Identity1764201800000,
  ReferenceData1764201900000,
  Rollups1764202000000,
  AuditChain1764202100000,
  Licensing1764202300000,
  Disclosure1764202400000,
  CellKeyDefaults1764202500000,
  GovernanceAnalytics1764202600000,
  TemplateReplies1764202700000,
  HotTopics1764202710000,
  RollupCubes1764202900000,
  AuditAppendFunction1764203000000,
  DisclosureRelease1764203500000,
  SharedRateLimits1764204500000,
  FreeTextRetention1764204600000,
  FourEyes1764205000000,
  Nyc311Dataset1764205100000,
  MonthlyPartitions1764205200000,
  PartialCaseIndexes1764205210000,
  JournalistRole1764205300000,
  SparseHistograms1764205500000,
  BrinReceivedAt1764205510000,
  CaseKeywordIndex1764205520000,
  ChargeDistinctQuery1764205600000,
  DepartmentCubes1764205710000,
];
