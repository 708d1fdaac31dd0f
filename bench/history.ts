import { Command } from 'commander';
import { chmodSync, copyFileSync, createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { loadConfig } from '../src/config/app-config.js';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate, openDatabase } from '../src/bootstrap/open-database.js';
import { generateCases } from '../src/ingest/generate/case-generator.js';
import { writeLines } from '../src/ingest/generate/generate.command.js';
import { CASE_CSV_HEADER, caseToCsv } from '../src/ingest/generate/output-formats.js';
import type { CaseInput } from '../src/ingest/import/case-input.js';
import { encodeHistoryStage } from '../src/ingest/import/copy-encoding.js';
import { readCsv } from '../src/ingest/import/csv-reader.js';
import { ImportRunner, type ImportSummary } from '../src/ingest/import/import-runner.js';
import { bindMapping } from '../src/ingest/import/mapping/mapped-profile.js';
import { shippedMapping } from '../src/ingest/import/mapping/mapping-files.js';
import { ReferenceIndex } from '../src/ingest/import/reference-index.js';
import { CallerPseudonymizer } from '../src/ingest/pii/caller-pseudonymizer.js';
import { PiiScrubber } from '../src/ingest/pii/pii-scrubber.js';
import { KeywordExtractor } from '../src/ingest/text-analytics/keyword-extractor.js';
import { backendCpuSeconds } from './backend-cpu.js';
import { wholeNumber } from './options.js';

/**
 * `npm run bench:history [-- --cases N] [-- --csv PATH] [-- --storage | --storage-only]`: generates one year of N
 * synthetic cases (default 300,000; text, callers and repeat chains as the demo has them) as a
 * 12345 CSV, then imports the same file into two fresh databases of one server, side by side in
 * one run: the day-to-day import (batches of 5,000 into the indexed, partitioned case_record) and
 * the history load (`import --history`: each empty month loaded into a table of its own, indexes
 * built once, attached). Prints rows per second of each and their ratio (target: history at
 * least 2x), and the CPU seconds each used in Node and in the database (steadier than wall time
 * on a shared machine). `--storage` then builds the rollups in the history database and prints its disk use
 * per case: the records' table and each of their indexes, keywords, each rollup cube, the rest.
 * `--mapping-only` maps the file's rows in one thread without writing them and prints the CPU
 * microseconds a row (parsing, mapping, scrubbing, pseudonyms, keywords, COPY encoding).
 * Uses DATABASE_URL's server (fresh databases, dropped afterwards) or a temporary embedded
 * PostgreSQL.
 */
const KEY = Buffer.alloc(32, 11);

