import { onRecordsChanged } from '../records/records-changed.js';

/**
 * Subscribes the rollup refresher to the records-changed event (src/records/records-changed.ts):
 * after records change, the dirty days' rollups are rebuilt. Called where records can change: the
 * aggregate module, the command line, the demo and migrations. Idempotent. The refresher loads
 * on the first change, so subscribing costs the command line's start-up nothing.
 */
export function refreshRollupsOnRecordsChanged(): void {
  onRecordsChanged('rollups', async (dataSource) => {
    const { refreshRollups } = await import('./rollup-refresher.js');
    await refreshRollups(dataSource);
  });
}
