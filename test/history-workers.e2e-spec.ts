/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion -- rows of raw SQL are typed where they are read */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { generateCases, type GeneratedCase } from '../src/ingest/generate/case-generator.js';
import { CASE_CSV_HEADER, caseToCsv } from '../src/ingest/generate/output-formats.js';
import { ImportRunner, type ImportOptions, type ImportSummary } from '../src/ingest/import/import-runner.js';
import { csvChunks } from '../src/ingest/import/csv-chunks.js';
import { readCsv } from '../src/ingest/import/csv-reader.js';
import { mapInWorkers } from '../src/ingest/import/parallel-mapping.js';
import { createTestDatabase } from './utils/test-database.js';
import { ensureBuilt } from './utils/ensure-built.js';

const KEY = Buffer.alloc(32, 9);

async function openDb(): Promise<{ ds: DataSource; drop: () => Promise<void> }> {
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, { poolSize: 4 });
  await ds.initialize();
  await migrate(ds);
  return {
    ds,
    drop: async () => {
      await ds.destroy();
      await db.drop();
    },
  };
}

const count = async (ds: DataSource, sql: string) => Number(((await ds.query(sql)) as { n: string }[])[0].n);

/** What a load stored, comparable across databases (no ids): the cases, their links, keywords and forms. */
const stored = async (ds: DataSource) =>
  (await ds.query(
    `SELECT count(*)::int AS cases, count(repeat_of_id)::int AS repeats, count(*) FILTER (WHERE template_reply)::int AS templates,
       md5(string_agg(concat_ws('|', source, case_number, received_at, dispatched_at, closed_at, channel, kind, category_l1,
         category_l2, category_l3, province_code, city_code, district_code, street_code, department_code, outcome,
         satisfaction, dissatisfaction_reason, request_text, reply_text, reply_fingerprint, caller_pseudonym,
         template_reply), ',' ORDER BY case_number)) AS digest,
       count(request_text)::int AS texts,
       (SELECT md5(string_agg(c.case_number || ':' || k.keyword, ',' ORDER BY c.case_number, k.keyword))
          FROM case_keyword k JOIN case_record c ON c.id = k.case_id) AS keywords,
       (SELECT md5(string_agg(c.case_number || '>' || p.case_number, ',' ORDER BY c.case_number))
          FROM case_record c JOIN case_record p ON p.id = c.repeat_of_id) AS chains,
       (SELECT md5(string_agg(concat_ws('|', fingerprint, cases, unrelated_cases, template), ',' ORDER BY fingerprint))
          FROM reply_form) AS forms,
       (SELECT md5(string_agg(day::text, ',' ORDER BY day)) FROM rollup_dirty_day WHERE series = 'cases') AS dirty_days,
       (SELECT md5(string_agg(case_number, ',' ORDER BY id)) FROM case_record) AS id_order
     FROM case_record`,
  )) as unknown[];

/** The summary without what differs from run to run. */
const outcome = (s: ImportSummary) => ({
  records: s.records,
  accepted: s.accepted,
  rejected: s.rejected,
  duplicates: s.duplicates,
  warnings: s.warnings,
  firstRejects: s.firstRejects,
  unknownColumns: s.unknownColumns,
});

