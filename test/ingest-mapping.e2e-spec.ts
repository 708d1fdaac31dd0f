import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createTestDatabase } from './utils/test-database.js';
import { ensureBuilt } from './utils/ensure-built.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

/** A layout no built-in profile knows: English snake_case headers, day-first dates, local codes. */
const HEADER = [
  'ticket_id',
  'opened_on',
  'via',
  'request_type',
  'topic',
  'subtopic',
  'city_name',
  'district_name',
  'handled_by',
  'closed_on',
  'result',
  'rating',
  'caller_phone',
  'caller_name',
  'home_address',
  'summary',
];
const PHONE = '13912345678';
const NAME = '张伟';
const ADDRESS = '锡山区东亭街道幸福路88号';
const ROWS = [
  // 1. a complaint, closed and rated; the summary repeats the caller's name and number
  [
    'WX-0001',
    '15.03.2023 09:12',
    'H',
    'C',
    'env',
    'noise',
    '无锡',
    '锡山',
    '',
    '20.03.2023 10:00',
    'done',
    '5',
    PHONE,
    NAME,
    ADDRESS,
    `${NAME}反映夜间施工噪音扰民，请回电${PHONE}`,
  ],
  // 2. a consultation from the web, still open
  [
    'WX-0002',
    '16.03.2023 14:30',
    'W',
    'Q',
    'env',
    '',
    '无锡市',
    '',
    '',
    '',
    '',
    '',
    '13800001111',
    '李娜',
    '',
    '咨询办事流程',
  ],
  // 3. rejected: a date in another format
  ['WX-0003', '2023-03-17 08:00', 'H', 'C', 'env', '', '无锡', '', '', '', '', '', PHONE, NAME, ADDRESS, '无'],
  // 4. rejected: an unknown request type (no code, not a kind)
  ['WX-0004', '17.03.2023 09:00', 'H', 'X', 'env', '', '无锡', '', '', '', '', '', PHONE, NAME, ADDRESS, '无'],
];
const csv = (rows: string[][]) =>
  [HEADER, ...rows]
    .map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(','))
    .join('\n') + '\n';

/** The mapping written for that layout, as a department would. */
const MAPPING = {
  name: 'wuxi-2023',
  description: 'Wuxi district export, 2023 layout',
  source: 'wuxi-12345',
  timeZone: 'Asia/Shanghai',
  fields: {
    caseNumber: 'ticket_id',
    receivedAt: { column: 'opened_on', dateFormat: 'DD.MM.YYYY HH:mm' },
    closedAt: { column: 'closed_on', dateFormat: 'DD.MM.YYYY HH:mm' },
    channel: { column: 'via', codes: { H: 'phone', W: 'web', A: 'app' }, default: 'other' },
    kind: { column: 'request_type', codes: { C: 'complaint', Q: 'consultation', S: 'suggestion' } },
    category1: { column: 'topic', codes: { env: 'ENV', housing: 'HOUSING' } },
    category2: { column: 'subtopic', codes: { noise: 'ENV.NOISE' } },
    city: 'city_name',
    district: 'district_name',
    department: 'handled_by',
    outcome: { column: 'result', codes: { done: 'solved', partial: 'partly' } },
    satisfaction: {
      column: 'rating',
      codes: { '5': 'satisfied', '4': 'basically', '1': 'dissatisfied' },
      default: 'unrated',
    },
    requestText: 'summary',
    callerNumber: 'caller_phone',
    callerName: 'caller_name',
  },
  personal: ['caller_phone', 'caller_name', 'home_address'],
};

