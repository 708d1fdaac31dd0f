import type { DemoContext, DemoStep } from '../../database/demo-step.js';
import { notifyRecordsChanged } from '../../records/records-changed.js';
import { DEFAULT_PERIOD, generateCases } from '../generate/case-generator.js';
import { TRAFFIC_CSV_HEADER } from '../generate/output-formats.js';
import { generateTraffic } from '../generate/traffic-generator.js';
import { ImportRunner } from '../import/import-runner.js';
import { rowsFrom } from '../import/row-sources.js';
import { loadPseudonymKey } from '../pii/pseudonym-key.js';

export const DEMO_SEED = 'demo';

/**
 * The demo's records: `config.demoCases` synthetic cases for 2021-2022 (so the Suzhou surge of
 * March 2022 is in them) and the hourly call traffic of the same period, generated in memory
 * and loaded through the same import path as files (validation, PII removal, repeat links,
 * dirty days), then the derived data is refreshed.
 */
export const recordsDemoStep: DemoStep = {
  name: 'records',
  run: async (ctx: DemoContext) => {
    const started = Date.now();
    const key = await loadPseudonymKey(ctx.config);
    const runner = new ImportRunner(ctx.dataSource, key);
    const period = DEFAULT_PERIOD;
    const n = ctx.config.demoCases;
    // Cases and traffic load side by side, each on its own connection.
    const [cases, traffic] = await Promise.all([
      runner.importRows(rowsFrom(generateCases({ cases: n, ...period, seed: DEMO_SEED }), null), {
        file: 'demo',
        profile: 'jsonl',
        source: 'synthetic',
        fileName: 'demo-cases',
        sha256: `demo-cases:${DEMO_SEED}:${n}:${period.from}:${period.to}`,
        size: 0,
      }),
      new ImportRunner(ctx.dataSource, key).importRows(rowsFrom(trafficRows(period), TRAFFIC_CSV_HEADER), {
        file: 'demo',
        profile: 'traffic',
        source: 'synthetic',
        fileName: 'demo-traffic',
        sha256: `demo-traffic:${DEMO_SEED}:${period.from}:${period.to}`,
        size: 0,
      }),
    ]);
    await notifyRecordsChanged(ctx.dataSource);
    // The catalog's datasets of these records say which days they cover, so citations can.
    await ctx.dataSource.query(
      `UPDATE dataset SET definition = definition || jsonb_build_object('period', jsonb_build_object('from', $1::text, 'to', $2::text))
        WHERE slug IN ('hotline-cases', 'hotline-cases-open', 'call-traffic')`,
      [period.from, period.to],
    );
    ctx.log(
      `demo: ${cases.accepted} cases and ${traffic.accepted} traffic hours loaded in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
  },
};

function* trafficRows(period: { from: string; to: string }): Generator<string[]> {
  for (const t of generateTraffic({ ...period, seed: DEMO_SEED })) {
    yield [t.cityCode, t.hourStart, String(t.callsOffered), String(t.callsAnswered), String(t.callsAbandoned)];
  }
}
