import { BASE_COLUMNS, type BaseColumnSpec } from '../../src/catalog/base-columns.js';
import { SERIES, SERIES_DEFINITIONS, type Series, type SeriesSpec } from '../../src/catalog/series.js';

/**
 * Steps 1 and 2 of the recipe "add a data series" (docs/architecture.md), as
 * test/recipe-series.e2e-spec.ts takes them: a new series `sessions` (sessions on the hotline's
 * web portal per city and hour, and those that ended in a submitted request), its entry in
 * `SERIES_DEFINITIONS` and its base columns. Imported before the rest of the gateway (and before
 * test/utils/sessions-series-cubes.ts), so every table derived per series includes it, as if the
 * entries were written in src/catalog/series.ts and src/catalog/base-columns.ts.
 */
export const SESSIONS = 'sessions' as Series;

const definition: SeriesSpec = {
  records: { table: 'web_session_hour', time: 'hour_start' },
  finestCube: 'rollup_sessions_hour',
  rowCount: 'sessions',
  dimensions: { time: 'hour', area: 'city' },
};
(SERIES_DEFINITIONS as Record<string, SeriesSpec>)[SESSIONS] = definition;
// In src/catalog/series.ts the list derives from the definitions; here it has been derived already.
SERIES.push(SESSIONS);

(BASE_COLUMNS as BaseColumnSpec[]).push(
  { series: SESSIONS, name: 'sessions', type: 'bigint', kind: 'count', sql: 'sum(w.sessions)' },
  { series: SESSIONS, name: 'completed', type: 'bigint', kind: 'count', sql: 'sum(w.completed)' },
);
