import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { REQUEST_ID_ATTRIBUTE, startTracing, stopTracing, traced, tracingEnabled } from '../src/tracing/tracing.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { ensureBuilt } from './utils/ensure-built.js';

const AGGREGATE = `{ aggregate(query: { dataset: "hotline-cases-open", groupBy: [{ dimension: "area", level: "city" }], measures: ["cases"] }) { rows { keys } auditEventId } }`;

async function spansOf(exporter: InMemorySpanExporter, requestId: string): Promise<ReadableSpan[]> {
  // The request span ends when the response has been written: wait for it.
  for (let i = 0; i < 100; i++) {
    const spans = exporter.getFinishedSpans().filter((s) => s.attributes[REQUEST_ID_ATTRIBUTE] === requestId);
    if (spans.some((s) => s.name.startsWith('POST ')) && spans.some((s) => s.name === 'hgw.audit.append')) {
      return spans;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return exporter.getFinishedSpans().filter((s) => s.attributes[REQUEST_ID_ATTRIBUTE] === requestId);
}

const root = join(import.meta.dirname, '..');

/** The OpenTelemetry SDK packages a fresh process has loaded after building the app's modules (built dist/). */
function sdkPackagesLoadedByTheApp(env: Record<string, string>): string[] {
  ensureBuilt({ web: false });
  const out = execFileSync(process.execPath, [join(root, 'test/utils/sdk-packages-loaded.mjs')], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as string[];
}

describe('traces (OpenTelemetry)', () => {
  it('loads no part of the SDK unless OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
    expect(sdkPackagesLoadedByTheApp({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toEqual([]);
    expect(sdkPackagesLoadedByTheApp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual(
      expect.arrayContaining(['@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/sdk-trace-base']),
    );
  });

  it('is off unless started: nothing wraps pg and traced() calls straight through', async () => {
    expect(tracingEnabled()).toBe(false);
    expect(pg.Client.prototype.query.name).toBe('query');
    const promise = Promise.resolve(42);
    expect(traced('x', {}, () => promise)).toBe(promise);
    await expect(promise).resolves.toBe(42);
  });

  describe('with an in-memory exporter', () => {
    const exporter = new InMemorySpanExporter();
    let t: TestApp;

    beforeAll(async () => {
      await startTracing({ exporter });
      t = await createTestApp();
    });
    afterAll(async () => {
      await t?.close();
      await stopTracing();
    });

    it('gives a request a span, with its SQL and its audit write as descendants carrying the request id', async () => {
      const res = await t.gql(AGGREGATE).set('X-Request-Id', 'trace-test-0001').expect(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.headers['x-request-id']).toBe('trace-test-0001');

      const spans = await spansOf(exporter, 'trace-test-0001');
      const request = spans.find((s) => s.name === 'POST /graphql');
      expect(request).toBeDefined();
      expect(request!.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.path': '/graphql',
        'http.response.status_code': 200,
      });
      const traceId = request!.spanContext().traceId;
      const sql = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
      expect(sql.length).toBeGreaterThan(0);
      expect(sql.some((s) => String(s.attributes['db.query.text']).includes('rollup_'))).toBe(true);
      const audit = spans.find((s) => s.name === 'hgw.audit.append');
      expect(audit?.attributes).toMatchObject({ 'hgw.audit.operation': 'aggregate', 'hgw.audit.decision': 'allowed' });
      for (const s of [...sql, audit!]) expect(s.spanContext().traceId).toBe(traceId);

      // Every child hangs under the request span.
      const byId = new Map(exporter.getFinishedSpans().map((s) => [s.spanContext().spanId, s]));
      for (const s of [...sql, audit!]) {
        let parent = s.parentSpanContext?.spanId;
        while (parent && parent !== request!.spanContext().spanId) parent = byId.get(parent)?.parentSpanContext?.spanId;
        expect(parent).toBe(request!.spanContext().spanId);
      }
    });

    it('keeps concurrent requests apart, each with a request id of its own', async () => {
      exporter.reset();
      const [a, b] = await Promise.all([t.gql(AGGREGATE).expect(200), t.gql(AGGREGATE).expect(200)]);
      const idA = a.headers['x-request-id'];
      const idB = b.headers['x-request-id'];
      expect(idA).not.toBe(idB);
      const [spansA, spansB] = [await spansOf(exporter, idA), await spansOf(exporter, idB)];
      const traceA = spansA.find((s) => s.name === 'POST /graphql')!.spanContext().traceId;
      const traceB = spansB.find((s) => s.name === 'POST /graphql')!.spanContext().traceId;
      expect(traceA).not.toBe(traceB);
      expect(spansA.length).toBeGreaterThan(1);
      expect(spansB.length).toBeGreaterThan(1);
      expect(spansA.every((s) => s.spanContext().traceId === traceA)).toBe(true);
      expect(spansB.every((s) => s.spanContext().traceId === traceB)).toBe(true);
    });

    it('marks a failed statement as an error', async () => {
      exporter.reset();
      // 42703: undefined column.
      await expect(t.dataSource.query('SELECT no_such_column FROM dataset')).rejects.toMatchObject({ code: '42703' });
      const failed = exporter
        .getFinishedSpans()
        .find((s) => String(s.attributes['db.query.text']).includes('no_such_column'));
      expect(failed?.status.code).toBe(2); // SpanStatusCode.ERROR
    });
  });
});
