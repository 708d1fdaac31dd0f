/**
 * npm run bench:mix-cubes [-- --cases 3000000] [--per-cube 12] [--database-url postgres://...]
 *
 * Which rollup cube answers which part of the realistic mix, and what its SQL costs there: for each
 * cube, the share of the mix's aggregate requests and of its distinct questions that the planner
 * sends to it, and the time of up to `--per-cube` of its distinct SQL statements run one at a time
 * straight through `pg` (median and slowest). Reads a database that bench:query has loaded.
 */
import { Command } from 'commander';
import pg from 'pg';
import { benchDatabaseUrl } from './bench-data.js';
import { wholeNumber } from './options.js';
import { fmt, spread } from './report.js';
import { sqlCompiler } from './sql-floor.js';
import { generateWorkload } from './workload.js';

async function main(): Promise<void> {
  const opts = new Command('bench:mix-cubes')
    .option('--cases <n>', 'the loaded benchmark database of this size', wholeNumber(1000), 3_000_000)
    .option('--per-cube <n>', 'distinct statements timed per cube', wholeNumber(1), 12)
    .option('--database-url <url>', 'the database (default: BENCH_DATABASE_URL with a database per size)')
    .option('--seed <seed>', 'seed of the realistic workload', 'hotline-bench')
    .parse()
    .opts<{ cases: number; perCube: number; databaseUrl?: string; seed: string }>();
  const pool = new pg.Pool({ connectionString: benchDatabaseUrl(opts.cases, opts.databaseUrl), max: 1 });
  try {
    const compile = await sqlCompiler(pool);
    const workload = generateWorkload({ seed: opts.seed });
    const departments = new Map(workload.accounts.map((a) => [a.id, a.departmentCode]));
    const byCube = new Map<string, { requests: number; distinct: Map<string, { sql: string; params: unknown[] }> }>();
    let requests = 0;
    for (const r of workload.requests) {
      if (!r.aggregate) continue;
      const c = compile(r.aggregate, r.account ? departments.get(r.account) : undefined);
      const entry = byCube.get(c.cube) ?? { requests: 0, distinct: new Map() };
      entry.requests++;
      entry.distinct.set(c.sql + JSON.stringify(c.params), c);
      byCube.set(c.cube, entry);
      requests++;
    }
    const distinctAll = [...byCube.values()].reduce((s, e) => s + e.distinct.size, 0);
    const lines = [
      `realistic mix (seed ${opts.seed}): ${requests} aggregate requests, ${distinctAll} distinct statements; ${opts.cases.toLocaleString('en')} cases`,
      '',
      '| cube | share of requests | distinct statements | timed | median ms | slowest ms |',
      '|---|---:|---:|---:|---:|---:|',
    ];
    const client = await pool.connect();
    try {
      await client.query('SET statement_timeout = 0');
      for (const [cube, e] of [...byCube].sort((a, b) => b[1].requests - a[1].requests)) {
        const ms: number[] = [];
        for (const c of [...e.distinct.values()].slice(0, opts.perCube)) {
          const t0 = process.hrtime.bigint();
          await client.query(c.sql, c.params);
          ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        const s = spread(ms);
        lines.push(
          `| ${cube} | ${fmt((100 * e.requests) / requests)}% | ${e.distinct.size} | ${ms.length} | ${fmt(s.median)} | ${fmt(s.max)} |`,
        );
      }
    } finally {
      client.release();
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