describe('history loads mapped in worker threads', () => {
  let dir: string;
  let file: string;
  const run = (ds: DataSource, options: Partial<ImportOptions>) =>
    new ImportRunner(ds, KEY).run({ file, profile: '12345', history: true, ...options });

  beforeAll(() => {
    // The workers run the compiled worker script (dist/src/ingest/import/map-worker.js).
    ensureBuilt({ web: false });
    dir = mkdtempSync(join(tmpdir(), 'hgw-history-workers-'));
    const cases = [...generateCases({ cases: 2400, from: '2021-02-01', to: '2021-06-30', seed: 'workers' })];
    // Rows for every rule: rejects, warnings, a case number twice, free text over two lines with a phone number in it.
    const rows = cases.map((c, i): GeneratedCase => {
      if (i % 211 === 5) return { ...c, categoryL1: 'NO-SUCH-CATEGORY' };
      if (i % 97 === 3) return { ...c, departmentCode: 'no such department' };
      if (i % 401 === 7) return { ...c, caseNumber: cases[i - 1].caseNumber };
      if (i % 53 === 1) return { ...c, requestText: `${c.requestText}\n"第二行"，回电 139-1234-5678` };
      return c;
    });
    file = join(dir, 'cases.csv');
    writeFileSync(file, [CASE_CSV_HEADER.join(','), ...rows.map(caseToCsv)].join('\r\n') + '\r\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts a CSV file into chunks whose records and lines are those of reading it whole', async () => {
    const whole: { line: number; fields: string[] }[] = [];
    for await (const r of readCsv(Readable.from([readFileSync(file)]))) whole.push(r);
    const { chunks } = await csvChunks(file, 50_000);
    expect(chunks.length).toBeGreaterThan(10);
    const parts: { line: number; fields: string[] }[] = [];
    for (const c of chunks) {
      const bytes = readFileSync(file).subarray(c.start, c.end);
      for await (const r of readCsv(Readable.from([bytes]), { firstLine: c.firstLine, bom: false })) parts.push(r);
    }
    expect(parts).toEqual(whole.slice(1));
  });

  it('stores what mapping in one thread and the day-to-day import store, with the same summary and rejects', async () => {
    const [workers, single, daily] = [await openDb(), await openDb(), await openDb()];
    try {
      const rejects = (name: string) => join(dir, `${name}.jsonl`);
      const options = { freeTextRetentionDays: 100_000, mapChunkBytes: 64 << 10 };
      const a = await run(workers.ds, { ...options, mapWorkers: 2, rejectsFile: rejects('workers') });
      const b = await run(single.ds, { ...options, mapWorkers: 0, rejectsFile: rejects('single') });
      const c = await run(daily.ds, { ...options, history: false, rejectsFile: rejects('daily') });
      expect(a).toMatchObject({ records: 2400, rejected: 12, duplicates: 6, accepted: 2382 });
      expect(a.warnings.unknownDepartment).toBeGreaterThan(20);
      expect(outcome(a)).toEqual(outcome(b));
      expect(outcome(a)).toEqual(outcome(c));
      expect(readFileSync(rejects('workers'), 'utf8')).toBe(readFileSync(rejects('single'), 'utf8'));
      expect(readFileSync(rejects('workers'), 'utf8')).toBe(readFileSync(rejects('daily'), 'utf8'));
      const sut = await stored(workers.ds);
      expect(sut).toEqual(await stored(single.ds));
      expect(sut).toEqual(await stored(daily.ds));
      // The free text was kept (scrubbed: the phone number is gone), repeats and templates found.
      expect(sut[0]).toMatchObject({ cases: 2382, texts: 2382 });
      expect((sut[0] as { repeats: number }).repeats).toBeGreaterThan(0);
      expect(
        await count(workers.ds, `SELECT count(*) n FROM case_record WHERE request_text LIKE '%139-1234-5678%'`),
      ).toBe(0);
      expect(await count(workers.ds, `SELECT count(*) n FROM case_record WHERE request_text LIKE '%第二行%'`)).toBe(
        await count(daily.ds, `SELECT count(*) n FROM case_record WHERE request_text LIKE '%第二行%'`),
      );
    } finally {
      await Promise.all([workers.drop(), single.drop(), daily.drop()]);
    }
  });

  it('stores no free text of past cases by default, as the day-to-day import', async () => {
    const [workers, daily] = [await openDb(), await openDb()];
    try {
      await run(workers.ds, { mapWorkers: 2, mapChunkBytes: 128 << 10 });
      await run(daily.ds, { history: false });
      expect(await stored(workers.ds)).toEqual(await stored(daily.ds));
      expect(await count(workers.ds, `SELECT count(request_text) n FROM case_record`)).toBe(0);
    } finally {
      await Promise.all([workers.drop(), daily.drop()]);
    }
  });

  it('fails on a malformed CSV at the line one thread names, and stores nothing', async () => {
    const lines = readFileSync(file, 'utf8').split('\r\n');
    // A quote closed before the field ends, far into the file.
    lines.splice(1800, 0, 'BROKEN-1,"2021-03-01 10:00:00"x,电话');
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, lines.join('\r\n'));
    const db = await openDb();
    try {
      const failure = (mapWorkers: number) =>
        new ImportRunner(db.ds, KEY)
          .run({ file: broken, profile: '12345', history: true, mapWorkers, mapChunkBytes: 64 << 10 })
          .then(
            () => 'stored',
            (e: Error) => e.message,
          );
      const inWorkers = await failure(2);
      expect(inWorkers).toMatch(/^the CSV is malformed at line 18\d\d: /);
      expect(inWorkers).toBe(await failure(0));
      expect(await count(db.ds, `SELECT count(*) n FROM case_record`)).toBe(0);
      expect(await count(db.ds, `SELECT count(*) n FROM case_keyword`)).toBe(0);
      expect(await count(db.ds, `SELECT count(*) n FROM import_batch WHERE status <> 'failed'`)).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('fails with a clear error when a worker cannot go on, and stores nothing', async () => {
    const db = await openDb();
    const moving = join(dir, 'moving.csv');
    writeFileSync(moving, readFileSync(file));
    try {
      let batches = 0;
      const sut = new ImportRunner(db.ds, KEY).run({
        file: moving,
        profile: '12345',
        history: true,
        mapWorkers: 2,
        mapChunkBytes: 64 << 10,
        onProgress: () => {
          // The file is taken away after the first chunks: the workers cannot read the rest.
          if (++batches === 1) {
            rmSync(moving);
            mkdirSync(moving);
          }
        },
      });
      await expect(sut).rejects.toThrow(/^cannot read the file: EISDIR/);
      expect(await count(db.ds, `SELECT count(*) n FROM case_record`)).toBe(0);
      expect(await count(db.ds, `SELECT count(*) n FROM pg_class WHERE relname LIKE 'case_record_y%'`)).toBe(0);
      expect(await count(db.ds, `SELECT count(*) n FROM import_batch WHERE status <> 'failed'`)).toBe(0);

      // A worker that fails to start (here: a mapping it cannot compile) is an error of the load.
      await expect(
        mapInWorkers(
          {
            file,
            header: CASE_CSV_HEADER,
            mappingDocument: { name: 'broken' },
            mappingOrigin: 'the mapping broken',
            source: 'test',
            pseudonymKey: new Uint8Array(KEY),
            references: { areas: [], categories: [], departments: [] },
            now: Date.now(),
            textFrom: 0,
          },
          2,
          64 << 10,
          () => Promise.resolve(),
        ),
      ).rejects.toThrow(/^a mapping worker failed: the mapping broken: /);
    } finally {
      await db.drop();
    }
  });
});
