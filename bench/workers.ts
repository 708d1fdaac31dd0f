/**
 * npm run bench:workers [-- --cases 300000] [--workers 2] [--seconds 5] [--rounds 5] [--concurrency 32]
 *                       [--database-url postgres://...] [--redis-url redis://...] [--seed S]
 *
 * How the realistic mix scales with WORKERS: the gateway as `npm start` starts it (dist/src/main.js,
 * node:cluster when WORKERS > 1) on the benchmark's generated database, once with WORKERS=1 and once
 * with WORKERS=N, both running at the same time on two ports and asked in turn, in rounds (one phase
 * of each, seconds apart), so that each round's ratio compares the two on the same machine state.
 * Both get the same settings: result cache on (each process its own, as separate instances would),
 * rate limits far above the load (still checked on every request, in Redis when --redis-url or
 * REDIS_URL is given, else in the database for WORKERS > 1 and in memory for one process, as the
 * gateway chooses), real API keys of every role made through the API (bench/accounts.ts).
 */
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { SERVER_NODE_FLAGS } from '../src/bootstrap/server-node-flags.js';
import { createAccounts } from './accounts.js';
import { benchDatabaseUrl, load, log } from './bench-data.js';
import { GatewayProcess, root, stopGateway } from './gateway-process.js';
import { HttpRequest, Phases, post } from './http-load.js';
import { cpuMeter, CpuShares } from './machine-cpu.js';
import { wholeNumber } from './options.js';
import { AGGREGATE_QUERY, TYPENAME_BODY } from './query-workload.js';
import { mixRequests } from './mix-requests.js';
import { fmt, fmtSpread, ratios, Rounds, spread } from './report.js';
import { generateWorkload } from './workload.js';

function args() {
  const opts = new Command('bench:workers')
    .option('--cases <n>', 'generated cases', wholeNumber(1000), 300_000)
    .option('--workers <n>', 'processes of the clustered gateway (WORKERS)', wholeNumber(2), 2)
    .option('--seconds <n>', 'seconds per measured phase', wholeNumber(1), 5)
    .option('--rounds <n>', 'times every phase is repeated (medians and spread over them)', wholeNumber(1), 5)
    .option('--concurrency <n>', 'connections at once', wholeNumber(1), 32)
    .option('--database-url <url>', 'the database (default: BENCH_DATABASE_URL with a database per size)')
    .option('--redis-url <url>', 'REDIS_URL for both gateways (default: the environment, else none)')
    .option('--seed <seed>', 'seed of the realistic workload', 'hotline-bench')
    .parse()
    .opts<{
      cases: number;
      workers: number;
      seconds: number;
      rounds: number;
      concurrency: number;
      databaseUrl?: string;
      redisUrl?: string;
      seed: string;
    }>();
  return {
    ...opts,
    url: benchDatabaseUrl(opts.cases, opts.databaseUrl),
    redisUrl: opts.redisUrl ?? process.env.REDIS_URL,
  };
}

