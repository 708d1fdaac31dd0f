import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attributes, Context, ContextManager, Span, Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';

/**
 * OpenTelemetry traces, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: a span per HTTP request,
 * a child span per SQL statement (pg) and per audit write, each with the request id. When it is
 * not set nothing of OpenTelemetry is loaded (the imports below are types only; the SDK is
 * imported dynamically by `startTracing`), no middleware is installed, pg is not wrapped, and
 * `traced` calls straight through.
 */
interface ActiveTracing {
  api: typeof import('@opentelemetry/api');
  tracer: Tracer;
  provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  contextManager: ContextManager;
  requestIdKey: symbol;
}

let active: ActiveTracing | undefined;

/** Attribute carrying the gateway's request id (the X-Request-Id header and the logs' requestId). */
export const REQUEST_ID_ATTRIBUTE = 'hgw.request_id';
/** SQL text is kept to this many characters per span (statements are parameterized: no values). */
const MAX_SQL_CHARS = 2_000;

export function tracingEnabled(): boolean {
  return active !== undefined;
}

export interface TracingOptions {
  /** Where spans go; default the OTLP/HTTP exporter, configured by the OTEL_EXPORTER_OTLP_* variables. */
  exporter?: SpanExporter;
}

/** Loads the SDK and starts tracing for this process (idempotent). */
export async function startTracing(options: TracingOptions = {}): Promise<void> {
  if (active) return;
  const [api, sdk, resources, asyncHooks] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/context-async-hooks'),
  ]);
  const exporter =
    options.exporter ?? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': 'hotline-gateway' }),
    // A given exporter (tests) gets every span at once; the OTLP exporter gets them in batches.
    spanProcessors: [options.exporter ? new sdk.SimpleSpanProcessor(exporter) : new sdk.BatchSpanProcessor(exporter)],
  });
  const contextManager = new asyncHooks.AsyncLocalStorageContextManager().enable();
  api.context.setGlobalContextManager(contextManager);
  active = {
    api,
    tracer: provider.getTracer('hotline-gateway'),
    provider,
    contextManager,
    requestIdKey: api.createContextKey('hgw.request_id'),
  };
  wrapPg();
}

/** Sends the spans still buffered and stops tracing (on shutdown, and between tests). */
export async function stopTracing(): Promise<void> {
  const current = active;
  if (!current) return;
  active = undefined;
  unwrapPg();
  await current.provider.forceFlush().catch(() => undefined);
  await current.provider.shutdown().catch(() => undefined);
  current.api.context.disable();
}

function spanAttributes(t: ActiveTracing, ctx: Context, attributes: Attributes): Attributes {
  const requestId = ctx.getValue(t.requestIdKey);
  return typeof requestId === 'string' ? { ...attributes, [REQUEST_ID_ATTRIBUTE]: requestId } : attributes;
}

function endSpan(t: ActiveTracing, span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : JSON.stringify(error));
    span.setStatus({ code: t.api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
  }
  span.end();
}

/** Runs `fn` in a child span of the current one (or just runs it when tracing is off). */
export function traced<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  const t = active;
  if (!t) return fn();
  const parent = t.api.context.active();
  const span = t.tracer.startSpan(name, { attributes: spanAttributes(t, parent, attributes) }, parent);
  return t.api.context.with(t.api.trace.setSpan(parent, span), fn).then(
    (value) => {
      endSpan(t, span);
      return value;
    },
    (error: unknown) => {
      endSpan(t, span, error);
      throw error;
    },
  );
}

type Next = (err?: unknown) => void;

/**
 * Middleware opening the request's span (run from the gateway's first Fastify `onRequest` hook); everything the request does runs in its
 * context. `requestId` gives the same id the logs use (it is set on the request first).
 */
export function tracingMiddleware(
  requestId: (req: IncomingMessage, res: ServerResponse) => string,
): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  return (req, res, next) => {
    const t = active;
    if (!t) return next();
    const id = requestId(req, res);
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const { api } = t;
    const span = t.tracer.startSpan(`${method} ${path}`, {
      kind: api.SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'url.path': path, [REQUEST_ID_ATTRIBUTE]: id },
    });
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    const ctx = api.trace.setSpan(api.context.active().setValue(t.requestIdKey, id), span);
    // Body parsing runs in the socket's callbacks: bind the request and response to the context.
    api.context.bind(ctx, req);
    api.context.bind(ctx, res);
    api.context.with(ctx, next);
  };
}

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with .apply(client, …) below
const originalQuery = pg.Client.prototype.query as unknown as QueryFn;

/** Wraps pg's Client#query so every statement (TypeORM's and raw pg's) gets a span. */
function wrapPg(): void {
  const tracedQuery: QueryFn = function (this: pg.Client, ...args: unknown[]) {
    const t = active;
    const first = args[0] as { text?: unknown; submit?: unknown } | string | undefined;
    // Submittables (COPY streams, cursors) run as they are: they are the import's, not a request's.
    if (!t || (typeof first === 'object' && first !== null && typeof first.submit === 'function')) {
      return originalQuery.apply(this, args);
    }
    const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : '';
    const operation = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
    const parent = t.api.context.active();
    const span = t.tracer.startSpan(
      `pg ${operation}`,
      {
        kind: t.api.SpanKind.CLIENT,
        attributes: spanAttributes(t, parent, {
          'db.system.name': 'postgresql',
          'db.operation.name': operation,
          'db.query.text': text.length > MAX_SQL_CHARS ? `${text.slice(0, MAX_SQL_CHARS)}…` : text,
        }),
      },
      parent,
    );
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (err: unknown, result: unknown) => void;
      args[last] = (err: unknown, result: unknown) => {
        endSpan(t, span, err ?? undefined);
        callback(err, result);
      };
      return originalQuery.apply(this, args);
    }
    const result = originalQuery.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => endSpan(t, span),
        (err: unknown) => endSpan(t, span, err),
      );
    } else {
      span.end();
    }
    return result;
  };
  (pg.Client.prototype as unknown as { query: QueryFn }).query = tracedQuery;
}

function unwrapPg(): void {
  (pg.Client.prototype as unknown as { query: QueryFn }).query = originalQuery;
}
