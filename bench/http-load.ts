/**
 * Load phases: HTTP through autocannon (a fixed number of connections, each sending its next
 * request as soon as the previous answer arrives), and in-process calls (the database floor) with
 * the same closed-loop shape. Every answer is checked: a non-200 status or a GraphQL `errors`
 * member counts as an error, and the first one is kept to be shown.
 */
import autocannon from 'autocannon';
import http from 'node:http';

export interface PhaseResult {
  name: string;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  /** The first failed answer, shortened. */
  firstError?: string;
}

export interface HttpRequest {
  body: string;
  headers?: Record<string, string>;
}

export const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

function summarize(name: string, seconds: number, latencies: number[], errors: number, firstError?: string) {
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    rps: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    ...(firstError ? { firstError } : {}),
  };
}

/** `connections` keep-alive connections POSTing `next()`'s requests to /graphql for `seconds`. */
export async function runHttp(
  name: string,
  port: number,
  seconds: number,
  connections: number,
  next: () => HttpRequest,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let instance!: autocannon.Instance;
  const done = new Promise<void>((resolve, reject) => {
    instance = autocannon(
      {
        url: `http://127.0.0.1:${port}/graphql`,
        connections,
        duration: seconds,
        method: 'POST',
        requests: [
          {
            method: 'POST',
            path: '/graphql',
            setupRequest: (req) => {
              const r = next();
              return { ...req, body: r.body, headers: { 'content-type': 'application/json', ...r.headers } };
            },
            onResponse: (status, body) => {
              if (status === 200 && !body.includes('"errors"')) return;
              errors++;
              firstError ??= `${status} ${body.slice(0, 400)}`;
            },
          },
        ],
      },
      (err) => (err ? reject(err as Error) : resolve()),
    );
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  await done;
  return summarize(name, seconds, latencies, errors, firstError);
}

/** `concurrency` loops calling `once` for `seconds` (for work that is not HTTP: the database floor). */
export async function runLoop(
  name: string,
  seconds: number,
  concurrency: number,
  once: (i: number) => Promise<boolean>,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let n = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const i = n++;
        const t0 = process.hrtime.bigint();
        const ok = await once(i).catch((err: unknown) => {
          firstError ??= String((err as Error).message ?? err).slice(0, 400);
          return false;
        });
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (!ok) errors++;
      }
    }),
  );
  return summarize(name, seconds, latencies, errors, firstError);
}

/** One POST /graphql; resolves to the answer's status and text. */
export function post(
  agent: http.Agent,
  port: number,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A GraphQL call that must succeed: its `data`, or an error naming what failed. */
export async function graphql<T>(
  agent: http.Agent,
  port: number,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const { status, text } = await post(
    agent,
    port,
    JSON.stringify({ query, variables }),
    token ? { authorization: `Bearer ${token}` } : {},
  );
  const parsed = JSON.parse(text) as { data?: T; errors?: { message: string }[] };
  if (status !== 200 || parsed.errors || !parsed.data) {
    throw new Error(`${query.slice(0, 60)}...: ${status} ${parsed.errors?.map((e) => e.message).join('; ') ?? text}`);
  }
  return parsed.data;
}

/** Bearer header for a token, none for the public. */
export const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** The size in bytes of one answer to `body`. */
export async function responseBytes(port: number, body: string, token?: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body,
  });
  return (await res.arrayBuffer()).byteLength;
}

/**
 * Measured phases of one round: each preceded by a warm-up of `warmSeconds` at the same
 * concurrency, its result handed to `record`.
 */
export class Phases {
  constructor(
    private readonly options: { seconds: number; warmSeconds: number; concurrency: number },
    private readonly record: (result: PhaseResult) => PhaseResult,
  ) {}

  /** Warms up, then measures `next()`'s requests to the gateway on `port`. */
  async http(name: string, port: number, next: () => HttpRequest): Promise<PhaseResult> {
    await this.warmHttp(port, next);
    return this.measureHttp(name, port, next);
  }

  /** Warms up, then measures `once` in closed loops (the database floor). */
  async loop(name: string, once: (i: number) => Promise<boolean>): Promise<PhaseResult> {
    const { warmSeconds, seconds, concurrency } = this.options;
    await runLoop('warm-up', warmSeconds, concurrency, once);
    return this.record(await runLoop(name, seconds, concurrency, once));
  }

  /** The warm-up alone (for phases that read a counter between warm-up and measurement). */
  async warmHttp(port: number, next: () => HttpRequest): Promise<void> {
    await runHttp('warm-up', port, this.options.warmSeconds, this.options.concurrency, next);
  }

  /** The measurement alone. */
  async measureHttp(name: string, port: number, next: () => HttpRequest): Promise<PhaseResult> {
    return this.record(await runHttp(name, port, this.options.seconds, this.options.concurrency, next));
  }
}