/** A free TCP port on the loopback (node:cluster workers share a port the primary cannot learn from port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The gateway as `npm start` starts it, WORKERS=workers; resolves once it says it is ready. */
async function startMain(url: string, workers: number, redisUrl: string | undefined): Promise<GatewayProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    WORKERS: String(workers),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    HGW_AGGREGATE_CACHE: 'on',
    // The workload stands in for clients behind a proxy on this machine (X-Forwarded-For).
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_PER_PRINCIPAL: '1000000000',
    RATE_LIMIT_PER_ADDRESS: '1000000000',
    // The same data directory as bench:query's gateways: one set of keys (audit signing) for all.
    DATA_DIR: join(root, '.bench', 'data'),
  };
  if (redisUrl) env.REDIS_URL = redisUrl;
  else delete env.REDIS_URL;
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(root, 'dist', 'src', 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('GraphQL: http://')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the gateway with WORKERS=${workers} exited with ${code}`)));
  });
  return { port, child };
}

async function main(): Promise<void> {
  const opts = args();
  await load(opts.url, opts.cases, false);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const rounds = new Rounds();
  const cpu = new Map<string, CpuShares[]>();
  const workload = generateWorkload({ seed: opts.seed });
  const loadBefore = loadavg()[0];
  const one = await startMain(opts.url, 1, opts.redisUrl);
  const many = await startMain(opts.url, opts.workers, opts.redisUrl).catch(async (err: unknown) => {
    await stopGateway(one.child);
    throw err;
  });
  const phaseOne = `WORKERS=1`;
  const phaseMany = `WORKERS=${opts.workers}`;
  try {
    for (const g of [one, many]) for (let i = 0; i < 50; i++) await post(agent, g.port, TYPENAME_BODY);
    log(`creating ${workload.accounts.length} accounts and their keys through the API`);
    const credentials = await createAccounts(opts.url, agent, one.port, workload.accounts);
    const mixOne = mixRequests(workload, credentials, AGGREGATE_QUERY);
    const mixMany = mixRequests(workload, credentials, AGGREGATE_QUERY);
    log(`realistic mix: ${workload.requests.length} requests, ${mixOne.distinct} distinct questions`);
    for (let round = 0; round < opts.rounds; round++) {
      log(`round ${round + 1} of ${opts.rounds}`);
      const phases = new Phases(
        { seconds: opts.seconds, warmSeconds: round === 0 ? 2 : 0.5, concurrency: opts.concurrency },
        (result) => rounds.add(result),
      );
      // Alternate which goes first, so neither always follows the other's load.
      const order: [string, GatewayProcess][] =
        round % 2 === 0
          ? [
              [phaseOne, one],
              [phaseMany, many],
            ]
          : [
              [phaseMany, many],
              [phaseOne, one],
            ];
      // Each measured phase with the CPU it took: the gateway's processes, this load generator, the rest.
      const measure = async (name: string, g: GatewayProcess, next: () => HttpRequest) => {
        await phases.warmHttp(g.port, next);
        const meter = cpuMeter(g.child.pid!);
        await phases.measureHttp(name, g.port, next);
        const shares = cpu.get(name) ?? [];
        shares.push(meter());
        cpu.set(name, shares);
      };
      for (const [name, g] of order) await measure(`{ __typename }, ${name}`, g, () => ({ body: TYPENAME_BODY }));
      for (const [name, g] of order) await measure(`realistic mix, ${name}`, g, g === one ? mixOne.next : mixMany.next);
    }
  } finally {
    await Promise.all([one, many].map((g) => stopGateway(g.child)));
    agent.destroy();
  }

  const ratioLine = (label: string, a: string, b: string) => {
    const r = ratios(rounds.rps(a), rounds.rps(b));
    return `| ${label} | ${fmtSpread(r, 2)} |`;
  };
  const lines = [
    `bench:workers: ${opts.cases.toLocaleString('en')} cases, ${opts.concurrency} connections, ${opts.seconds} s per phase, ${opts.rounds} rounds, ${cpus().length} cores, rate limits in ${opts.redisUrl ? 'Redis' : 'the database (WORKERS > 1) / memory (one process)'}`,
    `load average before ${fmt(loadBefore, 2)}, after ${fmt(loadavg()[0], 2)}`,
    '',
    ...rounds.table(),
    '',
    `| phase | machine busy (cores of ${cpus().length}) | gateway processes | load generator | PostgreSQL and the rest |`,
    '|---|---:|---:|---:|---:|',
    ...[...cpu].map(
      ([name, shares]) =>
        `| ${name} | ${(['machine', 'gateway', 'loadGenerator', 'rest'] as const)
          .map((k) =>
            fmtSpread(
              shares.map((x) => x[k]),
              2,
            ),
          )
          .join(' | ')} |`,
    ),
    '',
    `| WORKERS=${opts.workers} ÷ WORKERS=1 (each round's ratio; median and range) | ratio |`,
    '|---|---:|',
    ratioLine('`{ __typename }`', `{ __typename }, ${phaseMany}`, `{ __typename }, ${phaseOne}`),
    ratioLine('**realistic mix**', `realistic mix, ${phaseMany}`, `realistic mix, ${phaseOne}`),
    '',
    `target (issue 21, point 5): the mix at least 1.7x on 2 cores; median ${fmt(
      spread(ratios(rounds.rps(`realistic mix, ${phaseMany}`), rounds.rps(`realistic mix, ${phaseOne}`))).median,
      2,
    )}x`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