function args() {
  return new Command('bench:history')
    .option('--cases <n>', 'generated cases (one year)', wholeNumber(), 300_000)
    .option('--csv <path>', 'keep the generated CSV there and reuse it on the next run (same --cases)')
    .option('--storage', 'then build the rollups in the history database and print its disk use per case')
    .option('--storage-only', 'skip the comparison: load the history and print the storage report')
    .option(
      '--mapping-only',
      'skip the comparison: map the rows in this thread, no database writes, and print CPU a row',
    )
    .option('--keep', "leave the databases in place for inspection (DATABASE_URL's server only) and print their names")
    .parse()
    .opts<{
      cases: number;
      csv?: string;
      storage?: boolean;
      storageOnly?: boolean;
      mappingOnly?: boolean;
      keep?: boolean;
    }>();
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

async function main(): Promise<void> {
  const opts = args();
  const cases = opts.cases;
  const reuse = opts.csv ?? '';
  const withStorage = opts.storage ?? false;
  const storageOnly = opts.storageOnly ?? false;
  const keep = (opts.keep ?? false) && Boolean(process.env.DATABASE_URL);
  const work = mkdtempSync(join(tmpdir(), 'hgw-bench-history-'));
  chmodSync(work, 0o755);
  const file = join(work, 'cases.csv');

  let admin: string;
  let embedded: Awaited<ReturnType<typeof openDatabase>> | null = null;
  if (process.env.DATABASE_URL) admin = process.env.DATABASE_URL;
  else {
    embedded = await openDatabase(loadConfig({ DATA_DIR: join(work, 'data') }), 'cli', log);
    admin = embedded.url;
  }
  const names: string[] = [];
  const adminQuery = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const freshDatabase = async (label: string) => {
    const name = `hgw_bench_${label}_${Date.now()}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    names.push(name);
    const u = new URL(admin);
    u.pathname = `/${name}`;
    // No statement ceiling: the rollup build and VACUUM of a large load run for minutes.
    const ds = createDataSource(u.toString(), { poolSize: 4, statementTimeoutMs: 0 });
    await ds.initialize();
    await migrate(ds);
    return ds;
  };

  try {
    let genSeconds = NaN;
    if (reuse && existsSync(reuse)) {
      log(`reusing ${reuse}`);
      copyFileSync(reuse, file);
    } else {
      log(`generating ${cases} cases, one year`);
      const t = process.hrtime.bigint();
      await writeLines(
        file,
        (function* () {
          yield CASE_CSV_HEADER.join(',');
          for (const c of generateCases({ cases, from: '2021-01-01', to: '2021-12-31', seed: 'history' }))
            yield caseToCsv(c);
        })(),
      );
      genSeconds = Number(process.hrtime.bigint() - t) / 1e9;
      if (reuse) copyFileSync(file, reuse);
    }
    const mb = statSync(file).size / 1e6;

    const load = async (label: string, history: boolean) => {
      const ds = await freshDatabase(label);
      await adminQuery('CHECKPOINT');
      log(`${label}: importing`);
      // CPU seconds of this process and of the database's backends: steadier than wall time on a shared machine.
      const backends = async () =>
        (
          await ds.query<{ pid: number }[]>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
          )
        ).map((r) => r.pid);
      const before = new Map((await backends()).map((pid) => [pid, backendCpuSeconds([pid])]));
      const cpu = process.cpuUsage();
      const t = process.hrtime.bigint();
      const summary: ImportSummary = await new ImportRunner(ds, KEY).run({
        file,
        profile: '12345',
        source: 'bench',
        history,
        collectGarbagePerBatch: true,
      });
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      const used = process.cpuUsage(cpu);
      let dbCpu: number | null = 0;
      for (const pid of await backends()) {
        const now = backendCpuSeconds([pid]);
        const was = before.get(pid) ?? 0;
        dbCpu = now === null || was === null || dbCpu === null ? null : dbCpu + now - was;
      }
      const nodeCpu = (used.user + used.system) / 1e6;
      log(`${label}: ${summary.accepted} cases in ${seconds.toFixed(1)} s`);
      return { ds, summary, seconds, nodeCpu, dbCpu };
    };
    // Each load starts on a quiet server: the other database's dirty pages are written out first
    // (CHECKPOINT), and the day-to-day database is gone before the history load starts.
    if (opts.mappingOnly) {
      const ds = await freshDatabase('mapping');
      process.stdout.write(await mappingOnly(ds, file));
      await ds.destroy();
      return;
    }
    if (storageOnly) {
      // The storage report alone: one history load, then the rollups and the sizes.
      const only = await load('history', true);
      await storageReport(only.ds, cases);
      await only.ds.destroy();
      return;
    }
    const daily = await load('daily', false);
    await daily.ds.destroy();
    await adminQuery(`DROP DATABASE ${names[0]} WITH (FORCE)`);
    await adminQuery('CHECKPOINT');
    const history = await load('history', true);
    if (daily.summary.accepted !== history.summary.accepted)
      throw new Error(`the two paths stored ${daily.summary.accepted} and ${history.summary.accepted} cases`);

    const rate = (s: number) => Math.round(cases / s);
    process.stdout.write(
      table([
        ['path', 'cases', 'seconds', 'rows/s', 'ratio', 'Node CPU s', 'DB CPU s', 'CPU ratio'],
        [
          'generate (CSV)',
          String(cases),
          Number.isNaN(genSeconds) ? '(reused)' : genSeconds.toFixed(1),
          Number.isNaN(genSeconds) ? '' : String(rate(genSeconds)),
          '',
          '',
          '',
          '',
        ],
        ...[daily, history].map((r, i) => [
          i === 0 ? 'import (day-to-day)' : 'import --history',
          String(r.summary.accepted),
          r.seconds.toFixed(1),
          String(rate(r.seconds)),
          (daily.seconds / r.seconds).toFixed(2),
          r.nodeCpu.toFixed(1),
          r.dbCpu === null ? 'n/a' : r.dbCpu.toFixed(1),
          daily.dbCpu === null || r.dbCpu === null
            ? 'n/a'
            : ((daily.nodeCpu + daily.dbCpu) / (r.nodeCpu + r.dbCpu)).toFixed(2),
        ]),
      ]) +
        `\n\nfile: ${mb.toFixed(0)} MB; history / day-to-day rows per second: ${(daily.seconds / history.seconds).toFixed(2)}x (target >= 2x)\n` +
        `load average at the end: ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${availableParallelism()} cores\n`,
    );

    if (withStorage) await storageReport(history.ds, cases);
    await history.ds.destroy();
  } finally {
    if (keep) log(`kept: ${names.join(', ')}`);
    else
      for (const name of names) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    if (embedded) await embedded.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The per-row work of both paths without the database: the file's rows parsed (readCsv), mapped,
 * validated, scrubbed and pseudonymized (the 12345 mapping), their keywords extracted and the
 * cases encoded for COPY, in this thread; CPU microseconds a row, steadier than an import's.
 */
async function mappingOnly(ds: ReturnType<typeof createDataSource>, file: string): Promise<string> {
  const refs = await ReferenceIndex.load(ds);
  const extractor = KeywordExtractor.instance();
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  let mapper: ReturnType<typeof bindMapping> | null = null;
  let rows: CaseInput[] = [];
  let ords: number[] = [];
  let keywords: string[][] = [];
  let records = 0;
  let bytes = 0;
  const encode = () => {
    bytes += encodeHistoryStage(rows, ords, keywords, 0).length;
    [rows, ords, keywords] = [[], [], []];
  };
  for await (const record of readCsv(input)) {
    if (!mapper) {
      mapper = bindMapping(
        await shippedMapping('12345'),
        record.fields,
        {
          refs,
          scrubber: new PiiScrubber(),
          pseudonymizer: new CallerPseudonymizer(KEY),
          source: 'bench',
          now: Date.now(),
        },
        '12345',
      );
      continue;
    }
    records++;
    const result = mapper.map(record.fields);
    if (!result.ok) continue;
    rows.push(result.value);
    ords.push(record.line);
    keywords.push(extractor.extract(result.value.requestText));
    if (rows.length === 4_000) encode();
  }
  encode();
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const perRow = (used.user + used.system) / records;
  return (
    `mapped ${records} rows in ${seconds.toFixed(1)} s, ${((used.user + used.system) / 1e6).toFixed(1)} CPU s: ` +
    `${perRow.toFixed(1)} µs of CPU a row (${(bytes / 1e6).toFixed(0)} MB of COPY text); load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`
  );
}

async function storageReport(ds: ReturnType<typeof createDataSource>, cases: number): Promise<void> {
  log('building the rollups');
  const t = process.hrtime.bigint();
  await refreshRollups(ds);
  const rollupSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  await ds.query(`VACUUM ANALYZE`);
  process.stdout.write(`\nrollups built in ${rollupSeconds.toFixed(1)} s\n${await storage(ds, cases)}\n`);
}

/**
 * Bytes per case, after VACUUM: partitions count towards their parent table, partition indexes
 * towards their parent index; each rollup cube on a line of its own.
 */
async function storage(ds: ReturnType<typeof createDataSource>, cases: number): Promise<string> {
  const rows = await ds.query<{ part: string; kind: string; bytes: string }[]>(
    `WITH rel AS (
       SELECT c.oid, c.relname, c.relkind, coalesce(p.inhparent, c.oid) AS top
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_inherits p ON p.inhrelid = c.oid
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'i', 'I', 'm')
     )
     SELECT t.relname AS part, CASE WHEN r.relkind IN ('i', 'I') THEN 'index' ELSE 'table' END AS kind,
       sum(CASE WHEN r.relkind IN ('i', 'I') THEN pg_relation_size(r.oid) ELSE pg_table_size(r.oid) END)::bigint AS bytes
     FROM rel r JOIN pg_class t ON t.oid = r.top
     GROUP BY 1, 2`,
  );
  const indexOwner = await ds.query<{ index: string; owner: string }[]>(
    `SELECT i.relname AS index, t.relname AS owner FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'`,
  );
  const owner = new Map(indexOwner.map((r) => [r.index, r.owner]));
  const perCase = (b: number) => (b / cases).toFixed(0);
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const out: string[][] = [['part', 'table MB', 'index MB', 'table bytes/case', 'index bytes/case', 'bytes/case']];

  const sumOf = (pred: (r: { part: string; kind: string }) => boolean) =>
    rows.filter(pred).reduce((s, r) => s + Number(r.bytes), 0);
  /** A line with the table's and the indexes' bytes apart (null: not that kind). */
  const line = (label: string, tableBytes: number | null, indexBytes: number | null) => {
    const cell = (b: number | null, f: (b: number) => string) => (b === null ? '' : f(b));
    out.push([
      label,
      cell(tableBytes, mb),
      cell(indexBytes, mb),
      cell(tableBytes, perCase),
      cell(indexBytes, perCase),
      perCase((tableBytes ?? 0) + (indexBytes ?? 0)),
    ]);
  };
  const ownedBy = (owners: (name: string) => boolean) => {
    const t = sumOf((r) => r.kind === 'table' && owners(r.part));
    const i = sumOf((r) => r.kind === 'index' && owners(owner.get(r.part) ?? ''));
    return [t, i] as const;
  };
  const [recordsTable, recordsIndexes] = ownedBy((name) => name === 'case_record');
  line('case records', recordsTable, recordsIndexes);
  for (const r of rows.filter((x) => x.kind === 'index' && owner.get(x.part) === 'case_record'))
    line(`  index ${r.part}`, null, Number(r.bytes));
  const [keywordsTable, keywordsIndexes] = ownedBy((name) => name === 'case_keyword');
  line('case keywords', keywordsTable, keywordsIndexes);
  const isRollup = (name: string) =>
    name.startsWith('rollup_') && name !== 'rollup_state' && name !== 'rollup_dirty_day';
  const [rollupsTable, rollupsIndexes] = ownedBy(isRollup);
  line('rollups, all cubes', rollupsTable, rollupsIndexes);
  const cubes = [...new Set(rows.filter((r) => r.kind === 'table' && isRollup(r.part)).map((r) => r.part))].sort();
  for (const cube of cubes) line(`  ${cube}`, ...ownedBy((name) => name === cube));
  const [allTables, allIndexes] = ownedBy(() => true);
  line(
    'everything else',
    allTables - recordsTable - keywordsTable - rollupsTable,
    allIndexes - recordsIndexes - keywordsIndexes - rollupsIndexes,
  );
  line('all', allTables, allIndexes);
  return table(out);
}

main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
