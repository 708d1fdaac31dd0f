import { Agent, request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { ERROR_CODES } from '../src/common/gateway-error.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { rng } from './utils/seeded-random.js';

/**
 * 2,000+ hostile requests against the real app: none may get a 5xx, a stack trace or an
 * internal name, and the database must be unchanged. HGW_FUZZ_SEED reproduces a run.
 */
const SEED = Number(process.env.HGW_FUZZ_SEED ?? 20261127);
const REQUESTS = Number(process.env.HGW_FUZZ_REQUESTS ?? 2_000);
const CONCURRENCY = Number(process.env.HGW_FUZZ_CONCURRENCY ?? 8);

/** Tables only ever appended to by reads (the access log): existing rows must not change. */
const APPEND_ONLY: Record<string, string> = { audit_event: 'id' };

/** Markers of internals the generator never sends, so finding one in a body is a leak. */
const LEAKS = [
  /\n\s+at \S/,
  /\.(?:ts|js|mjs|cjs):\d+/,
  /node_modules/,
  /QueryFailedError|TypeORM|EntityMetadata|driverError|Nest(?:Factory|Application)/,
  /syntax error at or near|violates .* constraint|relation "|column "\w+" does not exist|pg_catalog/i,
  /case_record|schema_migrations|import_batch|call_traffic/,
  /stacktrace|"exception"/,
];

interface Attack {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE dataset; --",
  "Robert'); DELETE FROM audit_event; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  "320500' UNION SELECT password FROM principal --",
  '$$; TRUNCATE dataset; $$',
  '\\x27; UPDATE dataset SET published = false; --',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00%27',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\u202eevil',
  '\u200b\u200d\ufeff',
  '苏州市\u0000',
  '𝕳𝖔𝖙𝖑𝖎𝖓𝖊 🚨',
  "南京市 玄武区 '); --",
  '1e309',
  '-0',
  'NaN',
  '2021-13-45',
  '9'.repeat(400),
  '',
  ' ',
];

const JUNK_JSON = [
  '{"query":',
  '{{}',
  'null',
  '"just a string"',
  '123',
  'true',
  '[]',
  '{"query": "{ __typename }",}',
  '\u0000',
  '{"query":"\\ud800"}',
  "{'query':'x'}",
  '{"query":"{ datasets { slug } }"',
];

/** Percent-encodes; a lone surrogate becomes the invalid UTF-8 it would be on the wire. */
function uri(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

export function buildAttacks(rand: () => number, count: number): Attack[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (n: number) => Math.floor(rand() * n);
  const json = (value: unknown): Attack => ({
    kind: 'json',
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
  const aggregate = (value: string) => ({
    query:
      'query A($d: String!, $v: String!, $l: String) { aggregate(query: { dataset: $d, measures: ["cases"], groupBy: [{ dimension: $v, level: $l }], filters: [{ dimension: "area", level: "city", in: [$v] }, { dimension: "time", from: $v, to: $v }] }) { columns rows { keys cells { value flags } } } }',
    variables: { d: pick(['hotline-cases-open', 'hotline-cases', value]), v: value, l: pick([null, 'city', value]) },
  });
  const generators: (() => Attack)[] = [
    // Invalid JSON and JSON that is not an operation.
    () => ({ ...json(null), kind: 'invalid-json', body: pick(JUNK_JSON) }),
    () => ({
      ...json(null),
      kind: 'truncated-json',
      body: JSON.stringify(aggregate(pick(INJECTIONS))).slice(0, 1 + int(200)),
    }),
    () => ({
      ...json(null),
      kind: 'random-bytes',
      body: Buffer.from(Array.from({ length: 1 + int(300) }, () => int(256))),
    }),
    // Wrong types for query, variables, operationName, extensions.
    () => ({ ...json({ query: pick([123, {}, [], true, null, { query: 'x' }]) }), kind: 'wrong-type-query' }),
    () => ({
      ...json({ query: '{ __typename }', variables: pick(['x', 5, [], true, '{"a":1}']) }),
      kind: 'wrong-type-vars',
    }),
    () => ({
      ...json({ query: '{ __typename }', operationName: pick([5, {}, [], false]) }),
      kind: 'wrong-type-opname',
    }),
    () => ({
      ...json({ query: '{ __typename }', extensions: pick(['x', 5, [], { persistedQuery: { sha256Hash: 'x' } }]) }),
      kind: 'wrong-type-ext',
    }),
    // Wrong types inside variables.
    () => ({
      ...json({ ...aggregate('x'), variables: { d: pick([5, [], {}, true]), v: pick([{}, 1.5, ['a']]) } }),
      kind: 'wrong-var-types',
    }),
    () => ({ ...json({ query: '{ dataset(slug: 5) { slug } }' }), kind: 'wrong-arg-type' }),
    // SQL injection and unicode in filter values, slugs, dimension names.
    () => ({ ...json(aggregate(pick(INJECTIONS))), kind: 'injection-aggregate' }),
    () => ({
      ...json({
        query: 'query($s: String!) { dataset(slug: $s) { slug measures { code } } }',
        variables: { s: pick(INJECTIONS) },
      }),
      kind: 'injection-slug',
    }),
    () => ({
      ...json({ query: `{ dataset(slug: ${JSON.stringify(pick(INJECTIONS))}) { slug } }` }),
      kind: 'injection-literal',
    }),
    // Huge strings: just under and over the body limit.
    () => ({ ...json(aggregate('x'.repeat(90_000 + int(5_000)))), kind: 'huge-string' }),
    () => ({ ...json({ query: `{ dataset(slug: "${'y'.repeat(120_000)}") { slug } }` }), kind: 'over-size' }),
    // Deep nesting, in the document and in the JSON.
    () => {
      const depth = 5 + int(60);
      let q = '__typename';
      for (let i = 0; i < depth; i += 1) q = `__type(name: "Query") { fields { type { ofType { ${q} } } } }`;
      return { ...json({ query: `{ ${q} }` }), kind: 'deep-query' };
    },
    () => ({
      ...json(null),
      kind: 'deep-json',
      body: `{"query":"{ __typename }","variables":{"a":${'['.repeat(2_000 + int(40_000))}`,
    }),
    () => ({
      ...json({ query: '{ __typename }', variables: { a: JSON.parse('['.repeat(500) + ']'.repeat(500)) } }),
      kind: 'deep-vars',
    }),
    // Alias, directive, token and fragment bombs.
    () => ({
      ...json({
        query: `{ ${Array.from({ length: 16 + int(500) }, (_, i) => `a${i}: datasets { slug }`).join(' ')} }`,
      }),
      kind: 'alias-bomb',
    }),
    () => ({
      ...json({ query: `{ __typename ${'@include(if: true) '.repeat(21 + int(300))}}` }),
      kind: 'directive-bomb',
    }),
    () => ({ ...json({ query: `{ ${'__typename '.repeat(1_001 + int(6_000))}}` }), kind: 'token-bomb' }),
    () => ({
      ...json({ query: 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }' }),
      kind: 'fragment-cycle',
    }),
    () => ({
      ...json({ query: `{ datasets { ${'dimensions { levels { code } } '.repeat(1 + int(40))} } }` }),
      kind: 'repeated-fields',
    }),
    // Wrong content types and encodings.
    () => ({
      kind: 'content-type',
      method: 'POST',
      path: '/graphql',
      headers: {
        'content-type': pick([
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/graphql',
          'application/json; charset=utf-16',
          'application/x-www-form-urlencoded',
          'image/png',
          '*/*',
          'application/json; charset=ebcdic',
        ]),
      },
      body: pick(['{ __typename }', JSON.stringify({ query: '{ __typename }' }), 'query=%7B__typename%7D', '<q/>']),
    }),
    () => ({
      ...json({ query: '{ __typename }' }),
      kind: 'gzip-lie',
      headers: { 'content-type': 'application/json', 'content-encoding': pick(['gzip', 'br', 'deflate', 'x-custom']) },
    }),
    () => ({
      kind: 'no-content-type',
      method: 'POST',
      path: '/graphql',
      headers: {},
      body: Buffer.from(JSON.stringify({ query: '{ __typename }' })),
    }),
    // Batched arrays.
    () => ({ ...json(Array.from({ length: 1 + int(50) }, () => ({ query: '{ datasets { slug } }' }))), kind: 'batch' }),
    // Null bytes in the document and variables.
    () => ({ ...json({ query: `{ dataset(slug: "a\u0000b") { slug } }` }), kind: 'nul-literal' }),
    () => ({ ...json({ query: '{ __typename }\u0000 { x }' }), kind: 'nul-document' }),
    () => ({
      ...json({
        query: 'query($s: String!) { dataset(slug: $s) { slug } }',
        variables: { s: 'x\u0000', ['k\u0000']: 1 },
      }),
      kind: 'nul-variables',
    }),
    // Headers: overlong, odd Authorization, odd Accept.
    () => ({
      ...json({ query: '{ datasets { slug } }' }),
      kind: 'overlong-header',
      headers: { 'content-type': 'application/json', 'x-padding': 'a'.repeat(20_000 + int(20_000)) },
    }),
    () => ({
      ...json({ query: '{ datasets { slug } }' }),
      kind: 'odd-authorization',
      headers: {
        'content-type': 'application/json',
        authorization: pick([
          'Bearer',
          'Bearer ',
          'Basic dXNlcjpwYXNz',
          `Bearer ${'x'.repeat(8_000)}`,
          "Bearer ' OR 1=1 --",
          'Bearer hgw_000000000000',
          'bearer a b c',
          'Bearer \u00ff\u00fe',
        ]),
      },
    }),
    () => ({
      ...json({ query: '{ __typename }' }),
      kind: 'odd-accept',
      headers: {
        'content-type': 'application/json',
        accept: pick([
          'text/html',
          'application/xml',
          'application/graphql-response+json;q=0',
          '*/*;q=0.1, text/plain',
          'ß',
        ]),
      },
    }),
    // Other methods and paths.
    () => ({
      kind: 'method',
      method: pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']),
      path: pick(['/graphql', '/healthz', '/', '/metrics']),
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
    () => ({
      kind: 'get-query',
      method: 'GET',
      path: `/graphql?query=${uri(pick(['{ __typename }', 'mutation { __typename }', '{ datasets { slug } }', pick(INJECTIONS)]))}&variables=${uri(pick(['{}', '[', 'null', '"x"']))}`,
      headers: pick([
        {},
        { 'apollo-require-preflight': 'true' },
        { 'apollo-require-preflight': 'true', 'content-type': 'text/plain' },
      ]),
    }),
    () => ({
      kind: 'path',
      method: 'GET',
      path: pick([
        '/%E0%A4%A',
        '/graphql/..%2f..%2fetc',
        '/%00',
        '/graphql%00',
        '/.env',
        '/admin',
        `/${'a'.repeat(3_000)}`,
        '/graphql?query=%ZZ',
      ]),
      headers: {},
    }),
    // Prototype pollution in JSON keys.
    () => ({
      ...json(null),
      kind: 'proto',
      body: '{"query":"{ __typename }","variables":{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}}',
    }),
    // Introspection and unknown fields, for suggestions.
    () => ({
      ...json({
        query: pick([
          '{ datasetz }',
          '{ dataset(slug: "x") { slugg } }',
          '{ aggregate }',
          '{ __schema { types { name } } }',
          'mutation { createApiKey }',
          'subscription { x }',
        ]),
      }),
      kind: 'unknown-fields',
    }),
  ];
  return Array.from({ length: count }, () => pick(generators)());
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(port: number, agent: Agent | undefined, attack: Attack): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: attack.method, path: attack.path, headers: attack.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    if (attack.body !== undefined) req.write(attack.body);
    req.end();
  });
}

function problemsWith(attack: Attack, answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`status ${answer.status}`);
  for (const leak of LEAKS) if (leak.test(answer.body)) problems.push(`leak ${leak}`);
  if (answer.body.length > 0 && attack.method !== 'HEAD') {
    if (
      !/application\/(?:graphql-response\+)?json/.test(answer.contentType) &&
      !/text\/plain/.test(answer.contentType)
    ) {
      problems.push(`content-type ${answer.contentType}`);
    }
    try {
      const parsed = JSON.parse(answer.body) as {
        errors?: { extensions?: { code?: string } }[];
        error?: { code?: string };
      };
      const codes = [
        ...(parsed.errors ?? []).map((e) => e.extensions?.code),
        ...(parsed.error ? [parsed.error.code] : []),
      ];
      for (const code of codes) {
        if (!(ERROR_CODES as readonly (string | undefined)[]).includes(code)) problems.push(`code ${code}`);
      }
    } catch {
      // /metrics is text; everything else must be JSON.
      if (!attack.path.startsWith('/metrics')) problems.push('body is not JSON');
    }
  }
  return problems;
}

describe('fuzz: hostile requests', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t.close();
  });

  async function checksums(): Promise<Record<string, string>> {
    const tables = await t.dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const sums: Record<string, string> = {};
    for (const { table_name: table } of tables) {
      const rows = await t.dataSource.query<{ sum: string }[]>(
        `SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS sum FROM "${table}" t`,
      );
      sums[table] = rows[0].sum;
    }
    return sums;
  }

  async function appendOnlyPrefix(table: string, key: string, upTo: string | null): Promise<string> {
    const rows = await t.dataSource.query<{ sum: string }[]>(
      `SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS sum FROM "${table}" t WHERE "${key}" <= $1`,
      [upTo ?? '0'],
    );
    return rows[0].sum;
  }

  it(`answers ${REQUESTS} hostile requests (seed ${SEED}) without a 5xx, a stack trace or a leak, and changes nothing`, async () => {
    const before = await checksums();
    const appendOnlyMax: Record<string, { max: string | null; sum: string }> = {};
    for (const [table, key] of Object.entries(APPEND_ONLY)) {
      if (!(table in before)) continue;
      const [{ max }] = await t.dataSource.query<{ max: string | null }[]>(
        `SELECT max("${key}")::text AS max FROM "${table}"`,
      );
      appendOnlyMax[table] = { max, sum: await appendOnlyPrefix(table, key, max) };
    }

    const attacks = buildAttacks(rng(SEED), REQUESTS);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const failures: string[] = [];
    const kinds = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < attacks.length) {
        const index = next;
        next += 1;
        const attack = attacks[index];
        kinds.set(attack.kind, (kinds.get(attack.kind) ?? 0) + 1);
        try {
          // The server rightly closes a connection after some refusals (413, 431); a request that
          // raced onto such a kept-alive socket is sent again on a fresh one.
          const answer = await send(port, agent, attack).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ECONNRESET') throw err;
            return send(port, undefined, attack);
          });
          const problems = problemsWith(attack, answer);
          if (problems.length > 0) {
            failures.push(
              `#${index} ${attack.kind} ${attack.method} ${attack.path.slice(0, 60)}: ${problems.join(', ')}: ${answer.body.slice(0, 300)}`,
            );
          }
        } catch (err) {
          // Node closes the socket after a 431 for overlong headers; nothing else may break the connection.
          if (attack.kind !== 'overlong-header') failures.push(`#${index} ${attack.kind}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();

    expect(failures.slice(0, 20)).toEqual([]);
    expect(kinds.size).toBeGreaterThanOrEqual(30);
    // Still healthy afterwards.
    const ok = await t.gql('{ datasets { slug } }').expect(200);
    expect(ok.body.errors).toBeUndefined();

    const after = await checksums();
    expect(Object.keys(appendOnlyMax).length).toBeGreaterThan(0);
    for (const [table, { max, sum }] of Object.entries(appendOnlyMax)) {
      expect(await appendOnlyPrefix(table, APPEND_ONLY[table], max)).toBe(sum);
      delete before[table];
      delete after[table];
    }
    expect(after).toEqual(before);
  });
});
