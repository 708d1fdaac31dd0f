import { ApiKeyEntity } from '../principals/api-key.entity.js';
import { AuditCheckpointEntity } from '../audit/audit-checkpoint.entity.js';
import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { DatasetEntity } from '../datasets/dataset.entity.js';
import { LicenseUsageEntity } from '../licensing/license-usage.entity.js';
import { LicenseEntity } from '../licensing/license.entity.js';
import { OrganizationEntity } from '../principals/organization.entity.js';
import { PrincipalEntity } from '../principals/principal.entity.js';
import { AreaEntity } from '../records/area.entity.js';
import { CallTrafficEntity } from '../records/call-traffic.entity.js';
import { CaseRecordEntity } from '../records/case-record.entity.js';
import { CategoryEntity } from '../records/category.entity.js';
import { DepartmentEntity } from '../records/department.entity.js';
import { ImportBatchEntity } from '../records/import-batch.entity.js';

/** Every TypeORM entity, in one list: the schema-drift test compares these with the migrations. */
export const entities = [
  DatasetEntity,
  AreaEntity,
  CategoryEntity,
  DepartmentEntity,
  CaseRecordEntity,
  CallTrafficEntity,
  ImportBatchEntity,
  AuditEventEntity,
  LicenseEntity,
  LicenseUsageEntity,
  OrganizationEntity,
  PrincipalEntity,
  ApiKeyEntity,
  AuditCheckpointEntity,
];
