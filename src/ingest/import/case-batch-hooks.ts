import type { CaseBatchHook } from './batch-writer.js';

/**
 * Work run inside every case batch's transaction by every import (files, the demo), in this
 * order, after the batch's cases are stored and linked. Add a hook here to derive data from
 * new cases so that it commits or rolls back with them (see `CaseBatchHook`).
 */
export const CASE_BATCH_HOOKS: CaseBatchHook[] = [];
