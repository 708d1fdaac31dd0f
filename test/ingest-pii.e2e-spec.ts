import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { generateCases } from '../src/ingest/generate/case-generator.js';
import { CASE_CSV_HEADER, caseToCsv, csvField } from '../src/ingest/generate/output-formats.js';
import { createTestDatabase } from './utils/test-database.js';
import { ensureBuilt } from './utils/ensure-built.js';

/**
 * Imports records full of personal data through the real command line, then searches every
 * text of every table (a full dump through SQL), the rejects file and the command's output
 * for each personal string: none may survive.
 */
const root = join(import.meta.dirname, '..');
const run = promisify(execFile);

const PERSONAL = {
  phones: ['13912345678', '+86 137-2468-1357', '0512-65123456', '(212) 555-0186', '136 9876 5432'],
  phoneDigits: ['13912345678', '13724681357', '65123456', '5550186', '13698765432'],
  ids: ['320502199003071234', '11010519491231002X'],
  emails: ['zhang.wei@example.com', 'ouyang_jh@163.com'],
  names: ['欧阳建华', '司马文静', '诸葛明亮'],
  givenNames: ['建华', '文静', '明亮'],
};

function row(values: Partial<Record<string, string>>): string {
  return CASE_CSV_HEADER.map((h) => csvField(values[h] ?? '')).join(',');
}

describe('personal data at import', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let generated: ReturnType<typeof generateCases> extends Iterable<infer T> ? T[] : never;

  beforeAll(async () => {
    ensureBuilt({ web: false });
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'hgw-pii-'));
    generated = [...generateCases({ cases: 400, from: '2021-03-01', to: '2021-03-31', seed: 'pii' })];
    const base = {
      受理时间: '2021-04-02 09:30:00',
      受理渠道: '电话',
      诉求类型: '投诉',
      一级分类: '环境保护',
      所属地市: '苏州市',
    };
    const lines = [
      CASE_CSV_HEADER.join(','),
      ...generated.map(caseToCsv),
      row({
        ...base,
        工单编号: 'PII-1',
        诉求内容: `我是欧阳建华，电话13912345678，身份证320502199003071234，邮箱zhang.wei@example.com，建华家楼下施工噪音大`,
        答复市民要点: '已电话联系欧阳建华先生（13912345678），现场核查。',
        不满原因: '欧阳建华认为答复敷衍',
        满意度: '不满意',
        诉求地址: '苏州市姑苏区人民路100号',
        来电号码: '13912345678',
        来电人: '欧阳建华',
      }),
      row({
        ...base,
        工单编号: 'PII-2',
        诉求内容: '司马文静反映：座机0512-65123456，美国号码(212) 555-0186，另一个邮箱ouyang_jh@163.com',
        来电号码: '+86 137-2468-1357',
        来电人: '司马文静',
      }),
      // Rejected (unknown city): its personal data must not reach the rejects file either.
      row({
        ...base,
        工单编号: 'PII-3',
        所属地市: '不存在市',
        诉求内容: '诸葛明亮，身份证11010519491231002X，手机136 9876 5432',
        来电号码: '136 9876 5432',
        来电人: '诸葛明亮',
      }),
    ];
    writeFileSync(join(dir, 'pii.csv'), lines.join('\n') + '\n');
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores none of it: not in any table, not in the rejects file, not in the output', async () => {
    // Free text kept (FREE_TEXT_RETENTION_DAYS), so that what the scrubber left of it can be checked.
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'trace',
      FREE_TEXT_RETENTION_DAYS: '36500',
    };
    const result = await run(
      process.execPath,
      [
        join(root, 'bin/hotline-gateway.js'),
        'import',
        join(dir, 'pii.csv'),
        '--profile',
        '12345',
        '--rejects',
        join(dir, 'rejects.jsonl'),
        '--json',
      ],
      { cwd: root, env },
    );
    const summary = JSON.parse(result.stdout) as { accepted: number; rejected: number };
    expect(summary).toMatchObject({ accepted: 402, rejected: 1 });

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let dump = '';
    try {
      const tables = await client.query<{ name: string }>(
        `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
      );
      expect(tables.rows.length).toBeGreaterThan(5);
      for (const { name } of tables.rows) {
        const rows = await client.query<{ t: string }>(`SELECT t::text AS t FROM ${name} t`);
        dump += rows.rows.map((r) => r.t).join('\n') + '\n';
      }
    } finally {
      await client.end();
    }
    expect(dump).toContain('施工噪音大');
    expect(dump).toContain('[姓名]');

    const rejects = readFileSync(join(dir, 'rejects.jsonl'), 'utf8');
    expect(rejects).toContain('PII-3');
    const output = result.stdout + result.stderr;
    const everything = { dump, rejects, output };
    const strings = [
      ...PERSONAL.phones,
      ...PERSONAL.phoneDigits,
      ...PERSONAL.ids,
      ...PERSONAL.emails,
      ...PERSONAL.names,
      ...PERSONAL.givenNames,
      ...generated.map((c) => c.callerNumber),
      ...generated.map((c) => c.callerNumber.replace(/\D/g, '').replace(/^86/, '')),
      ...generated.map((c) => c.callerName),
    ];
    for (const [where, text] of Object.entries(everything)) {
      const found = strings.filter((s) => text.includes(s));
      expect({ where, found }).toEqual({ where, found: [] });
    }
    // The address column is not kept at all.
    expect(dump).not.toContain('人民路100号');
  });
});
