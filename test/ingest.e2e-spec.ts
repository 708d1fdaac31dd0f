/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion -- rows of raw SQL are typed where they are read */
import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource } from '../src/bootstrap/data-source.js';
import { migrate } from '../src/bootstrap/open-database.js';
import { generateCases } from '../src/ingest/generate/case-generator.js';
import {
  CASE_CSV_HEADER,
  TRAFFIC_CSV_HEADER,
  caseToCsv,
  caseToJsonl,
  trafficToCsv,
} from '../src/ingest/generate/output-formats.js';
import { generateTraffic } from '../src/ingest/generate/traffic-generator.js';
import { ImportRunner, type ImportOptions } from '../src/ingest/import/import-runner.js';
import { NYC_BOROUGHS, boroughCode } from '../src/ingest/reference/nyc-areas.js';
import { createTestDatabase } from './utils/test-database.js';

/** Real NYC 311 exports, kept verbatim (test/fixtures/311/SOURCES.md). */
const FIXTURES = join(import.meta.dirname, 'fixtures', '311');
const KEY = Buffer.alloc(32, 7);

describe('import', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let dir: string;
  const run = (options: ImportOptions) => new ImportRunner(dataSource, KEY).run(options);
  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await dataSource.query(sql, params)) as { n: string }[])[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createDataSource(db.url, { poolSize: 4 });
    await dataSource.initialize();
    await migrate(dataSource);
    dir = mkdtempSync(join(tmpdir(), 'hgw-ingest-'));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds Jiangsu, its 13 cities and 95 districts, the category tree and the Suzhou housing bureau', async () => {
    expect(await count(`SELECT count(*) n FROM area WHERE level = 'city' AND parent_code = '320000'`)).toBe(13);
    expect(
      await count(`SELECT count(*) n FROM area a JOIN area c ON a.parent_code = c.code WHERE c.parent_code = '320000'`),
    ).toBe(95);
    expect(
      await count(
        `SELECT count(*) n FROM department WHERE code = '320500-housing' AND name_zh = '苏州市住房和城乡建设局'`,
      ),
    ).toBe(1);
    expect(await count(`SELECT count(*) n FROM category WHERE level = 3 AND code LIKE 'ENV.NOISE.%'`)).toBeGreaterThan(
      1,
    );
  });

  describe('12345 CSV', () => {
    let file: string;
    const bad = [
      // line 2002: unknown city; 2003: bad time; 2004: closed before received; 2005: unknown kind
      [
        'BAD1',
        '2021-05-01 10:00:00',
        '电话',
        '投诉',
        '环境保护',
        '',
        '',
        '王大锤电话13800001111',
        '',
        '火星市',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '13800001111',
        '王大锤',
      ],
      [
        'BAD2',
        '2021-13-01 10:00',
        '电话',
        '投诉',
        '环境保护',
        '',
        '',
        '',
        '',
        '苏州市',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        'BAD3',
        '2021-05-01 10:00',
        '电话',
        '投诉',
        '环境保护',
        '',
        '',
        '',
        '',
        '苏州市',
        '',
        '',
        '',
        '',
        '2021-04-01 10:00',
        '',
        '',
        '',
        '',
        '',
        '',
      ],
      [
        'BAD4',
        '2021-05-01 10:00',
        '电话',
        '闲聊',
        '环境保护',
        '',
        '',
        '',
        '',
        '苏州市',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
      ],
    ];
    beforeAll(() => {
      file = join(dir, 'cases.csv');
      const lines = [CASE_CSV_HEADER.join(',')];
      for (const c of generateCases({ cases: 2000, from: '2021-01-01', to: '2021-06-30', seed: 'e2e' }))
        lines.push(caseToCsv(c));
      for (const b of bad) lines.push(b.join(','));
      writeFileSync(file, lines.join('\r\n') + '\r\n');
    });

    it('accepts valid rows, rejects bad ones with line and reason, and marks the days dirty', async () => {
      const rejects = join(dir, 'rejects.jsonl');
      const sut = await run({ file, profile: '12345', rejectsFile: rejects, batchSize: 700 });
      expect(sut).toMatchObject({ records: 2004, accepted: 2000, rejected: 4, duplicates: 0 });
      const lines = readFileSync(rejects, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { line: number; reason: string; row: Record<string, string> });
      expect(lines.map((l) => [l.line, l.reason])).toEqual([
        [2002, '所属地市 "火星市" is not a known city (name like 苏州市 or code like 320500)'],
        [2003, '受理时间 "2021-13-01 10:00" is not a date and time (use YYYY-MM-DD HH:MM:SS)'],
        [2004, '办结时间 is before 受理时间'],
        [2005, '诉求类型 "闲聊" is not one of 咨询, 求助, 投诉, 举报, 建议, 表扬'],
      ]);
      expect(lines[0].row['来电号码']).toBe('');
      expect(lines[0].row['来电人']).toBe('');
      expect(JSON.stringify(lines)).not.toMatch(/13800001111|王大锤/);
      expect(await count(`SELECT count(*) n FROM case_record WHERE source = 'jiangsu-12345'`)).toBe(2000);
      expect(
        await count(
          `SELECT count(DISTINCT (received_at AT TIME ZONE 'Asia/Shanghai')::date) n FROM case_record
           WHERE (received_at AT TIME ZONE 'Asia/Shanghai')::date NOT IN (SELECT day FROM rollup_dirty_day WHERE series = 'cases')`,
        ),
      ).toBe(0);
    });

    it("links repeat calls to the same caller's earlier case on the same issue within 90 days, and fingerprints replies", async () => {
      const linked = await count(`SELECT count(*) n FROM case_record WHERE repeat_of_id IS NOT NULL`);
      expect(linked).toBeGreaterThan(20);
      expect(
        await count(
          `SELECT count(*) n FROM case_record c JOIN case_record p ON p.id = c.repeat_of_id
           WHERE p.caller_pseudonym <> c.caller_pseudonym OR p.category_l2 <> c.category_l2
              OR p.received_at >= c.received_at OR c.received_at - p.received_at > interval '90 days'`,
        ),
      ).toBe(0);
      // Template replies share a fingerprint across many cases.
      const top = (await dataSource.query(
        `SELECT count(*)::int n FROM case_record GROUP BY reply_fingerprint ORDER BY 1 DESC LIMIT 1`,
      )) as { n: number }[];
      expect(top[0].n).toBeGreaterThan(20);
    });

    it('adds nothing when the same file is imported again, and counts the duplicates', async () => {
      const sut = await run({ file, profile: '12345' });
      expect(sut).toMatchObject({ accepted: 0, duplicates: 2000, rejected: 4 });
      expect(await count(`SELECT count(*) n FROM case_record WHERE source = 'jiangsu-12345'`)).toBe(2000);
    });

    it('resumes an interrupted import after its last committed batch', async () => {
      const resumable = join(dir, 'resume.csv');
      const lines = [CASE_CSV_HEADER.join(',')];
      for (const c of generateCases({ cases: 1500, from: '2021-07-01', to: '2021-07-31', seed: 'resume' }))
        lines.push(caseToCsv(c));
      writeFileSync(resumable, lines.join('\n') + '\n');
      let batches = 0;
      await expect(
        run({
          file: resumable,
          profile: '12345',
          source: 'resume-test',
          batchSize: 400,
          onProgress: () => {
            if (++batches === 2) throw new Error('killed');
          },
        }),
      ).rejects.toThrow('killed');
      const [batch] = (await dataSource.query(
        `SELECT status, committed_lines, accepted FROM import_batch WHERE source = 'resume-test'`,
      )) as { status: string; committed_lines: number; accepted: number }[];
      expect(batch).toEqual({ status: 'failed', committed_lines: 800, accepted: 800 });
      expect(await count(`SELECT count(*) n FROM case_record WHERE source = 'resume-test'`)).toBe(800);
      const sut = await run({ file: resumable, profile: '12345', source: 'resume-test', batchSize: 400 });
      expect(sut).toMatchObject({ resumedAfter: 800, records: 1500, accepted: 1500, duplicates: 0, rejected: 0 });
      expect(await count(`SELECT count(*) n FROM case_record WHERE source = 'resume-test'`)).toBe(1500);
      expect(await count(`SELECT count(*) n FROM import_batch WHERE source = 'resume-test'`)).toBe(1);
    });

    it('refuses a file without the required columns before reading any row', async () => {
      const noCity = join(dir, 'nocity.csv');
      writeFileSync(noCity, '工单编号,受理时间,诉求类型,一级分类\nA,2021-01-01 10:00,投诉,环境保护\n');
      await expect(run({ file: noCity, profile: '12345' })).rejects.toThrow(
        /the header lacks required column "所属地市 \/ 地市" for profile 12345/,
      );
      await expect(run({ file: join(dir, 'missing.csv'), profile: '12345' })).rejects.toThrow(/cannot read .*ENOENT/);
    });
  });

  it('imports the normalized JSON Lines format and rejects lines that are not JSON', async () => {
    const file = join(dir, 'cases.jsonl');
    const cases = [...generateCases({ cases: 300, from: '2022-03-10', to: '2022-03-20', seed: 'jsonl' })];
    writeFileSync(
      file,
      [...cases.map(caseToJsonl), '{not json', JSON.stringify({ caseNumber: 'X1' })].join('\n') + '\n',
    );
    const sut = await run({ file, profile: 'jsonl', rejectsFile: join(dir, 'jsonl-rejects.jsonl') });
    expect(sut).toMatchObject({ accepted: 300, rejected: 2 });
    expect(sut.firstRejects.map((r) => r.line)).toEqual([301, 302]);
    expect(sut.firstRejects[0].reason).toBe('the line is not valid JSON');
  });

  it('imports hourly call traffic and marks its days dirty', async () => {
    const file = join(dir, 'traffic.csv');
    const rows = [...generateTraffic({ from: '2022-03-14', to: '2022-03-16', seed: 't' })];
    writeFileSync(
      file,
      [TRAFFIC_CSV_HEADER.join(','), ...rows.map(trafficToCsv), '320500,2022-03-17 10:30,5,1,1'].join('\n'),
    );
    const sut = await run({ file, profile: 'traffic' });
    expect(sut).toMatchObject({ accepted: 3 * 24 * 13, rejected: 1 });
    expect(sut.firstRejects[0].reason).toMatch(/is not the start of an hour/);
    const surge = (await dataSource.query(
      `SELECT sum(calls_answered)::float / sum(calls_offered) r FROM call_traffic
       WHERE city_code = '320500' AND hour_start = '2022-03-15 10:00+08'`,
    )) as { r: number }[];
    expect(surge[0].r).toBeLessThan(0.2);
    expect(await count(`SELECT count(*) n FROM rollup_dirty_day WHERE series = 'traffic'`)).toBe(3);
    expect((await run({ file, profile: 'traffic' })).duplicates).toBe(3 * 24 * 13);
  });

  describe.each([['nyc311-2011-portal-export.csv'], ['nyc311-2024-api-export.csv']])('NYC 311 fixture %s', (name) => {
    it('accepts or rejects every record, with counts per borough and complaint type matching the CSV', async () => {
      const file = join(FIXTURES, name);
      const source = `nyc-${name.slice(7, 11)}`;
      const sut = await run({ file, profile: 'nyc311', source });
      // The expected counts, computed from the CSV itself with an independent parser.
      const rows = parse(readFileSync(file), { columns: true, bom: true }) as Record<string, string>[];
      const col = (r: Record<string, string>, snake: string) =>
        r[Object.keys(r).find((k) => k.toLowerCase().replace(/[^a-z0-9]+/g, '_') === snake) as string];
      expect(sut.records).toBe(rows.length);
      expect(sut.accepted + sut.rejected).toBe(rows.length);
      const storedKeys = new Set(
        (
          (await dataSource.query(`SELECT case_number FROM case_record WHERE source = $1`, [source])) as {
            case_number: string;
          }[]
        ).map((r) => r.case_number),
      );
      const accepted = rows.filter((r) => storedKeys.has(col(r, 'unique_key')));
      expect(accepted.length).toBe(sut.accepted);
      expect(sut.accepted).toBeGreaterThan(rows.length * 0.95);

      const expectedBorough = new Map<string, number>();
      for (const r of accepted) {
        const b = NYC_BOROUGHS.find((x) => x.name === col(r, 'borough').toUpperCase());
        const code = b ? boroughCode(b.abbr) : 'none';
        expectedBorough.set(code, (expectedBorough.get(code) ?? 0) + 1);
      }
      const byBorough = (await dataSource.query(
        `SELECT coalesce(district_code, 'none') k, count(*)::int n FROM case_record WHERE source = $1 GROUP BY 1`,
        [source],
      )) as { k: string; n: number }[];
      expect(new Map(byBorough.map((r) => [r.k, r.n]))).toEqual(expectedBorough);

      const expectedType = new Map<string, number>();
      for (const r of accepted)
        expectedType.set(col(r, 'complaint_type'), (expectedType.get(col(r, 'complaint_type')) ?? 0) + 1);
      const byType = (await dataSource.query(
        `SELECT c.name_en k, count(*)::int n FROM case_record r JOIN category c ON c.code = r.category_l1
         WHERE r.source = $1 GROUP BY 1`,
        [source],
      )) as { k: string; n: number }[];
      expect(new Map(byType.map((r) => [r.k, r.n]))).toEqual(expectedType);
    });
  });
});
