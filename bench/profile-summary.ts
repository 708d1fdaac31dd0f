/** Summaries of a V8 `.cpuprofile` (node --cpu-prof): where one gateway process spent its CPU. */

/** Parts of the request path, by the script URL or function name of a frame. */
const PARTS: [string, RegExp][] = [
  ['the pg driver and TypeORM (database round trips)', /node_modules\/(pg|pg-pool|pg-protocol|typeorm)\//],
  [
    'Fastify, its router, middie and body parsing (and all they call)',
    /node_modules\/(fastify|@fastify\/[^/]+|find-my-way|light-my-request|secure-json-parse|avvio)\//,
  ],
  ['Apollo Server', /node_modules\/@apollo\/server\//],
  ['graphql-jit', /node_modules\/graphql-jit\//],
  ['the aggregate engine (src/aggregate)', /dist\/src\/aggregate\//],
  ['the audit (src/audit)', /dist\/src\/audit\//],
  ['disclosure control (src/disclosure)', /dist\/src\/disclosure\//],
  ['licensing (src/licensing)', /dist\/src\/licensing\//],
  ['authentication and API keys', /dist\/src\/(api-keys|access-policy)\//],
  ['rate limiting (src/rate-limit)', /dist\/src\/rate-limit\//],
  ['request logging (pino)', /node_modules\/(pino|pino-http|pino-std-serializers)\/|dist\/src\/logging\//],
  ['metrics (prom-client, src/metrics)', /node_modules\/prom-client\/|dist\/src\/metrics\//],
  ['validation (class-validator, class-transformer)', /node_modules\/(class-validator|class-transformer)\//],
  [
    'NestJS (router, guards, pipes, middleware wrappers)',
    /node_modules\/@nestjs\/(core|common|platform-fastify|apollo|graphql)\//,
  ],
  ['graphql-js (parse, validate, execute)', /node_modules\/graphql\//],
  ['security headers (helmet)', /node_modules\/helmet\//],
];

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Inclusive shares of PARTS and self time by package over the last `seconds` of a profile. */
export function summarizeProfile(profile: CpuProfile, seconds: number, topFunctions = 0): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map<number, number>();
  let at = 0;
  const end = profile.timeDeltas.reduce((a, b) => a + b, 0);
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    if (at >= end - seconds * 1e6) time.set(id, (time.get(id) ?? 0) + profile.timeDeltas[i]);
  });
  const total = [...time.values()].reduce((a, b) => a + b, 0);
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, t] of time) {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url.replace(/^.*\/(node_modules|dist)\//, '');
    const fn = `${frame.functionName || '(anonymous)'} ${where}`;
    functions.set(fn, (functions.get(fn) ?? 0) + t);
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
    const own = pkg ?? (frame.url.includes('/dist/src/') ? 'the gateway (src/)' : frame.functionName || '(native)');
    self.set(own, (self.get(own) ?? 0) + t);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const url = byId.get(x)!.callFrame.url;
      for (const [name, re] of PARTS) if (!seen.has(name) && re.test(url)) seen.add(name);
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + t);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1)}%`;
  return [
    `${(total / 1e6).toFixed(1)} s of samples`,
    '',
    '| part of the request path (inclusive) | CPU |',
    '|---|---:|',
    ...PARTS.map(([name]) => [name, inclusive.get(name) ?? 0] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([name, t]) => `| ${name} | ${pct(t)} |`),
    '',
    '| own (self) time, top 15 | CPU |',
    '|---|---:|',
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, t]) => `| ${name} | ${pct(t)} |`),
    ...(topFunctions > 0
      ? [
          '',
          `| own (self) time by function, top ${topFunctions} | CPU |`,
          '|---|---:|',
          ...[...functions]
            .sort((a, b) => b[1] - a[1])
            .slice(0, topFunctions)
            .map(([name, t]) => `| ${name.replace(/\|/g, '\\|')} | ${pct(t)} |`),
        ]
      : []),
  ];
}
