import { Command } from 'commander';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/app-config.js';
import { openDatabase } from '../src/bootstrap/open-database.js';
import { writeLines } from '../src/ingest/generate/generate.command.js';
import { generateCases } from '../src/ingest/generate/case-generator.js';
import { CASE_CSV_HEADER, caseToCsv } from '../src/ingest/generate/output-formats.js';
import { backendCpuSeconds } from './backend-cpu.js';
import { wholeNumber } from './options.js';

/**
 * `npm run bench:ingest [-- --cases N] [-- --csv PATH]`: generates N synthetic cases (default
 * 1,000,000) as a 12345 CSV, loads the file with plain server-side `COPY … FROM 'file' (FORMAT
 * csv)` into a bare table of 21 text columns (no index, no constraint: the fastest the server
 * can take these rows), then imports the same file with the 12345 profile in its own process
 * (CSV parsing, validation, PII scrubbing, caller HMAC, reply fingerprints, COPY into staging,
 * INSERT into the indexed case_record with ON CONFLICT, repeat links, dirty days, a
 * checkpoint per batch). Prints rows per second for both, the ratio, the import's peak RSS,
 * and the CPU seconds each side used in Node and in the database backend. Uses DATABASE_URL's
 * server (a fresh database, dropped afterwards) or a temporary embedded PostgreSQL.
 */
const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

function args() {
  return new Command('bench:ingest')
    .option('--cases <n>', 'generated cases', wholeNumber(), 1_000_000)
    .option('--csv <path>', 'keep the generated CSV there and reuse it on the next run (same --cases)')
    .parse()
    .opts<{ cases: number; csv?: string }>();
}

async function main(): Promise<void> {
  const opts = args();
  const cases = opts.cases;
  const reuse = opts.csv ?? '';
  const work = mkdtempSync(join(tmpdir(), 'hgw-bench-'));
  chmodSync(work, 0o755); // the server reads the file for COPY
  const file = join(work, 'cases.csv');
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

  let url: string;
  let drop: () => Promise<void> = async () => undefined;
  let embedded: Awaited<ReturnType<typeof openDatabase>> | null = null;
  if (process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const name = `hgw_bench_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    chmodSync(work, 0o755);
    embedded = await openDatabase(loadConfig({ DATA_DIR: join(work, 'data') }), 'cli', log);
    url = embedded.url;
  }
  try {
    let t = process.hrtime.bigint();
    let genSeconds = NaN;
    if (reuse && existsSync(reuse)) {
      log(`reusing ${reuse}`);
      copyFileSync(reuse, file);
    } else {
      log(`generating ${cases} cases`);
      await writeLines(
        file,
        (function* () {
          yield CASE_CSV_HEADER.join(',');
          for (const c of generateCases({ cases, from: '2021-01-01', to: '2022-12-31', seed: 'bench' }))
            yield caseToCsv(c);
        })(),
      );
      genSeconds = Number(process.hrtime.bigint() - t) / 1e9;
      if (reuse) copyFileSync(file, reuse);
    }
    chmodSync(file, 0o644);
    const mb = statSync(file).size / 1e6;

    // Migrate first so the import measures only the import.
    const db = embedded ?? (await openDatabase(loadConfig({ DATABASE_URL: url, DATA_DIR: join(work, 'data') }), 'cli'));
    const { migrate } = await import('../src/bootstrap/open-database.js');
    await migrate(db.dataSource);

    log('plain COPY into a bare table');
    const cols = CASE_CSV_HEADER.map((_, i) => `c${i} text`).join(', ');
    const copySeconds: number[] = [];
    const copyCpu: (number | null)[] = [];
    const runner = db.dataSource.createQueryRunner();
    try {
      // One COPY of a million rows may take longer than the app's 30 s statement ceiling.
      await runner.query('SET statement_timeout = 0');
      const [{ pid }] = (await runner.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
      for (let i = 0; i < 2; i++) {
        await runner.query(`DROP TABLE IF EXISTS bench_bare`);
        await runner.query(`CREATE TABLE bench_bare (${cols})`);
        const cpuBefore = backendCpuSeconds([pid]);
        t = process.hrtime.bigint();
        await runner.query(`COPY bench_bare FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)`);
        copySeconds.push(Number(process.hrtime.bigint() - t) / 1e9);
        const cpuAfter = backendCpuSeconds([pid]);
        copyCpu.push(cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore);
      }
      await runner.query(`DROP TABLE bench_bare`);
    } finally {
      await runner.release();
    }

    log('hotline-gateway import');
    const child = await run(process.execPath, [join(here, 'import-child.js'), file, url, join(work, 'data')], {
      maxBuffer: 1 << 24,
    });
    const imp = JSON.parse(child.stdout) as {
      accepted: number;
      rejected: number;
      seconds: number;
      peakRssMb: number;
      nodeCpuSeconds: number;
      databaseCpuSeconds: number | null;
    };
    if (!embedded) await db.close();

    const copy = Math.min(...copySeconds);
    const best = copySeconds.indexOf(copy);
    const cpu = (s: number | null | undefined) => (s === null || s === undefined ? 'n/a' : s.toFixed(1));
    const rows = [
      ['step', 'rows', 'seconds', 'rows/s', 'Node CPU s', 'DB CPU s'],
      [
        'generate (CSV)',
        String(cases),
        genSeconds.toFixed(1),
        Number.isNaN(genSeconds) ? '(reused)' : Math.round(cases / genSeconds).toString(),
        '',
        '',
      ],
      [
        'plain COPY (best of 2)',
        String(cases),
        copy.toFixed(1),
        Math.round(cases / copy).toString(),
        '0',
        cpu(copyCpu[best]),
      ],
      [
        'import --profile 12345',
        String(imp.accepted),
        imp.seconds.toFixed(1),
        Math.round(cases / imp.seconds).toString(),
        cpu(imp.nodeCpuSeconds),
        cpu(imp.databaseCpuSeconds),
      ],
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const out = rows.map((r) => r.map((c, i) => c.padStart(widths[i])).join('  ')).join('\n');
    process.stdout.write(
      `${out}\n\nfile: ${mb.toFixed(0)} MB; COPY runs: ${copySeconds.map((s) => s.toFixed(1)).join(', ')} s\n` +
        `import / COPY speed: ${(copy / imp.seconds).toFixed(2)}x (target >= 0.5x)\n` +
        `import peak RSS: ${imp.peakRssMb.toFixed(0)} MB (target < 300 MB); rejected ${imp.rejected}\n` +
        `load average at the end: ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${availableParallelism()} cores (wall-clock figures depend on it; CPU seconds much less)\n`,
    );
  } finally {
    if (embedded) await embedded.close();
    await drop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exit(1);
});
