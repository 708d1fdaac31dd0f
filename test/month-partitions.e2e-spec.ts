/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion -- rows of raw SQL are typed where they are read */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { generateCases, type GeneratedCase } from '../src/ingest/generate/case-generator.js';
import { CASE_CSV_HEADER, caseToCsv } from '../src/ingest/generate/output-formats.js';
import { categoryRows } from '../src/ingest/reference/categories.js';
import { analyzeAfterImport, splitWholeTable } from '../src/ingest/import/fresh-statistics.js';
import { ImportRunner, type ImportOptions } from '../src/ingest/import/import-runner.js';
import { refreshRollups } from '../src/aggregate/rollup-refresher.js';
import { AuditRecorder } from '../src/audit/audit-recorder.js';
import { loadConfig } from '../src/config/app-config.js';
import { dropExpiredMonths, firstKeptMonth } from '../src/ingest/retention/case-retention.js';
import { withIdentityContext } from '../src/principals/identity-context.js';
import { insertTraffic } from './utils/case-fixtures.js';
import { createTestDatabase } from './utils/test-database.js';
import { ensureBuilt } from './utils/ensure-built.js';

const KEY = Buffer.alloc(32, 7);
const root = join(import.meta.dirname, '..');

async function openDb(): Promise<{ ds: DataSource; url: string; drop: () => Promise<void> }> {
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, { poolSize: 4 });
  await ds.initialize();
  await migrate(ds);
  return {
    ds,
    url: db.url,
    drop: async () => {
      await ds.destroy();
      await db.drop();
    },
  };
}

/** The `name` column of a query's rows. */
const names = async (ds: DataSource, sql: string, params: unknown[] = []) =>
  ((await ds.query(sql, params)) as { name: string }[]).map((r) => r.name);

