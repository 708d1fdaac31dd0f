import { DataSource } from 'typeorm';
import { refreshRollupsHook } from '../aggregate/rollup-refresher.js';

/**
 * After records change (an import commits, the demo loads), everything derived from them is
 * brought up to date. Writers insert the touched days into `rollup_dirty_day` in the same
 * transaction as the records (series `cases` or `traffic`, day in Asia/Shanghai), then call
 * `notifyRecordsChanged`; each hook consumes the dirty days it cares about. Because the dirty
 * days are durable, a crash between commit and refresh is repaired by the next call.
 */
export type RecordsChangedHook = (dataSource: DataSource) => Promise<void>;

/** Registered derivations (the rollup refresher adds itself here). */
export const RECORDS_CHANGED_HOOKS: RecordsChangedHook[] = [refreshRollupsHook];

export async function notifyRecordsChanged(dataSource: DataSource): Promise<void> {
  for (const hook of RECORDS_CHANGED_HOOKS) await hook(dataSource);
}
