import type { DataSource } from 'typeorm';

/**
 * After records change (an import commits, the demo loads), everything derived from them is
 * brought up to date. Writers insert the touched days into `rollup_dirty_day` in the same
 * transaction as the records (series `cases` or `traffic`, day in Asia/Shanghai), then call
 * `notifyRecordsChanged`; each subscriber consumes the dirty days it cares about. Because the dirty
 * days are durable, a crash between commit and refresh is repaired by the next call.
 *
 * The write side never imports what derives from it: the aggregate module subscribes its rollup
 * refresher (src/aggregate/rollups-on-records-changed.ts), at every entry point that writes records.
 */
export type RecordsChangedHook = (dataSource: DataSource) => Promise<void>;

/** Subscribers by name, in the order they subscribed; subscribing again under a name replaces the hook. */
const hooks = new Map<string, RecordsChangedHook>();

export function onRecordsChanged(name: string, hook: RecordsChangedHook): void {
  hooks.set(name, hook);
}

export async function notifyRecordsChanged(dataSource: DataSource): Promise<void> {
  for (const hook of hooks.values()) await hook(dataSource);
}
