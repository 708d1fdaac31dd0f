import { DataSource } from 'typeorm';
import { rng } from './seeded-random.js';
import { refreshRollupsOnRecordsChanged } from '../../src/aggregate/rollups-on-records-changed.js';
import { notifyRecordsChanged } from '../../src/records/records-changed.js';

// Fixtures insert records and expect the rollups to follow, as in the server.
refreshRollupsOnRecordsChanged();

export const PROVINCE = '320000';
export const CITIES: [string, string, string][] = [
  ['320100', '南京市', 'Nanjing'],
  ['320500', '苏州市', 'Suzhou'],
  ['320200', '无锡市', 'Wuxi'],
];
export const DISTRICTS: [string, string, string, string][] = [
  ['320102', '320100', '玄武区', 'Xuanwu'],
  ['320104', '320100', '秦淮区', 'Qinhuai'],
  ['320505', '320500', '虎丘区', 'Huqiu'],
  ['320506', '320500', '吴中区', 'Wuzhong'],
  ['320508', '320500', '姑苏区', 'Gusu'],
  ['320205', '320200', '锡山区', 'Xishan'],
];
export const STREETS = DISTRICTS.flatMap(([d]) => [`${d}001`, `${d}002`]);
export const CATEGORIES: [string, number, string | null, string, string][] = [
  ['ENV', 1, null, '环境保护', 'Environment'],
  ['ENV.NOISE', 2, 'ENV', '噪声污染', 'Noise'],
  ['ENV.NOISE.NIGHT', 3, 'ENV.NOISE', '夜间施工噪声', 'Night construction noise'],
  ['ENV.AIR', 2, 'ENV', '大气污染', 'Air'],
  ['HOUSING', 1, null, '住房保障', 'Housing'],
  ['HOUSING.PROPERTY', 2, 'HOUSING', '物业管理', 'Property management'],
  ['HOUSING.PROPERTY.FEE', 3, 'HOUSING.PROPERTY', '物业收费', 'Property fees'],
  ['TRAFFIC', 1, null, '交通出行', 'Traffic'],
  ['TRAFFIC.PARKING', 2, 'TRAFFIC', '停车管理', 'Parking'],
];
const L3_OF: Record<string, string[]> = {
  'ENV.NOISE': ['ENV.NOISE.NIGHT'],
  'HOUSING.PROPERTY': ['HOUSING.PROPERTY.FEE'],
};
const DEPT_OF: Record<string, string> = { ENV: 'env', HOUSING: 'housing', TRAFFIC: 'traffic' };
export const CHANNELS = ['phone', 'web', 'app', 'wechat', 'other'];
export const KINDS = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'];
const OUTCOMES = ['solved', 'partly', 'unsolved', 'returned'];
const SATISFACTIONS = ['satisfied', 'basically', 'dissatisfied', 'unrated'];

/** Reference tables: one province, three cities, six districts, twelve streets, categories, departments. */
export async function insertReferenceData(ds: DataSource): Promise<void> {
  await ds.query(
    `INSERT INTO area (code, level, parent_code, name_zh, name_en) VALUES ($1, 'province', NULL, '江苏省', 'Jiangsu')
     ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, parent_code = EXCLUDED.parent_code, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en`,
    [PROVINCE],
  );
  for (const [code, zh, en] of CITIES) {
    await ds.query(
      `INSERT INTO area VALUES ($1, 'city', $2, $3, $4) ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, parent_code = EXCLUDED.parent_code, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en`,
      [code, PROVINCE, zh, en],
    );
  }
  for (const [code, city, zh, en] of DISTRICTS) {
    await ds.query(
      `INSERT INTO area VALUES ($1, 'district', $2, $3, $4) ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, parent_code = EXCLUDED.parent_code, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en`,
      [code, city, zh, en],
    );
    for (const n of ['001', '002']) {
      await ds.query(
        `INSERT INTO area VALUES ($1, 'street', $2, $3, $4) ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, parent_code = EXCLUDED.parent_code, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en`,
        [`${code}${n}`, code, `${zh}${n}街道`, `${en} street ${n}`],
      );
    }
  }
  for (const [code, level, parent, zh, en] of CATEGORIES) {
    await ds.query(
      `INSERT INTO category VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, parent_code = EXCLUDED.parent_code, name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en`,
      [code, level, parent, zh, en],
    );
  }
  for (const [city, zh, en] of CITIES) {
    for (const [suffix, dzh, den] of [
      ['env', '生态环境局', 'Ecology and Environment Bureau'],
      ['housing', '住房和城乡建设局', 'Housing Bureau'],
      ['traffic', '交通运输局', 'Transport Bureau'],
    ]) {
      await ds.query(
        `INSERT INTO department VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en, area_code = EXCLUDED.area_code`,
        [`${city}-${suffix}`, `${zh}${dzh}`, `${en} ${den}`, city],
      );
    }
  }
}

export interface FixtureOptions {
  count: number;
  seed: number;
  /** Local (Asia/Shanghai) days the cases fall in, inclusive; default all of 2021. */
  from?: string;
  to?: string;
  source?: string;
}

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

/**
 * Inserts `count` generated cases, marks their days dirty in the same transaction (the importer's
 * contract) and notifies the rollup refresher. Returns the inserted ids' range.
 */
