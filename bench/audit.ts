/**
 * `npm run bench:audit [-- --seconds 8] [--requests 200] [--cases 50000]`: audit write throughput with 50 concurrent writers, and the audit
 * write's share of a licensed aggregate request's latency.
 *
 * Database: a fresh database on DATABASE_URL's server when set (dropped afterwards), else an
 * embedded PostgreSQL in a temporary DATA_DIR. The latency part loads the demo (BENCH_CASES
 * synthetic cases, the demo researcher and its licence L-1) and sends the real `aggregate`
 * query over HTTP, one at a time, alternating between the real audit write and none; inside the
 * server it times each whole request (arrival to response sent) and prints the medians of both
 * side by side, with the difference as the share the audit write adds.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Actor } from '../src/access-policy/actor.js';
import { AppModule } from '../src/app.module.js';
import { AuditRecorder } from '../src/audit/audit-recorder.js';
import { loadConfig } from '../src/config/app-config.js';
import { openDatabase, migrate } from '../src/bootstrap/open-database.js';
import { seedDemoIfEmpty } from '../src/demo/demo-seeder.js';
import { wholeNumber } from './options.js';

const WRITERS = 50;
const ROUNDS = 3;
// The environment's BENCH_SECONDS, BENCH_REQUESTS and BENCH_CASES still set the defaults.
const options = new Command('bench:audit')
  .option('--seconds <n>', 'seconds per throughput round', wholeNumber(), Number(process.env.BENCH_SECONDS ?? 8))
  .option(
    '--requests <n>',
    'aggregate requests with the audit write (and as many without)',
    wholeNumber(),
    Number(process.env.BENCH_REQUESTS ?? 200),
  )
  .option('--cases <n>', 'synthetic cases in the demo', wholeNumber(), Number(process.env.BENCH_CASES ?? 50_000))
  .parse()
  .opts<{ seconds: number; requests: number; cases: number }>();
const THROUGHPUT_SECONDS = options.seconds;
const REQUESTS = options.requests;
const CASES = options.cases;

const say = (line: string) => process.stdout.write(line + '\n');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hgw-bench-'));
  const adminUrl = process.env.DATABASE_URL;
  let dbName: string | undefined;
  let databaseUrl: string | undefined;
  if (adminUrl) {
    dbName = `hgw_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const config = loadConfig({
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    AUDIT_CHECKPOINT_EVERY: '10000',
    DEMO_CASES: String(CASES),
    RATE_LIMIT_PER_PRINCIPAL: '1000000000',
    RATE_LIMIT_PER_ADDRESS: '1000000000',
  });
  const db = await openDatabase(config, 'server');
  try {
    await migrate(db.dataSource);
    say(`database: ${db.kind === 'embedded' ? 'embedded PostgreSQL' : 'DATABASE_URL server, fresh database'}`);
    say(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other work shares them)`,
    );
    say(`loading the demo with ${CASES} synthetic cases...`);
    const { credentials } = await seedDemoIfEmpty(db.dataSource, config, () => undefined);
    const researcherKey = credentials.find((c) => c.role === 'researcher')?.apiKey;
    if (!researcherKey) throw new Error('the demo made no researcher');
    // Bench database only: room in the demo licence's daily quota for every request below.
    await db.dataSource.query(`UPDATE license SET daily_quota = 1000000000`);

    const app = await NestFactory.create(AppModule.register({ config, dataSource: db.dataSource }), { logger: false });
    const recorder = app.get(AuditRecorder);
    // Timing inside the server: from the request's arrival to its response being sent. Requests
    // alternate between the real recorder and one that stores nothing (bench only), so the two
    // medians come from the same minutes of the same server: their difference is what the audit
    // write adds. The write's own duration (call to commit) is shown too: it overlaps the rest of
    // the request, so it is more than what it adds.
    let skipAudit = false;
    let auditInRequest = 0;
    const record = recorder.record.bind(recorder);
    recorder.record = async (...args) => {
      if (skipAudit) return { id: '0' };
      const started = process.hrtime.bigint();
      try {
        return await record(...args);
      } finally {
        auditInRequest += ms(started);
      }
    };
    const served: { total: number; audit: number; audited: boolean }[] = [];
    app.use((_req: unknown, res: import('node:http').ServerResponse, next: () => void) => {
      const started = process.hrtime.bigint();
      const audited = !skipAudit;
      auditInRequest = 0;
      res.on('finish', () => served.push({ total: ms(started), audit: auditInRequest, audited }));
      next();
    });
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer() as import('node:http').Server).address() as { port: number };

    // 1. Throughput: 50 writers, each awaiting its own record() in a loop.
    const actor: Actor = { role: 'researcher', principalId: 'bench', organizationId: 'org', authMethod: 'api-key' };
    const rates: number[] = [];
    const plainRates: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      let count = 0;
      const until = Date.now() + THROUGHPUT_SECONDS * 1000;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          while (Date.now() < until) {
            await recorder.record(
              { ...actor, requestId: `w${w}-${count}`, clientAddress: '127.0.0.1' },
              {
                operation: 'aggregate',
                decision: 'allowed',
                datasetSlug: 'hotline-cases',
                licenseId: 'bench-licence',
                query: { measures: ['cases'], groupBy: [{ dimension: 'area', level: 'district' }], w },
                resultSize: 96,
                cellsSuppressed: 3,
              },
            );
            count++;
          }
        }),
      );
      const rate = count / (ms(started) / 1000);
      rates.push(rate);
      // Side by side, what this machine does right now with the simplest possible log: one
      // unchained INSERT per event in autocommit, 50 writers over the app's pool.
      await db.dataSource.query('CREATE TABLE IF NOT EXISTS bench_plain_log (LIKE audit_event INCLUDING DEFAULTS)');
      let plain = 0;
      const plainUntil = Date.now() + THROUGHPUT_SECONDS * 1000;
      const plainStarted = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (Date.now() < plainUntil) {
            await db.dataSource.query(
              `INSERT INTO bench_plain_log (id, seq, prev_hash, hash, role, operation, decision, query, result_size)
               VALUES (0, 0, '', '', 'researcher', 'aggregate', 'allowed', $1, 96)`,
              [JSON.stringify({ measures: ['cases'] })],
            );
            plain++;
          }
        }),
      );
      const plainRate = plain / (ms(plainStarted) / 1000);
      plainRates.push(plainRate);
      say(
        `throughput round ${round}: chained ${rate.toFixed(0)} events/s; plain INSERTs ${plainRate.toFixed(0)} rows/s`,
      );
    }

    // 2. Latency: the real licensed aggregate query, one request at a time. "warm": the same
    // query again (served from the result cache); "cold": every request asks for another period,
    // so each one runs its SQL over the rollups.
    const url = `http://127.0.0.1:${port.port}/graphql`;
    const aggregate = async ([from, to]: [string, string]) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${researcherKey}` },
        body: JSON.stringify({
          query: `query($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys cells { value flags } } disclosure { suppressedCells } auditEventId } }`,
          variables: {
            q: {
              dataset: 'hotline-cases',
              licenseId: 'L-1',
              groupBy: [
                { dimension: 'area', level: 'district' },
                { dimension: 'time', level: 'month' },
              ],
              measures: ['cases', 'avgHandlingDays'],
              filters: [
                { dimension: 'area', level: 'city', in: ['320500'] },
                { dimension: 'time', from, to },
              ],
            },
          },
        }),
      });
      const body = (await res.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
    };
    const iso = (d: number) => new Date(Date.UTC(2021, 0, d)).toISOString().slice(0, 10);
    // A period no other request in the run asks for: start day, and end in December.
    const period = (i: number): [string, string] => [iso(1 + (i % 300)), iso(335 + Math.floor(i / 300))];
    const measure = async (label: string, from: (i: number) => [string, string]) => {
      for (let i = 0; i < 10; i++) await aggregate(from(i + 1000)); // warm-up
      served.length = 0;
      // Pairs of requests, one with the audit write and one without, in alternating order.
      for (let pair = 0; pair < REQUESTS; pair++) {
        for (const withAudit of pair % 2 === 0 ? [true, false] : [false, true]) {
          skipAudit = !withAudit;
          await aggregate(from(2 * pair + (withAudit ? 0 : 1)));
        }
      }
      skipAudit = false;
      const total = median(served.filter((s) => s.audited).map((s) => s.total));
      const without = median(served.filter((s) => !s.audited).map((s) => s.total));
      const audit = median(served.filter((s) => s.audited).map((s) => s.audit));
      // Within each pair the machine is in the same state: the median of the pairs' relative
      // differences is steadier than the difference of the two medians on a shared machine.
      const pairs: number[] = [];
      for (let i = 0; i + 1 < served.length; i += 2) {
        const [a, b] = served[i].audited ? [served[i], served[i + 1]] : [served[i + 1], served[i]];
        pairs.push((a.total - b.total) / b.total);
      }
      return { label, total, audit, without, added: (total - without) / without, paired: median(pairs) };
    };
    const results = [
      await measure('warm (cached result)', () => ['2021-01-01', '2021-12-31']),
      await measure('cold (new period each)', period),
    ];
    say('');
    say(
      `throughput (50 concurrent writers): median ${median(rates).toFixed(0)} events/s over ${ROUNDS} rounds (target >= 5000);` +
        ` plain INSERTs side by side ${median(plainRates).toFixed(0)} rows/s (ratio ${(median(rates) / median(plainRates)).toFixed(2)})`,
    );
    say(
      `licensed aggregate request, ${REQUESTS} with the audit write and ${REQUESTS} without, alternating, timed inside the server (medians in ms):`,
    );
    say(
      `  request                   with audit write   without (nothing stored)   audit write (overlapped)   added: medians (target <= 10%)   added: median of pairs`,
    );
    for (const r of results) {
      say(
        `  ${r.label.padEnd(24)}  ${r.total.toFixed(2).padStart(16)}   ${r.without.toFixed(2).padStart(24)}   ${r.audit.toFixed(2).padStart(24)}   ${(r.added * 100).toFixed(1).padStart(30)}%   ${(r.paired * 100).toFixed(1).padStart(21)}%`,
      );
    }
    await app.close();
  } finally {
    await db.close();
    if (dbName && adminUrl) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:audit failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
