/**
 * `npm run bench:audit`: audit write throughput with 50 concurrent writers, and the audit
 * write's share of a licensed aggregate request's latency.
 *
 * Database: a fresh database on DATABASE_URL's server when set (dropped afterwards), else an
 * embedded PostgreSQL in a temporary DATA_DIR. The aggregate engine is not on this branch, so
 * the request measured is a bench-only GraphQL query running the SQL a licensed aggregate
 * runs (cases and average handling days by district and month for one city, over synthetic
 * case records, threshold suppression), through the real HTTP stack, guard and audit.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Args, Field, Float, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { Actor } from '../src/access-policy/actor.js';
import { Allow } from '../src/access-policy/allow.decorator.js';
import { CurrentActor } from '../src/access-policy/current-actor.decorator.js';
import { AppModule } from '../src/app.module.js';
import { AuditRecorder } from '../src/audit/audit-recorder.js';
import { loadConfig } from '../src/config/app-config.js';
import { openDatabase, migrate } from '../src/database/open-database.js';

const WRITERS = 50;
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = 3;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const CASES = Number(process.env.BENCH_CASES ?? 200_000);

const say = (line: string) => process.stdout.write(line + '\n');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

/** Per-request timings measured inside the resolver. */
const timings: { total: number; audit: number }[] = [];

@ObjectType()
class BenchAggregate {
  @Field(() => Int) rows!: number;
  @Field(() => Int) suppressed!: number;
  @Field(() => Float) checksum!: number;
}

@Resolver()
class BenchAggregateResolver {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
  ) {}

  @Query(() => BenchAggregate)
  @Allow('query:Aggregate')
  async benchAggregate(
    @CurrentActor() actor: Actor,
    @Args('city') city: string,
    @Args('audited') audited: boolean,
  ): Promise<BenchAggregate> {
    const started = process.hrtime.bigint();
    const rows = await this.dataSource.query<{ district: string; month: string; cases: string; avg_days: number }[]>(
      `SELECT district_code AS district, to_char(date_trunc('month', received_at), 'YYYY-MM') AS month,
              count(*) AS cases, avg(extract(epoch FROM closed_at - received_at) / 86400) AS avg_days
         FROM case_record
        WHERE city_code = $1 AND received_at >= '2021-01-01' AND received_at < '2022-01-01'
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [city],
    );
    let suppressed = 0;
    let checksum = 0;
    for (const r of rows) {
      if (Number(r.cases) < 10) suppressed++;
      else checksum += Number(r.cases) + Number(r.avg_days);
    }
    let auditMs = 0;
    if (audited) {
      const a = process.hrtime.bigint();
      await this.audit.record(actor, {
        operation: 'aggregate',
        decision: 'allowed',
        datasetSlug: 'hotline-cases',
        licenseId: 'bench-licence',
        query: {
          groupBy: [
            { dimension: 'area', level: 'district' },
            { dimension: 'time', level: 'month' },
          ],
          measures: ['cases', 'avgHandlingDays'],
          filters: [{ dimension: 'area', level: 'city', in: [city] }],
        },
        resultSize: rows.length,
        cellsSuppressed: suppressed,
      });
      auditMs = ms(a);
    }
    timings.push({ total: ms(started), audit: auditMs });
    return { rows: rows.length, suppressed, checksum };
  }
}

async function seedCases(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT INTO case_record (source, case_number, received_at, closed_at, channel, kind, category_l1, province_code,
       city_code, district_code, record_key)
     SELECT 'bench', 'B' || g, ts, ts + random() * 10 * interval '1 day',
            (ARRAY['phone','web','app','wechat','other'])[1 + g % 5],
            (ARRAY['consultation','help','complaint','report','suggestion','praise'])[1 + g % 6],
            'c' || (g % 20), '320000', city, city::int + 1 + (g % 9) || '', (g * 7919) % 65536
       FROM (SELECT g, timestamptz '2021-01-01' + (g % 525600) * interval '1 minute' AS ts,
                    (ARRAY['320100','320200','320300','320400','320500','320600','320700','320800','320900','321000','321100','321200','321300'])[1 + g % 13] AS city
               FROM generate_series(1, $1) g) s`,
    [CASES],
  );
  await dataSource.query(`CREATE INDEX bench_case_city ON case_record (city_code, received_at)`);
  await dataSource.query('ANALYZE case_record');
}

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
    say(`seeding ${CASES} synthetic case records...`);
    await seedCases(db.dataSource);

    @Module({
      imports: [AppModule.register({ config, dataSource: db.dataSource })],
      providers: [BenchAggregateResolver],
    })
    class BenchModule {}
    const app = await NestFactory.create(BenchModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer() as import('node:http').Server).address() as { port: number };
    const recorder = app.get(AuditRecorder);

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

    // 2. Latency: the same licensed aggregate request with and without the audit write, interleaved.
    const url = `http://127.0.0.1:${port.port}/graphql`;
    const request = async (audited: boolean, city: string) => {
      const started = process.hrtime.bigint();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'query($c: String!, $a: Boolean!) { benchAggregate(city: $c, audited: $a) { rows suppressed checksum } }',
          variables: { c: city, a: audited },
        }),
      });
      const body = (await res.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return ms(started);
    };
    const cities = ['320100', '320500', '320200', '321300'];
    for (let i = 0; i < 20; i++) await request(i % 2 === 0, cities[i % 4]); // warm-up
    timings.length = 0;
    const http = { on: [] as number[], off: [] as number[] };
    const inside = { on: [] as { total: number; audit: number }[], off: [] as { total: number; audit: number }[] };
    for (let i = 0; i < REQUESTS; i++) {
      for (const audited of i % 2 ? [true, false] : [false, true]) {
        const took = await request(audited, cities[i % 4]);
        (audited ? http.on : http.off).push(took);
        (audited ? inside.on : inside.off).push(timings[timings.length - 1]);
      }
    }
    const auditMed = median(inside.on.map((t) => t.audit));
    const resolverOn = median(inside.on.map((t) => t.total));
    const resolverOff = median(inside.off.map((t) => t.total));
    const httpOn = median(http.on);
    const httpOff = median(http.off);
    say('');
    say(
      `throughput (50 concurrent writers): median ${median(rates).toFixed(0)} events/s over ${ROUNDS} rounds (target >= 5000);` +
        ` plain INSERTs side by side ${median(plainRates).toFixed(0)} rows/s (ratio ${(median(rates) / median(plainRates)).toFixed(2)})`,
    );
    say(`licensed aggregate request (${REQUESTS} each, interleaved; medians in ms):`);
    say(`                      with audit   without audit`);
    say(`  whole HTTP request  ${httpOn.toFixed(2).padStart(10)}   ${httpOff.toFixed(2).padStart(13)}`);
    say(`  inside the resolver ${resolverOn.toFixed(2).padStart(10)}   ${resolverOff.toFixed(2).padStart(13)}`);
    say(`  of which record()   ${auditMed.toFixed(2).padStart(10)}   ${'-'.padStart(13)}`);
    say(
      `audit share of the request: record() median / request median = ${((auditMed / httpOn) * 100).toFixed(1)}%;` +
        ` added latency (with - without) / without = ${(((httpOn - httpOff) / httpOff) * 100).toFixed(1)}% (target <= 10%)`,
    );
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