const months = (ds: DataSource, table: string) =>
  names(
    ds,
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass ORDER BY 1`,
    [table],
  );

const count = async (ds: DataSource, sql: string, params: unknown[] = []) =>
  Number(((await ds.query(sql, params)) as { n: string }[])[0].n);

/** What the import stored, in a form two databases can be compared by (no ids). */
const stored = async (ds: DataSource) =>
  (await ds.query(
    `SELECT count(*)::int AS cases, count(repeat_of_id)::int AS repeats, count(*) FILTER (WHERE template_reply)::int AS templates,
       md5(string_agg(concat_ws('|', source, case_number, received_at, closed_at, channel, kind, category_l3, street_code,
         department_code, outcome, satisfaction, reply_fingerprint, caller_pseudonym), ',' ORDER BY case_number)) AS digest,
       (SELECT count(*)::int FROM case_keyword) AS keywords,
       (SELECT count(*)::int FROM rollup_dirty_day WHERE series = 'cases') AS dirty_days,
       (SELECT md5(string_agg(c.case_number || '>' || p.case_number, ',' ORDER BY c.case_number))
          FROM case_record c JOIN case_record p ON p.id = c.repeat_of_id) AS chains
     FROM case_record`,
  )) as unknown[];

describe('monthly partitions of case_record and call_traffic', () => {
  let dir: string;
  const write = (name: string, cases: GeneratedCase[]) => {
    const file = join(dir, name);
    writeFileSync(file, [CASE_CSV_HEADER.join(','), ...cases.map(caseToCsv)].join('\n') + '\n');
    return file;
  };
  const run = (ds: DataSource, options: ImportOptions) => new ImportRunner(ds, KEY).run(options);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hgw-partitions-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('the migration', () => {
    let db: Awaited<ReturnType<typeof openDb>>;
    beforeAll(async () => {
      db = await openDb();
    });
    afterAll(async () => db.drop());

    it('moves the cases and traffic of an existing deployment into month partitions and back without loss', async () => {
      const { ds } = db;
      while (
        ((await ds.query(`SELECT 1 FROM schema_migrations WHERE name = 'MonthlyPartitions1764205200000'`)) as []).length
      )
        await ds.undoLastMigration();
      expect(await months(ds, 'case_record')).toEqual([]);
      await ds.query(
        `INSERT INTO case_record (source, case_number, received_at, closed_at, channel, kind, category_l1, province_code,
           city_code, satisfaction, reply_fingerprint, repeat_of_id, record_key)
         SELECT 'old', 'N' || g, timestamptz '2021-01-31 23:50+08' + (g - 1) * interval '37 minutes', NULL, 'phone', 'help', 'ENV',
           '320000', '320100', 'unrated', CASE WHEN g % 3 = 0 THEN 'fp' || (g % 7) END, CASE WHEN g % 5 = 0 THEN g - 1 END, g
         FROM generate_series(1, 3000) g`,
      );
      await ds.query(
        `INSERT INTO call_traffic SELECT '320100', h, 'old', 10, 8, 1
         FROM generate_series(timestamptz '2021-02-27 00:00+08', timestamptz '2021-03-02 23:00+08', interval '1 hour') h`,
      );
      const digest = async () =>
        (await ds.query(
          `SELECT (SELECT md5(string_agg(c::text, ',' ORDER BY id)) FROM case_record c) AS cases,
             (SELECT md5(string_agg(t::text, ',' ORDER BY hour_start)) FROM call_traffic t) AS traffic,
             (SELECT last_value FROM case_record_id_seq) AS next_id`,
        )) as unknown[];
      const before = await digest();

      await migrate(ds);
      expect(await digest()).toEqual(before);
      // 3,000 cases 37 minutes apart from 31 January 23:50 (local): one in January, then to mid-April.
      expect(await months(ds, 'case_record')).toEqual([
        'case_record_y2021m01',
        'case_record_y2021m02',
        'case_record_y2021m03',
        'case_record_y2021m04',
      ]);
      expect(await count(ds, `SELECT count(*) n FROM ONLY case_record_y2021m01`)).toBe(1);
      expect(await months(ds, 'call_traffic')).toEqual(['call_traffic_y2021m02', 'call_traffic_y2021m03']);
      expect(await count(ds, `SELECT count(*) n FROM call_traffic_y2021m03`)).toBe(48);
      // New cases continue the id sequence.
      await ds.query(`SELECT hgw_ensure_month_partition('case_record', '2021-03-01')`);
      const [{ id }] = (await ds.query(
        `INSERT INTO case_record (source, case_number, received_at, channel, kind, category_l1, province_code, city_code, record_key)
         VALUES ('old', 'N9999', '2021-03-05 10:00+08', 'phone', 'help', 'ENV', '320000', '320100', 1) RETURNING id`,
      )) as { id: string }[];
      expect(Number(id)).toBe(3001);
      await ds.query(`DELETE FROM case_record WHERE case_number = 'N9999'`);

      const after = await digest();
      while (
        ((await ds.query(`SELECT 1 FROM schema_migrations WHERE name = 'MonthlyPartitions1764205200000'`)) as []).length
      )
        await ds.undoLastMigration();
      expect(await months(ds, 'case_record')).toEqual([]);
      expect(await digest()).toEqual(after);
      await migrate(ds);
      expect(await digest()).toEqual(after);
    });
  });

  describe('imports', () => {
    let db: Awaited<ReturnType<typeof openDb>>;
    let cases: GeneratedCase[];
    beforeAll(async () => {
      db = await openDb();
      cases = [...generateCases({ cases: 1200, from: '2021-03-20', to: '2021-05-10', seed: 'partitions' })];
    });
    afterAll(async () => db.drop());

    it('creates the months a day-to-day import needs and stores a case number of a source once, whatever its time', async () => {
      const { ds } = db;
      const first = await run(ds, { file: write('a.csv', cases), profile: '12345', batchSize: 500 });
      expect(first).toMatchObject({ accepted: 1200, duplicates: 0 });
      expect(await months(ds, 'case_record')).toEqual([
        'case_record_y2021m03',
        'case_record_y2021m04',
        'case_record_y2021m05',
      ]);
      // The same records again: nothing stored twice.
      expect(await run(ds, { file: write('b.csv', cases), profile: '12345' })).toMatchObject({
        accepted: 0,
        duplicates: 1200,
      });
      // The same case numbers a year earlier (other partitions, where the unique constraint cannot
      // see them), one of them twice in the file, and two new cases: only the two are stored.
      const moved = (c: GeneratedCase, caseNumber = c.caseNumber): GeneratedCase => {
        const y = (t: string | null) => (t === null ? null : t.replace(/^2021/, '2020'));
        return {
          ...c,
          caseNumber,
          receivedAt: y(c.receivedAt)!,
          dispatchedAt: y(c.dispatchedAt),
          closedAt: y(c.closedAt),
        };
      };
      const again = [
        ...cases.slice(0, 300).map((c) => moved(c)),
        moved(cases[0]),
        moved(cases[1], 'NEW-1'),
        moved(cases[2], 'NEW-2'),
        { ...cases[3], caseNumber: 'NEW-2' },
      ];
      expect(await run(ds, { file: write('c.csv', again), profile: '12345', batchSize: 100 })).toMatchObject({
        accepted: 2,
        duplicates: 302,
      });
      expect(await count(ds, `SELECT count(*) n FROM case_record`)).toBe(1202);
      expect(
        await count(
          ds,
          `SELECT count(*) n FROM (SELECT 1 FROM case_record GROUP BY source, case_number HAVING count(*) > 1) d`,
        ),
      ).toBe(0);
      // The first of the file's two NEW-2 lines is the one kept (the 2020 one).
      expect(
        await count(
          ds,
          `SELECT count(*) n FROM case_record WHERE case_number = 'NEW-2' AND received_at < '2021-01-01'`,
        ),
      ).toBe(1);
    });

    it('loads the same file as a history load into empty months with the same result as the day-to-day import', async () => {
      const other = await openDb();
      try {
        const file = write('h.csv', cases);
        const sut = await run(other.ds, { file, profile: '12345', history: true, batchSize: 500 });
        expect(sut).toMatchObject({ accepted: 1200, duplicates: 0, rejected: 0, records: 1200 });
        const reference = await openDb();
        try {
          await run(reference.ds, { file, profile: '12345', batchSize: 500 });
          expect(await stored(other.ds)).toEqual(await stored(reference.ds));
          expect(await months(other.ds, 'case_record')).toEqual(await months(reference.ds, 'case_record'));
        } finally {
          await reference.drop();
        }
        // Every index of the parent has its partition in each attached month.
        const parentIndexes = (await other.ds.query(
          `SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'case_record'::regclass`,
        )) as { name: string }[];
        expect(parentIndexes.length).toBe(7);
        for (const { name } of parentIndexes)
          expect(
            await count(other.ds, `SELECT count(*) n FROM pg_inherits WHERE inhparent = $1::regclass`, [name]),
          ).toBe(3);
        // Again: nothing twice.
        expect(await run(other.ds, { file, profile: '12345', history: true })).toMatchObject({
          accepted: 0,
          duplicates: 1200,
        });
        expect(await count(other.ds, `SELECT count(*) n FROM case_record`)).toBe(1200);
      } finally {
        await other.drop();
      }
    });

    it('links repeats to stored cases and between cases of the same time as the day-to-day import does', async () => {
      // One caller on one issue: two cases of the same time in March, stored first; then, in a
      // history load of April and May, three of the same time, one a day later, one more than 90
      // days after it, and one on another issue.
      const base = [...generateCases({ cases: 400, from: '2021-03-01', to: '2021-05-31', seed: 'ties' })];
      const issue = base[0];
      const elsewhere = categoryRows().find((r) => r.level === 3 && !r.code.startsWith(`${issue.categoryL1}.`))!;
      const call = (c: GeneratedCase, caseNumber: string, at: string, other = false): GeneratedCase => ({
        ...c,
        caseNumber,
        callerNumber: '13912345678',
        categoryL1: other ? elsewhere.code.split('.')[0] : issue.categoryL1,
        categoryL2: other ? elsewhere.parentCode! : issue.categoryL2,
        categoryL3: other ? elsewhere.code : issue.categoryL3,
        receivedAt: at,
        dispatchedAt: null,
        closedAt: null,
      });
      const march = [
        ...base.filter((c) => c.receivedAt < '2021-04'),
        call(base[1], 'T-P1', '2021-03-10T10:00:00+08:00'),
        call(base[2], 'T-P2', '2021-03-10T10:00:00+08:00'),
      ];
      const later = [
        call(base[3], 'T-N1', '2021-04-02T09:00:00+08:00'),
        ...base.filter((c) => c.receivedAt >= '2021-04'),
        call(base[4], 'T-N2', '2021-04-02T09:00:00+08:00'),
        call(base[5], 'T-N4', '2021-04-03T12:00:00+08:00'),
        call(base[6], 'T-N3', '2021-04-02T09:00:00+08:00'),
        call(base[7], 'T-N5', '2021-07-03T12:00:00+08:00'),
        call(base[8], 'T-X1', '2021-04-02T09:00:00+08:00', true),
      ];
      const [marchFile, laterFile] = [write('ties-march.csv', march), write('ties-later.csv', later)];
      const links = async (ds: DataSource) =>
        Object.fromEntries(
          (
            (await ds.query(
              `SELECT c.case_number AS n, p.case_number AS p FROM case_record c LEFT JOIN case_record p ON p.id = c.repeat_of_id
               WHERE c.case_number LIKE 'T-%' ORDER BY 1`,
            )) as { n: string; p: string | null }[]
          ).map((r) => [r.n, r.p]),
        );
      const sut = await openDb();
      const reference = await openDb();
      try {
        for (const ds of [sut.ds, reference.ds]) await run(ds, { file: marchFile, profile: '12345', batchSize: 100 });
        expect(await run(sut.ds, { file: laterFile, profile: '12345', history: true, batchSize: 100 })).toMatchObject({
          accepted: later.length,
        });
        await run(reference.ds, { file: laterFile, profile: '12345', batchSize: 100 });
        expect(await stored(sut.ds)).toEqual(await stored(reference.ds));
        expect(await links(sut.ds)).toEqual(await links(reference.ds));
        // The latest earlier case by (time, id): T-P2 was stored after T-P1; T-N3 was read after T-N2.
        expect(await links(sut.ds)).toEqual({
          'T-N1': 'T-P2',
          'T-N2': 'T-P2',
          'T-N3': 'T-P2',
          'T-N4': 'T-N3',
          'T-N5': null,
          'T-P1': null,
          'T-P2': null,
          'T-X1': null,
        });
      } finally {
        await sut.drop();
        await reference.drop();
      }
    });

    it('takes the day-to-day path for months that already have cases, and leaves nothing when killed', async () => {
      const { ds } = db;
      const later = [...generateCases({ cases: 900, from: '2021-05-25', to: '2021-07-05', seed: 'later' })];
      const file = write('later.csv', later);
      let batches = 0;
      await expect(
        run(ds, {
          file,
          profile: '12345',
          history: true,
          batchSize: 200,
          onProgress: () => {
            if (++batches === 3) throw new Error('killed');
          },
        }),
      ).rejects.toThrow('killed');
      expect(await count(ds, `SELECT count(*) n FROM case_record`)).toBe(1202);
      expect(await months(ds, 'case_record')).toHaveLength(5);
      expect(
        await count(
          ds,
          `SELECT count(*) n FROM pg_class WHERE relname IN ('case_record_y2021m06', 'case_record_y2021m07')`,
        ),
      ).toBe(0);

      const sut = await run(ds, { file, profile: '12345', history: true, batchSize: 200 });
      expect(sut).toMatchObject({ accepted: 900, duplicates: 0, resumedAfter: 0 });
      expect(await months(ds, 'case_record')).toEqual([
        'case_record_y2020m03',
        'case_record_y2020m04',
        'case_record_y2021m03',
        'case_record_y2021m04',
        'case_record_y2021m05',
        'case_record_y2021m06',
        'case_record_y2021m07',
      ]);
      expect(await count(ds, `SELECT count(*) n FROM case_record WHERE received_at >= '2021-05-25'`)).toBe(900);
      const [batch] = (await ds.query(
        `SELECT status, committed_lines, accepted FROM import_batch WHERE status = 'completed' ORDER BY id DESC LIMIT 1`,
      )) as { status: string; committed_lines: number; accepted: number }[];
      expect(batch).toEqual({ status: 'completed', committed_lines: 900, accepted: 900 });
    });

    it('refuses a history load of call traffic', async () => {
      await expect(run(db.ds, { file: write('t.csv', []), profile: 'traffic', history: true })).rejects.toThrow(
        '--history loads case files',
      );
    });
  });

  describe('the months of a history load, built beside it', () => {
    const loadTables = (ds: DataSource) =>
      names(ds, `SELECT relname AS name FROM pg_class WHERE relname LIKE 'hgw\\_load\\_%' ORDER BY 1`);
    const indexNames = (ds: DataSource, partition: string) =>
      names(
        ds,
        `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = $1::regclass ORDER BY 1`,
        [partition],
      );
    const cases = [...generateCases({ cases: 1500, from: '2021-01-01', to: '2021-06-30', seed: 'beside' })];

    it('stores what the load stores alone (a pool of one) and the day-to-day import, an empty partition giving way', async () => {
      const file = write('beside.csv', cases);
      const beside = await openDb();
      // Migrated as usual (migrating takes two connections), then imported with a pool of one.
      const single = await openDb();
      const alone = createDataSource(single.url, { poolSize: 1 });
      await alone.initialize();
      const reference = await openDb();
      try {
        // An empty February made on demand (as a day-to-day import of nothing but rejects would).
        for (const ds of [beside.ds, alone])
          await ds.query(`SELECT hgw_ensure_month_partition('case_record', '2021-02-01'::date)`);
        for (const ds of [beside.ds, alone])
          expect(await run(ds, { file, profile: '12345', history: true, batchSize: 400 })).toMatchObject({
            accepted: 1500,
          });
        await run(reference.ds, { file, profile: '12345', batchSize: 400 });
        const expected = await stored(reference.ds);
        expect(await stored(beside.ds)).toEqual(expected);
        expect(await stored(alone)).toEqual(expected);
        const sixMonths = await months(reference.ds, 'case_record');
        expect(sixMonths).toHaveLength(6);
        for (const ds of [beside.ds, alone]) {
          expect(await months(ds, 'case_record')).toEqual(sixMonths);
          expect(await loadTables(ds)).toEqual([]);
        }
        // Beside the load (January), replacing the empty partition (February), in the load (June):
        // each month's indexes are named after it, as a month built in the load alone.
        for (const month of ['case_record_y2021m01', 'case_record_y2021m02', 'case_record_y2021m06']) {
          const names = await indexNames(beside.ds, month);
          expect(names).toHaveLength(7);
          expect(names.every((n) => n.startsWith(`${month}_`))).toBe(true);
          expect(names).toEqual(await indexNames(alone, month));
        }
      } finally {
        await beside.drop();
        await alone.destroy();
        await single.drop();
        await reference.drop();
      }
    });

    it('leaves nothing when the load fails after its months are built, and the next load drops what a killed one left', async () => {
      const db = await openDb();
      const holder = db.ds.createQueryRunner();
      try {
        const { ds } = db;
        const file = write('beside-fail.csv', cases);
        // What a load killed between the commit of its months and its own left, and the month of a
        // load that still runs (it holds its lock).
        await ds.query(`CREATE TABLE hgw_load_999_y2020m01 (LIKE case_record INCLUDING DEFAULTS)`);
        await ds.query(`CREATE TABLE hgw_load_998_y2020m02 (LIKE case_record INCLUDING DEFAULTS)`);
        await holder.connect();
        await holder.query(`SELECT pg_advisory_lock(hashtext('hgw-history-load:' || 998::text))`);
        const failing = new ImportRunner(ds, KEY, [
          async () => {
            throw new Error('a batch hook failed');
          },
        ]);
        await expect(failing.run({ file, profile: '12345', history: true, batchSize: 400 })).rejects.toThrow(
          'a batch hook failed',
        );
        expect(await count(ds, `SELECT count(*) n FROM case_record`)).toBe(0);
        expect(await count(ds, `SELECT count(*) n FROM case_keyword`)).toBe(0);
        expect(await months(ds, 'case_record')).toEqual([]);
        expect(await loadTables(ds)).toEqual(['hgw_load_998_y2020m02']);

        await holder.query(`SELECT pg_advisory_unlock(hashtext('hgw-history-load:' || 998::text))`);
        expect(await run(ds, { file, profile: '12345', history: true, batchSize: 400 })).toMatchObject({
          accepted: 1500,
        });
        expect(await loadTables(ds)).toEqual([]);
        expect(await months(ds, 'case_record')).toHaveLength(6);
      } finally {
        await holder.release();
        await db.drop();
      }
    });
  });

  describe('statistics after an import', () => {
    it('analyzes the months written into and the whole table only when a tenth of it is new', async () => {
      const db = await openDb();
      const { ds } = db;
      try {
        for (const month of ['2021-01-01', '2021-02-01', '2021-03-01'])
          await ds.query(`SELECT hgw_ensure_month_partition('case_record', $1::date)`, [month]);
        await ds.query(
          `INSERT INTO case_record (source, case_number, received_at, channel, kind, category_l1, province_code, city_code, record_key)
           SELECT 's', 'N' || g, timestamptz '2021-01-01 00:00+08' + g * interval '1 hour', 'phone', 'help', 'ENV', '320000', '320100', g
           FROM generate_series(1, 2000) g`,
        );
        await ds.query(`ANALYZE case_record`);
        const analyzed = async () =>
          Object.fromEntries(
            (
              (await ds.query(
                `SELECT relname AS name, analyze_count::int AS n FROM pg_stat_user_tables
                 WHERE relname LIKE 'case_record_y%' OR relname = 'case_keyword' ORDER BY 1`,
              )) as { name: string; n: number }[]
            ).map((r) => [r.name, r.n]),
          );
        const parentStatistics = async () =>
          count(ds, `SELECT count(*) n FROM pg_statistic WHERE starelid = 'case_record'::regclass AND stainherit`);
        const version = Number(
          ((await ds.query(`SELECT current_setting('server_version_num') AS v`)) as { v: string }[])[0].v,
        );
        const before = await analyzed();
        const runner = ds.createQueryRunner();
        try {
          // 100 new rows in February of a table of 2,000: February alone.
          expect(await analyzeAfterImport(ds, runner, 'case_record', ['2021-02'], ['case_keyword'], 100)).toEqual({
            tables: ['case_record_y2021m02', 'case_keyword'],
            parent: null,
          });
          const after = await analyzed();
          expect(after.case_record_y2021m02).toBe(before.case_record_y2021m02 + 1);
          expect(after.case_keyword).toBe(before.case_keyword + 1);
          expect(after.case_record_y2021m01).toBe(before.case_record_y2021m01);
          expect(after.case_record_y2021m03).toBe(before.case_record_y2021m03);

          // 500 of 2,000: the whole table too.
          await ds.query(`DELETE FROM pg_statistic WHERE starelid = 'case_record'::regclass AND stainherit`);
          expect(await parentStatistics()).toBe(0);
          const plan = await analyzeAfterImport(ds, runner, 'case_record', ['2021-02'], ['case_keyword'], 500);
          expect(plan.parent).toBe(version >= 180000 ? 'only' : 'all');
          expect(await parentStatistics()).toBeGreaterThan(0);
          const last = await analyzed();
          expect(last.case_record_y2021m02).toBe(after.case_record_y2021m02 + 1);
          // Before PostgreSQL 18 the parent's ANALYZE takes every month with it, once each (the
          // later months on the second connection); from 18 it takes none.
          expect(last.case_record_y2021m01).toBe(after.case_record_y2021m01 + (version >= 180000 ? 0 : 1));
          expect(last.case_record_y2021m03).toBe(after.case_record_y2021m03 + (version >= 180000 ? 0 : 1));

          // A month another session holds (as autovacuum would) is analyzed once it lets go, not passed over.
          const holder = ds.createQueryRunner();
          try {
            await holder.startTransaction();
            await holder.query(`LOCK TABLE case_record_y2021m01 IN SHARE UPDATE EXCLUSIVE MODE`);
            let finished = false;
            const analyzing = analyzeAfterImport(ds, runner, 'case_record', ['2021-02'], ['case_keyword'], 500).then(
              (p) => ((finished = true), p),
            );
            await new Promise((resolve) => setTimeout(resolve, 700));
            expect(finished).toBe(version >= 180000);
            await holder.commitTransaction();
            await analyzing;
            const held = await analyzed();
            for (const m of ['case_record_y2021m01', 'case_record_y2021m03'] as const)
              expect(held[m]).toBe(last[m] + (version >= 180000 ? 0 : 1));
            expect(held.case_record_y2021m02).toBe(last.case_record_y2021m02 + 1);
            expect(held.case_keyword).toBe(last.case_keyword + 1);
          } finally {
            if (holder.isTransactionActive) await holder.rollbackTransaction();
            await holder.release();
          }

          // A month listed but gone when the second connection locks its share: the whole table on one connection.
          const helper = ds.createQueryRunner();
          try {
            const was = await analyzed();
            const listed = ['01', '02', '03'].map((m) => `case_record_y2021m${m}`).concat('case_record_y2099m01');
            await splitWholeTable(runner, helper, 'case_record', listed, ['case_keyword']);
            const now = await analyzed();
            for (const m of ['case_record_y2021m01', 'case_record_y2021m02', 'case_record_y2021m03', 'case_keyword'])
              expect(now[m]).toBe(was[m] + 1);
            expect(helper.isTransactionActive).toBe(false);
          } finally {
            await helper.release();
          }
        } finally {
          await runner.release();
        }

        // A pool of one connection: everything on the import's own, nothing waits for a second.
        const single = createDataSource(db.url, { poolSize: 1 });
        await single.initialize();
        const only = single.createQueryRunner();
        try {
          await only.connect();
          const was = await analyzed();
          await analyzeAfterImport(single, only, 'case_record', ['2021-03'], ['case_keyword'], 1);
          const now = await analyzed();
          expect(now.case_record_y2021m03).toBe(was.case_record_y2021m03 + 1);
          expect(now.case_keyword).toBe(was.case_keyword + 1);
        } finally {
          await only.release();
          await single.destroy();
        }
      } finally {
        await db.drop();
      }
    });
  });

  describe('retention (CASE_RETENTION_MONTHS)', () => {
    let db: Awaited<ReturnType<typeof openDb>>;
    beforeAll(async () => {
      db = await openDb();
      const cases = [...generateCases({ cases: 1500, from: '2021-01-01', to: '2021-04-30', seed: 'retention' })];
      await run(db.ds, { file: write('r.csv', cases), profile: '12345' });
      await insertTraffic(db.ds, 5, ['320100', '320500'], '2021-01-20', 70);
      await refreshRollups(db.ds);
    });
    afterAll(async () => db.drop());

    it('keeps the month of now and the months before it', () => {
      expect(firstKeptMonth(new Date('2021-04-15T12:00:00+08:00'), 2)).toBe('2021-03');
      expect(firstKeptMonth(new Date('2021-01-01T00:30:00+08:00'), 1)).toBe('2021-01');
      expect(firstKeptMonth(new Date('2021-01-01T00:30:00+08:00'), 13)).toBe('2020-01');
      expect(firstKeptMonth(new Date('2020-12-31T16:30:00Z'), 1)).toBe('2021-01');
    });

    it('drops whole expired months of cases and traffic, audited, and the rollups follow', async () => {
      const { ds } = db;
      const now = new Date('2021-04-15T12:00:00+08:00');
      const old = `received_at < '2021-03-01 00:00+08'`;
      const expiredCases = await count(ds, `SELECT count(*) n FROM case_record WHERE ${old}`);
      const keptCases = await count(ds, `SELECT count(*) n FROM case_record WHERE NOT (${old})`);
      const expiredTraffic = await count(
        ds,
        `SELECT count(*) n FROM call_traffic WHERE hour_start < '2021-03-01 00:00+08'`,
      );
      expect(expiredCases).toBeGreaterThan(500);
      expect(await count(ds, `SELECT count(*) n FROM case_keyword`)).toBeGreaterThan(0);
      expect(await count(ds, `SELECT count(*) n FROM rollup_cases_month WHERE t < '2021-03-01'`)).toBeGreaterThan(0);
      const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: join(dir, 'retention'), LOG_LEVEL: 'silent' });

      // Fail closed: no audit event, nothing dropped.
      const failing = { record: () => Promise.reject(new Error('audit down')) } as unknown as AuditRecorder;
      await expect(dropExpiredMonths(ds, failing, 2, now)).rejects.toThrow('audit down');
      expect(await count(ds, `SELECT count(*) n FROM case_record WHERE ${old}`)).toBe(expiredCases);

      const sut = await withIdentityContext(config, ds, (app) => dropExpiredMonths(ds, app.get(AuditRecorder), 2, now));
      expect(sut).toMatchObject({
        keptFrom: '2021-03',
        caseMonths: ['2021-01', '2021-02'],
        trafficMonths: ['2021-01', '2021-02'],
        cases: expiredCases,
        trafficRows: expiredTraffic,
      });
      expect(await months(ds, 'case_record')).toEqual(['case_record_y2021m03', 'case_record_y2021m04']);
      expect(await months(ds, 'call_traffic')).toEqual(['call_traffic_y2021m03']);
      expect(await count(ds, `SELECT count(*) n FROM case_record`)).toBe(keptCases);
      expect(
        await count(
          ds,
          `SELECT count(*) n FROM case_keyword k WHERE NOT EXISTS (SELECT 1 FROM case_record c WHERE c.id = k.case_id)`,
        ),
      ).toBe(0);
      expect(
        await count(
          ds,
          `SELECT count(*) n FROM case_record c WHERE c.repeat_of_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM case_record p WHERE p.id = c.repeat_of_id)`,
        ),
      ).toBe(0);
      const [event] = (await ds.query(
        `SELECT operation, decision, role, target, query FROM audit_event WHERE id = $1`,
        [sut.auditId],
      )) as { operation: string; decision: string; role: string; target: string; query: Record<string, unknown> }[];
      expect(event).toMatchObject({
        operation: 'dropExpiredMonths',
        decision: 'allowed',
        target: 'records:before:2021-03',
        query: { retentionMonths: 2, caseMonths: ['2021-01', '2021-02'], cases: expiredCases },
      });

      await refreshRollups(ds);
      expect(await count(ds, `SELECT count(*) n FROM rollup_cases_month WHERE t < '2021-03-01'`)).toBe(0);
      expect(await count(ds, `SELECT count(*) n FROM rollup_cases_fine WHERE t < '2021-03-01'`)).toBe(0);
      expect(await count(ds, `SELECT count(*) n FROM rollup_traffic_month WHERE t < '2021-03-01'`)).toBe(0);
      expect(await count(ds, `SELECT sum(cases) n FROM rollup_cases_month`)).toBe(keptCases);

      // Nothing more is due: nothing dropped, nothing audited.
      const again = await withIdentityContext(config, ds, (app) =>
        dropExpiredMonths(ds, app.get(AuditRecorder), 2, now),
      );
      expect(again).toMatchObject({ caseMonths: [], trafficMonths: [], auditId: null });
    });

    it('hotline-gateway retention drops what has expired by today and refreshes the rollups', async () => {
      ensureBuilt({ web: false });
      const cli = (env: Record<string, string>) =>
        promisify(execFile)(process.execPath, [join(root, 'bin/hotline-gateway.js'), 'retention', '--json'], {
          cwd: root,
          env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: join(dir, 'retention'), LOG_LEVEL: 'warn', ...env },
        });
      await expect(cli({ CASE_RETENTION_MONTHS: '' })).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('CASE_RETENTION_MONTHS is not set') as unknown,
      });
      // Only this month is kept: every month of 2021 left has expired.
      const { stdout } = await cli({ CASE_RETENTION_MONTHS: '1' });
      expect(JSON.parse(stdout)).toMatchObject({ caseMonths: ['2021-03', '2021-04'], trafficMonths: ['2021-03'] });
      expect(await count(db.ds, `SELECT count(*) n FROM case_record`)).toBe(0);
      expect(await count(db.ds, `SELECT count(*) n FROM rollup_cases_month`)).toBe(0);
      expect(await count(db.ds, `SELECT count(*) n FROM rollup_dirty_day`)).toBe(0);
      expect(await count(db.ds, `SELECT count(*) n FROM audit_event WHERE operation = 'dropExpiredMonths'`)).toBe(2);
    });
  });
});
