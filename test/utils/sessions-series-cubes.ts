import { FINE_BUILDS } from '../../src/aggregate/rollup-refresher.js';
import type { CubeColumn } from '../../src/catalog/base-columns.js';
import { CUBES } from '../../src/catalog/cubes.js';
import { MEASURES } from '../../src/catalog/measures.js';
import { SESSIONS } from './sessions-series.js';

/**
 * Steps 3 to 5 of the recipe "add a data series" (docs/architecture.md) for the `sessions` series
 * of test/utils/sessions-series.ts: its cubes, its measures and its fine build, as if written in
 * src/catalog/cubes.ts, src/catalog/measures.ts and src/aggregate/rollup-refresher.ts.
 */
CUBES.push(
  {
    table: 'rollup_sessions_month',
    series: SESSIONS,
    grain: 'month',
    dimensions: { area: 'city' },
    from: 'rollup_sessions_hour',
    cells: 156,
  },
  { table: 'rollup_sessions_hour', series: SESSIONS, grain: 'hour', dimensions: { area: 'city' }, cells: 113_880 },
);

MEASURES.push(
  {
    code: 'sessions',
    series: SESSIONS,
    titleZh: '网站会话数',
    titleEn: 'Web sessions',
    unit: 'count',
    definition: 'Sessions on the hotline web portal.',
    shape: { kind: 'count', count: 'sessions' },
  },
  {
    code: 'completionRate',
    series: SESSIONS,
    titleZh: '网站提交率',
    titleEn: 'Completion rate',
    unit: 'ratio',
    definition: 'Sessions that ended in a submitted request divided by all sessions.',
    shape: { kind: 'ratio', numerator: 'completed', denominator: 'sessions', proportion: true },
  },
);

const TZ = `'Asia/Shanghai'`;
FINE_BUILDS[SESSIONS] = {
  sql: (columns: CubeColumn[]) => `
INSERT INTO rollup_sessions_hour (t, province_code, city_code, ${columns.map((c) => c.name).join(', ')})
SELECT date_trunc('hour', w.hour_start AT TIME ZONE ${TZ}), coalesce(a.parent_code, ''), w.city_code,
  ${columns.map((c) => c.sql).join(', ')}
FROM web_session_hour w
LEFT JOIN area a ON a.code = w.city_code
WHERE w.hour_start >= ($1::timestamp AT TIME ZONE ${TZ}) AND w.hour_start < ($2::timestamp AT TIME ZONE ${TZ})
GROUP BY 1, 2, 3`,
};