export async function insertCases(ds: DataSource, options: FixtureOptions): Promise<void> {
  const r = rng(options.seed);
  const from = Date.parse(`${options.from ?? '2021-01-01'}T00:00:00+08:00`);
  const to = Date.parse(`${options.to ?? '2021-12-31'}T00:00:00+08:00`) + 86_400_000;
  const cols: Record<string, unknown[]> = {
    case_number: [],
    received_at: [],
    closed_at: [],
    channel: [],
    kind: [],
    category_l1: [],
    category_l2: [],
    category_l3: [],
    province_code: [],
    city_code: [],
    district_code: [],
    street_code: [],
    department_code: [],
    outcome: [],
    satisfaction: [],
    repeat_of_id: [],
    record_key: [],
  };
  const prefix = `${options.seed}-${Date.now()}-`;
  for (let i = 0; i < options.count; i++) {
    const received = from + Math.floor((r() * (to - from)) / 1000) * 1000;
    const l2cat = pick(
      r,
      CATEGORIES.filter((c) => c[1] === 2),
    );
    const l1 = l2cat[2]!;
    const l2 = r() < 0.9 ? l2cat[0] : null;
    const l3 = l2 && L3_OF[l2] && r() < 0.7 ? L3_OF[l2][0] : null;
    const district = r() < 0.9 ? pick(r, DISTRICTS) : null;
    const city = district ? district[1] : pick(r, CITIES)[0];
    const street = district && r() < 0.8 ? `${district[0]}00${1 + Math.floor(r() * 2)}` : null;
    const kind = pick(r, KINDS);
    const closed = r() < 0.85;
    // Log-normal-ish handling time from minutes to months.
    const days = Math.exp(r() * 7 - 4) * (kind === 'consultation' ? 0.5 : 2);
    cols.case_number.push(`${prefix}${i}`);
    cols.received_at.push(new Date(received).toISOString());
    cols.closed_at.push(closed ? new Date(received + Math.round(days * 86_400) * 1000).toISOString() : null);
    cols.channel.push(pick(r, CHANNELS));
    cols.kind.push(kind);
    cols.category_l1.push(l1);
    cols.category_l2.push(l2);
    cols.category_l3.push(l3);
    cols.province_code.push(PROVINCE);
    cols.city_code.push(city);
    cols.district_code.push(district ? district[0] : null);
    cols.street_code.push(street);
    cols.department_code.push(r() < 0.95 ? `${city}-${DEPT_OF[l1]}` : null);
    cols.outcome.push(closed ? pick(r, OUTCOMES) : null);
    cols.satisfaction.push(pick(r, SATISFACTIONS));
    cols.repeat_of_id.push(r() < 0.1 ? 1 + Math.floor(r() * 1000) : null);
    cols.record_key.push(Math.floor(r() * 2 ** 31));
  }
  await ds.transaction(async (m) => {
    await m.query(
      `SELECT hgw_ensure_month_partition('case_record', d) FROM (SELECT DISTINCT date_trunc('month', t AT TIME ZONE 'Asia/Shanghai')::date AS d
       FROM unnest($1::timestamptz[]) t) x`,
      [cols.received_at],
    );
    await m.query(
      `INSERT INTO case_record (source, case_number, received_at, closed_at, channel, kind, category_l1, category_l2, category_l3,
         province_code, city_code, district_code, street_code, department_code, outcome, satisfaction, repeat_of_id, record_key)
       SELECT $1, * FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::bigint[], $18::int[])`,
      [options.source ?? 'test', ...Object.values(cols)],
    );
    await m.query(
      `INSERT INTO rollup_dirty_day (series, day)
       SELECT DISTINCT 'cases', (t AT TIME ZONE 'Asia/Shanghai')::date FROM unnest($1::timestamptz[]) t ON CONFLICT DO NOTHING`,
      [cols.received_at],
    );
  });
  await notifyRecordsChanged(ds);
}

/** Hourly call traffic for the given cities and local days. */
export async function insertTraffic(
  ds: DataSource,
  seed: number,
  cities: string[],
  from: string,
  days: number,
): Promise<void> {
  const r = rng(seed);
  const start = Date.parse(`${from}T00:00:00+08:00`);
  await ds.transaction(async (m) => {
    for (const city of cities) {
      const hours: string[] = [];
      const offered: number[] = [];
      const answered: number[] = [];
      const abandoned: number[] = [];
      for (let h = 0; h < days * 24; h++) {
        const o = 20 + Math.floor(r() * 200);
        const a = Math.floor(o * (0.6 + r() * 0.38));
        hours.push(new Date(start + h * 3_600_000).toISOString());
        offered.push(o);
        answered.push(a);
        abandoned.push(Math.floor((o - a) * r()));
      }
      await m.query(
        `SELECT hgw_ensure_month_partition('call_traffic', d) FROM (SELECT DISTINCT date_trunc('month', t AT TIME ZONE 'Asia/Shanghai')::date AS d
         FROM unnest($1::timestamptz[]) t) x`,
        [hours],
      );
      await m.query(
        `INSERT INTO call_traffic (city_code, hour_start, source, calls_offered, calls_answered, calls_abandoned)
         SELECT $1, * FROM unnest($2::timestamptz[], $3::text[], $4::int[], $5::int[], $6::int[])`,
        [city, hours, hours.map(() => 'test'), offered, answered, abandoned],
      );
      await m.query(
        `INSERT INTO rollup_dirty_day (series, day)
         SELECT DISTINCT 'traffic', (t AT TIME ZONE 'Asia/Shanghai')::date FROM unnest($1::timestamptz[]) t ON CONFLICT DO NOTHING`,
        [hours],
      );
    }
  });
  await notifyRecordsChanged(ds);
}
