import { Foundation1764201600000 } from './1764201600000-foundation.js';
import { Records1764201700000 } from './1764201700000-records.js';
import { AuditLog1764201750000 } from './1764201750000-audit-log.js';
import { ReferenceData1764201900000 } from './1764201900000-reference-data.js';

/** Every migration, in order. Listed explicitly so ts-jest and the compiled build load the same set. */
export const migrations = [
  Foundation1764201600000,
  Records1764201700000,
  AuditLog1764201750000,
  ReferenceData1764201900000,
];
