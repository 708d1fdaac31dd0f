/**
 * npm run bench:mix-cubes [-- --cases 3000000] [--per-cube 12] [--database-url postgres://...]
 *
 * Which rollup cube answers which part of the realistic mix, and what its SQL costs there: for each
 * cube, the share of the mix's aggregate requests and of its distinct questions that the planner
 * sends to it, and the time of up to `--per-cube` of its distinct SQL statements run one at a time
 * straight through `pg` (median and slowest). Then the questions left to the catch-all fine cube, by
 * what they need a cube to keep (time grain and each dimension's finest level, the row condition
 * included): the combinations a middle cube could take over. Reads a database that bench:query has loaded.
 */
import { Command } from 'commander';
import pg from 'pg';
import { benchDatabaseUrl } from './bench-data.js';
import { wholeNumber } from './options.js';
import { fmt, spread } from './report.js';
import { cubeNeeds } from '../src/aggregate/sql-compiler.js';
import { dimensionSpec, FINEST_CUBE, levelIndex } from '../src/catalog/registry.js';
import { ownCases, queryPlanner, sqlCompiler } from './sql-floor.js';
import { generateWorkload } from './workload.js';
import type { QueryPlan, RowCondition } from '../src/aggregate/query-plan.js';

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
    const plan = await queryPlanner(pool);
    const fine = new Map<string, { requests: number; distinct: Set<string> }>();
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
      if (c.cube === FINEST_CUBE.cases) {
        const department = r.account ? departments.get(r.account) : undefined;
        const key = needsKey(plan(r.aggregate), ownCases(department));
        const f = fine.get(key) ?? { requests: 0, distinct: new Set() };
        f.requests++;
        f.distinct.add(c.sql + JSON.stringify(c.params));
        fine.set(key, f);
      }
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
    lines.push(
      '',
      `questions left to ${FINEST_CUBE.cases}, by what they need a cube to keep (grain; each dimension's finest level)`,
      '',
      '| needs | share of requests | distinct statements |',
      '|---|---:|---:|',
    );
    for (const [key, f] of [...fine].sort((a, b) => b[1].requests - a[1].requests)) {
      lines.push(`| ${key} | ${fmt((100 * f.requests) / requests)}% | ${f.distinct.size} |`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await pool.end();
  }
}

/** "month; area.street, department.department": the grain and each dimension's finest level a plan reads. */
function needsKey(plan: QueryPlan, rowScope: RowCondition[]): string {
  const { grain, levels } = cubeNeeds(plan, rowScope);
  const finest = [...levels].map(([dimension, wanted]) => {
    const spec = dimensionSpec(dimension)!;
    const level = wanted.reduce((a, b) => (levelIndex(spec, b) > levelIndex(spec, a) ? b : a));
    return level === dimension ? dimension : `${dimension}.${level}`;
  });
  return `${grain}; ${finest.sort().join(', ')}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