describe('import --map (declared column mappings)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  const cli = (args: string[]) =>
    run(process.execPath, [join(root, 'bin/hotline-gateway.js'), ...args], {
      cwd: root,
      // Free text kept, so that what the scrubber left of it can be checked for personal data.
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        DATA_DIR: join(dir, 'data'),
        LOG_LEVEL: 'warn',
        FREE_TEXT_RETENTION_DAYS: '36500',
      },
    });
  const failure = async (args: string[]): Promise<{ code: number; stderr: string }> => {
    try {
      await cli(args);
    } catch (e) {
      const err = e as { code: number; stderr: string };
      return { code: err.code, stderr: err.stderr };
    }
    throw new Error(`hotline-gateway ${args.join(' ')} succeeded`);
  };
  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const write = (name: string, content: string | object) => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };

  beforeAll(async () => {
    ensureBuilt({ web: false });
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'hgw-map-'));
    await cli(['migrate']);
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses --profile and --map together, and neither, naming both options', async () => {
    const file = write('both.csv', csv(ROWS));
    const both = await failure(['import', file, '--profile', '12345', '--map', write('m.json', MAPPING)]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give either --profile 12345\|nyc311\|jsonl\|traffic or --map MAPPING\.json, not both/);
    const neither = await failure(['import', file]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/--profile .* or --map/);
  });

  it('rejects a mapping that names a column the file lacks, before reading any row', async () => {
    const typo = { ...MAPPING, fields: { ...MAPPING.fields, district: 'district' } };
    const res = await failure(['import', write('rows.csv', csv(ROWS)), '--map', write('typo.json', typo)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /import: the header lacks required column "district" \(fields\.district\.column\) named by mapping wuxi-2023; found: ticket_id, opened_on, .*Fix the column name in the mapping, or mark the field "optional": true/,
    );
    expect(await query(`SELECT 1 FROM case_record`)).toHaveLength(0);
  });

  it('explains every problem of a bad mapping in one line, before reading the file', async () => {
    const bad = {
      ...MAPPING,
      fields: {
        ...MAPPING.fields,
        kindd: 'x',
        kind: { column: 'request_type', codes: { C: 'complain' } },
        requestText: 'home_address',
        receivedAt: { column: 'opened_on', dateFormat: 'DD.MM.YYYY QQ' },
        city: undefined,
      },
    };
    const res = await failure(['import', write('rows.csv', csv(ROWS)), '--map', write('bad.json', bad)]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^hotline-gateway: import: the mapping .*bad\.json: 5 problems: /);
    for (const message of [
      /fields\.kindd: unknown field; fields are caseNumber, receivedAt/,
      /fields\.kind\.codes\["C"\]: "complain" is not a kind; use consultation, help, complaint/,
      /fields\.requestText\.column: "home_address" is listed in personal; personal columns may feed only callerNumber/,
      /fields\.receivedAt\.dateFormat: "DD\.MM\.YYYY QQ": "Q" at position 12 is not a token/,
      /fields\.city: is required/,
    ]) {
      expect(res.stderr).toMatch(message);
    }
  });

  it('imports the layout by the mapping; personal columns are never stored', async () => {
    const rejects = join(dir, 'rejects.jsonl');
    const { stdout } = await cli([
      'import',
      write('wuxi.csv', csv(ROWS)),
      '--map',
      write('wuxi.json', MAPPING),
      '--rejects',
      rejects,
      '--json',
    ]);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      profile: 'map:wuxi-2023',
      source: 'wuxi-12345',
      records: 4,
      accepted: 2,
      rejected: 2,
      unknownColumns: [],
    });
    expect(summary.firstRejects).toEqual([
      { line: 4, reason: 'opened_on "2023-03-17 08:00" does not match the date format DD.MM.YYYY HH:mm' },
      { line: 5, reason: 'request_type "X" is not one of 咨询, 求助, 投诉, 举报, 建议, 表扬' },
    ]);

    const cases = await query<Record<string, string | null>>(
      `SELECT case_number, to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS received,
              channel, kind, category_l1, category_l2, city_code, district_code, outcome, satisfaction, caller_pseudonym
         FROM case_record WHERE source = 'wuxi-12345' ORDER BY case_number`,
    );
    expect(cases).toEqual([
      expect.objectContaining({
        case_number: 'WX-0001',
        received: '2023-03-15 09:12',
        channel: 'phone',
        kind: 'complaint',
        category_l1: 'ENV',
        category_l2: 'ENV.NOISE',
        city_code: '320200',
        district_code: '320205',
        outcome: 'solved',
        satisfaction: 'satisfied',
      }),
      expect.objectContaining({
        case_number: 'WX-0002',
        channel: 'web',
        kind: 'consultation',
        city_code: '320200',
        satisfaction: 'unrated',
      }),
    ]);
    expect(cases[0].caller_pseudonym).toMatch(/^[0-9a-f]{32}$/);

    // Not in any column of any stored case (the summary's name and number are scrubbed too).
    const everything = JSON.stringify(await query(`SELECT * FROM case_record`));
    for (const personal of [PHONE, NAME, ADDRESS, '13800001111', '李娜']) expect(everything).not.toContain(personal);
    const [text] = await query<{ request_text: string }>(
      `SELECT request_text FROM case_record WHERE case_number = 'WX-0001'`,
    );
    expect(text.request_text).toMatch(/夜间施工噪音扰民/);

    // The rejects file blanks the personal columns and scrubs the free text.
    const rejected = readFileSync(rejects, 'utf8');
    for (const personal of [PHONE, NAME, ADDRESS]) expect(rejected).not.toContain(personal);
    const first = JSON.parse(rejected.split('\n')[0]) as { row: Record<string, string> };
    expect(first.row).toMatchObject({ caller_phone: '', caller_name: '', home_address: '', ticket_id: 'WX-0003' });
  });
});
