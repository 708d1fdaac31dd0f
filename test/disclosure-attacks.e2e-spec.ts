import { FixedClock } from '../src/common/clock.js';
import { CHANNELS, insertCases, insertReferenceData, KINDS } from './utils/case-fixtures.js';
import { createTestApp, TestApp } from './utils/create-test-app.js';
import { grantTestLicense } from './utils/grant-license.js';
import { registerTestCredentials } from './utils/test-credentials.js';

/**
 * The attacks of docs/disclosure-control.md, run as an attacker would: through the public API (and
 * the exports), with each role's own credentials and budget, on generated records whose truth is
 * read straight from the database. Each attack must recover no more than 25% of its targets
 * exactly, and no attack on a released (perturbed) value may do better than taking the released
 * value itself. `HGW_ATTACK_REPORT=1` prints the table of results (docs/disclosure-control.md).
 */
const RESEARCHER = 'test-researcher';
const DEPARTMENT = 'test-department-320500-housing';
const OPEN = 'hotline-cases-open';
const RESTRICTED = 'hotline-cases';
/** Largest noise an attacker allows for, whatever the dataset's setting (former default 3, now 6). */
const NOISE_SPAN = 6;

interface Cell {
  measure: string;
  value: number | null;
  flags: string[];
}
interface Row {
  keys: string[];
  cells: Cell[];
}
interface Answer {
  rows: Row[];
  disclosure: { method: string; threshold: number; budgetRemaining: number | null };
}
interface Outcome {
  attack: string;
  role: string;
  targets: number;
  exact: number;
  /** Exact recoveries from simply reading the released value, where one is released. */
  baseline?: number;
}

const TRUTH_SQL: Record<string, string> = {
  'area.province': 'province_code',
  'area.city': 'city_code',
  'area.district': `coalesce(district_code, 'unknown')`,
  'time.month': `to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')`,
  'time.quarter': `to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-"Q"Q')`,
  'category.l1': 'category_l1',
  kind: 'kind',
  channel: 'channel',
};
const GROUP: Record<string, { dimension: string; level?: string }> = {
  'area.province': { dimension: 'area', level: 'province' },
  'area.city': { dimension: 'area', level: 'city' },
  'area.district': { dimension: 'area', level: 'district' },
  'time.month': { dimension: 'time', level: 'month' },
  'time.quarter': { dimension: 'time', level: 'quarter' },
  'category.l1': { dimension: 'category', level: 'l1' },
  kind: { dimension: 'kind' },
  channel: { dimension: 'channel' },
};

const key = (keys: string[]) => keys.join('|');
/** Key order as the database sorts it: column by column, a missing code ("unknown") as an empty string. */
const keyOrder = (a: string[], b: string[]): number => {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]].map((k) => (k === 'unknown' ? '' : k));
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};
const value = (row: Row | undefined, measure: string) => row?.cells.find((c) => c.measure === measure)?.value ?? null;

describe('disclosure control against attacks', () => {
  let t: TestApp;
  let licenseId: string;
  const clock = new FixedClock(new Date('2027-01-10T02:00:00Z'));
  const outcomes: Outcome[] = [];
  const accuracy: string[] = [];

  /** One aggregate as `token` (undefined: the public); GraphQL errors are returned, not thrown. */
  const ask = async (
    dataset: string,
    columns: string[],
    measures: string[],
    token: string | undefined,
    filters: Record<string, unknown>[] = [],
    extra: Record<string, unknown> = {},
  ): Promise<Answer & { error?: string }> => {
    const q = {
      dataset,
      groupBy: columns.map((c) => GROUP[c]),
      measures,
      filters,
      ...(token === RESEARCHER && dataset === RESTRICTED ? { licenseId } : {}),
      ...extra,
    };
    const res = await t.gql(
      `query($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys cells { measure value flags } }
         disclosure { method threshold budgetRemaining } } }`,
      { q },
      token,
    );
    if (res.body.errors)
      return {
        rows: [],
        disclosure: { method: '', threshold: 0, budgetRemaining: 0 },
        error: res.body.errors[0].extensions.code,
      };
    return res.body.data.aggregate as Answer;
  };
  const byKey = (answer: Answer) => new Map(answer.rows.map((r) => [key(r.keys), r]));

  /** True counts from the records, grouped by API columns; `where` over case_record. */
  const truth = async (columns: string[], where = 'true'): Promise<Map<string, number>> => {
    const rows = await t.dataSource.query<{ k: string; n: number }[]>(
      `SELECT ${columns.map((c) => TRUTH_SQL[c]).join(` || '|' || `)} AS k, count(*)::int AS n FROM case_record WHERE ${where} GROUP BY 1`,
    );
    return new Map(rows.map((r) => [r.k, r.n]));
  };

  /**
   * The rate-pinning estimate of a perturbed count: among the counts the noise allows, the one that
   * makes `share x n` closest to a whole number (with exact shares only the true count does).
   */
  const pin = (released: number, share: number | null, threshold: number): number => {
    if (share === null) return released;
    let best = released;
    let score = Infinity;
    for (let n = Math.max(threshold, released - NOISE_SPAN); n <= released + NOISE_SPAN; n++) {
      const s = Math.abs(share * n - Math.round(share * n)) + Math.abs(n - released) * 1e-9;
      if (s < score) [best, score] = [n, s];
    }
    return best;
  };

  const record = (o: Outcome) => {
    outcomes.push(o);
    return o;
  };
  /** At most 25% exact, and (where a value is released) no better than the released value, allowing for chance. */
  const expectDefeated = (o: Outcome) => {
    expect(o.targets).toBeGreaterThanOrEqual(20);
    expect([o.attack, o.role, o.exact / o.targets]).toEqual([o.attack, o.role, expect.any(Number)]);
    expect(o.exact / o.targets).toBeLessThanOrEqual(0.25);
    if (o.baseline !== undefined) {
      const p = Math.max(o.baseline, 1) / o.targets;
      expect(o.exact).toBeLessThanOrEqual(o.baseline + 2 * Math.sqrt(o.targets * p * (1 - p)) + 1);
    }
  };

  beforeAll(async () => {
    t = await createTestApp({}, { clock });
    registerTestCredentials(t.app);
    await insertReferenceData(t.dataSource);
    await insertCases(t.dataSource, { count: 10_000, seed: 1616 });
    licenseId = await grantTestLicense(t, 'Attack suite: cases by district, category, kind, channel and month', [
      {
        dataset: RESTRICTED,
        dimensions: [
          { dimension: 'area', level: 'district' },
          { dimension: 'category', level: 'l1' },
          { dimension: 'kind', level: 'kind' },
          { dimension: 'channel', level: 'channel' },
          { dimension: 'time', level: 'month' },
        ],
      },
    ]);
  });
  afterAll(async () => {
    if (process.env.HGW_ATTACK_REPORT) {
      const lines = outcomes.map(
        (o) =>
          `| ${o.attack} | ${o.role} | ${o.targets} | ${((100 * o.exact) / o.targets).toFixed(1)}% | ${
            o.baseline === undefined ? '-' : `${((100 * o.baseline) / o.targets).toFixed(1)}%`
          } |`,
      );
      process.stdout.write(
        `\n| attack | role | targets | exact | released value exact |\n|---|---|---|---|---|\n${lines.join('\n')}\n${accuracy.join('\n')}\n`,
      );
    }
    await t.close();
  });
  beforeEach(() => clock.advance(86_400_000)); // each attack on a fresh day's budget

  const FINE = ['area.city', 'time.month', 'category.l1', 'kind'];

  describe('ordering', () => {
    it.each([
      ['public', OPEN, undefined],
      ['researcher', RESTRICTED, RESEARCHER],
    ])('gives away nothing about hidden cells through their order (%s)', async (role, dataset, token) => {
      const columns = dataset === OPEN ? FINE : ['area.district', 'time.month', 'kind', 'channel'];
      const answer = await ask(dataset, columns, ['cases'], token, [], {
        orderBy: [{ field: 'cases', direction: 'DESC' }],
      });
      const threshold = answer.disclosure.threshold;
      const real = await truth(columns);
      // Rows with no value, in the order given: equal counts come in key order, so every step back in
      // key order starts the next smaller count, from threshold - 1 down.
      const hidden = answer.rows.filter((r) => r.cells[0].value === null);
      const estimate = new Map<string, number>();
      let step = 0;
      hidden.forEach((r, i) => {
        if (i > 0 && keyOrder(r.keys, hidden[i - 1].keys) < 0) step++;
        estimate.set(key(r.keys), threshold - 1 - step);
      });
      const targets = [...real].filter(([, n]) => n < threshold);
      const exact = targets.filter(([k, n]) => (estimate.get(k) ?? Math.round(threshold / 2)) === n).length;
      expectDefeated(record({ attack: 'ordering', role, targets: targets.length, exact }));
    });

    it('orders and cuts on released values only, hidden values last in key order', async () => {
      const columns = ['area.district', 'time.month', 'kind'];
      const full = await ask(RESTRICTED, columns, ['cases', 'satisfactionRate'], RESEARCHER);
      const sorted = [...full.rows].sort((a, b) => {
        const va = value(a, 'satisfactionRate');
        const vb = value(b, 'satisfactionRate');
        if (va === null || vb === null) {
          if (va !== vb) return va === null ? 1 : -1;
        } else if (va !== vb) return vb - va;
        return key(a.keys) < key(b.keys) ? -1 : 1;
      });
      const top = await ask(RESTRICTED, columns, ['cases', 'satisfactionRate'], RESEARCHER, [], {
        orderBy: [{ field: 'satisfactionRate', direction: 'DESC' }],
        limit: 40,
      });
      expect(top.rows.map((r) => key(r.keys))).toEqual(sorted.slice(0, 40).map((r) => key(r.keys)));
      const asc = await ask(RESTRICTED, columns, ['cases', 'satisfactionRate'], RESEARCHER, [], {
        orderBy: [{ field: 'satisfactionRate', direction: 'ASC' }],
      });
      const withheld = asc.rows.filter((r) => value(r, 'satisfactionRate') === null).map((r) => key(r.keys));
      expect(withheld.length).toBeGreaterThan(0);
      expect(asc.rows.slice(-withheld.length).map((r) => key(r.keys))).toEqual([...withheld].sort());
    });
  });

  describe('rate pinning', () => {
    it.each([
      ['public', OPEN, undefined],
      ['department', OPEN, DEPARTMENT],
    ])('cannot tell the true count behind a perturbed one from a released share (%s)', async (role, dataset, token) => {
      const answer = await ask(dataset, FINE, ['cases', 'consultationShare', 'solvedRate'], token);
      const real = await truth(FINE);
      let exact = 0;
      let baseline = 0;
      let targets = 0;
      for (const r of answer.rows) {
        const released = value(r, 'cases');
        if (released === null) continue;
        const n = real.get(key(r.keys))!;
        targets++;
        if (pin(released, value(r, 'consultationShare'), answer.disclosure.threshold) === n) exact++;
        if (released === n) baseline++;
      }
      expectDefeated(record({ attack: 'rate pinning', role, targets, exact, baseline }));
    });
  });

  describe('numerator recovery', () => {
    it('cannot read a hidden sub-cell as a share times a count (public)', async () => {
      const columns = ['area.city', 'time.month', 'category.l1'];
      const answer = byKey(await ask(OPEN, columns, ['cases', 'consultationShare'], undefined));
      const threshold = 20;
      const sub = await truth(columns, `kind = 'consultation'`);
      const targets = [...sub].filter(([, n]) => n < threshold);
      let exact = 0;
      for (const [k, n] of targets) {
        const row = answer.get(k);
        const share = value(row, 'consultationShare');
        const released = value(row, 'cases');
        const estimate =
          share === null || released === null
            ? Math.round(threshold / 2)
            : Math.round(share * pin(released, share, threshold));
        if (estimate === n) exact++;
      }
      expectDefeated(record({ attack: 'numerator recovery', role: 'public', targets: targets.length, exact }));
    });
  });

  describe('differencing', () => {
    it('cannot recover a hidden channel as all channels minus all but it (public)', async () => {
      const columns = ['area.city', 'time.month', 'category.l1'];
      const threshold = 20;
      const measures = ['cases', 'consultationShare'];
      const all = byKey(await ask(OPEN, columns, measures, undefined, [{ dimension: 'channel', in: CHANNELS }]));
      const real = await truth([...columns, 'channel']);
      const targets = [...real].filter(([, n]) => n < threshold);
      let exact = 0;
      for (const channel of CHANNELS) {
        const rest = byKey(
          await ask(OPEN, columns, measures, undefined, [
            { dimension: 'channel', in: CHANNELS.filter((c) => c !== channel) },
          ]),
        );
        for (const [k, n] of targets) {
          if (!k.endsWith(`|${channel}`)) continue;
          const cell = k.slice(0, -channel.length - 1);
          const a = all.get(cell);
          const b = rest.get(cell);
          const pinned = (r: Row | undefined) =>
            r ? pin(value(r, 'cases')!, value(r, 'consultationShare'), threshold) : undefined;
          const pa = pinned(a);
          const pb = pinned(b);
          const estimate = pa !== undefined && pb !== undefined ? pa - pb : Math.round(threshold / 2);
          if (estimate === n) exact++;
        }
      }
      expectDefeated(record({ attack: 'filter differencing', role: 'public', targets: targets.length, exact }));
    });

    it('cannot recover a hidden category as its parent cell minus the listed categories (researcher)', async () => {
      const threshold = 10;
      const parentColumns = ['area.city', 'time.month', 'kind'];
      const measures = ['cases', 'consultationShare'];
      const parents = byKey(await ask(RESTRICTED, parentColumns, measures, RESEARCHER));
      const children = await ask(RESTRICTED, [...parentColumns, 'category.l1'], measures, RESEARCHER);
      const pinned = (r: Row | undefined) =>
        r && value(r, 'cases') !== null ? pin(value(r, 'cases')!, value(r, 'consultationShare'), threshold) : null;
      const categories = (
        await t.dataSource.query<{ code: string }[]>(`SELECT code FROM category WHERE level = 1 ORDER BY code`)
      ).map((c) => c.code);
      const listed = new Map<string, Map<string, number>>();
      for (const r of children.rows) {
        const parent = key(r.keys.slice(0, 3));
        const n = pinned(r);
        if (n === null) continue;
        listed.set(parent, (listed.get(parent) ?? new Map()).set(r.keys[3], n));
      }
      const real = await truth([...parentColumns, 'category.l1']);
      const targets = [...real].filter(([, n]) => n < threshold);
      let exact = 0;
      for (const [k, n] of targets) {
        const parts = k.split('|');
        const parent = key(parts.slice(0, 3));
        const shown = listed.get(parent) ?? new Map<string, number>();
        const missing = categories.filter((c) => !shown.has(c));
        const total = pinned(parents.get(parent));
        const rest = [...shown.values()].reduce((a, b) => a + b, 0);
        const estimate =
          total !== null && missing.length === 1 && missing[0] === parts[3]
            ? Math.round(total - rest)
            : Math.round(threshold / 2);
        if (estimate === n) exact++;
      }
      expectDefeated(record({ attack: 'parent minus children', role: 'researcher', targets: targets.length, exact }));
    });
  });

  describe('averaging', () => {
    it('cannot average away the noise of a hidden cell over different record sets, and the budget stops it (public)', async () => {
      const columns = ['area.city', 'time.month', 'category.l1'];
      const threshold = 20;
      const target = 'complaint';
      const others = KINDS.filter((k) => k !== target);
      const subsets = Array.from({ length: 2 ** others.length - 1 }, (_, i) =>
        others.filter((_, j) => (i + 1) & (1 << j)),
      );
      const samples = new Map<string, number[]>();
      let refused = 0;
      for (const subset of subsets) {
        const withTarget = await ask(OPEN, columns, ['cases'], undefined, [
          { dimension: 'kind', in: [target, ...subset] },
        ]);
        const without = await ask(OPEN, columns, ['cases'], undefined, [{ dimension: 'kind', in: subset }]);
        if (withTarget.error || without.error) {
          refused++;
          continue;
        }
        const b = byKey(without);
        for (const r of withTarget.rows) {
          const a = value(r, 'cases');
          const other = value(b.get(key(r.keys)), 'cases');
          // Only pairs where both sides show a value say anything.
          if (a === null || other === null) continue;
          samples.set(key(r.keys), [...(samples.get(key(r.keys)) ?? []), a - other]);
        }
      }
      const real = await truth([...columns, 'kind'], `kind = '${target}'`);
      const targets = [...real].filter(([, n]) => n < threshold);
      let exact = 0;
      for (const [k, n] of targets) {
        const s = samples.get(k.slice(0, -target.length - 1)) ?? [];
        const estimate = s.length > 0 ? Math.round(s.reduce((x, y) => x + y, 0) / s.length) : Math.round(threshold / 2);
        if (estimate === n) exact++;
      }
      expectDefeated(record({ attack: 'averaging over record sets', role: 'public', targets: targets.length, exact }));
      // 62 distinct queries fit in the public budget of 100 a day; 40 more do not.
      expect(refused).toBe(0);
      let lastError: string | undefined;
      for (let i = 0; i < 40; i++) {
        lastError = (
          await ask(
            OPEN,
            columns,
            ['cases'],
            undefined,
            [{ dimension: 'time', from: `2021-${String(1 + (i % 12)).padStart(2, '0')}`, to: '2021-12' }],
            {
              limit: 1 + Math.floor(i / 12),
            },
          )
        ).error;
      }
      expect(lastError).toBe('QUOTA_EXCEEDED');
    });

    it('cannot average a hidden month over time ranges that differ by it (researcher)', async () => {
      const columns = ['area.district', 'kind', 'channel'];
      const threshold = 10;
      const month = (m: number) => `2021-${String(m).padStart(2, '0')}`;
      const samples = new Map<string, number[]>();
      const m0 = 3;
      for (let end = m0 + 1; end <= 12; end++) {
        const measures = ['cases', 'consultationShare'];
        const a = await ask(RESTRICTED, columns, measures, RESEARCHER, [
          { dimension: 'time', from: month(m0), to: month(end) },
        ]);
        const b = byKey(
          await ask(RESTRICTED, columns, measures, RESEARCHER, [
            { dimension: 'time', from: month(m0 + 1), to: month(end) },
          ]),
        );
        const pinned = (r: Row | undefined) =>
          r && value(r, 'cases') !== null ? pin(value(r, 'cases')!, value(r, 'consultationShare'), threshold) : null;
        for (const r of a.rows) {
          const x = pinned(r);
          const y = pinned(b.get(key(r.keys)));
          // Only pairs where both sides show a value say anything.
          if (x === null || y === null) continue;
          samples.set(key(r.keys), [...(samples.get(key(r.keys)) ?? []), x - y]);
        }
      }
      const real = await truth(
        columns,
        `to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = '${month(m0)}'`,
      );
      const targets = [...real].filter(([, n]) => n < threshold);
      let exact = 0;
      for (const [k, n] of targets) {
        const s = samples.get(k) ?? [];
        const estimate = s.length > 0 ? Math.round(s.reduce((x, y) => x + y, 0) / s.length) : Math.round(threshold / 2);
        if (estimate === n) exact++;
      }
      expectDefeated(
        record({ attack: 'averaging over time ranges', role: 'researcher', targets: targets.length, exact }),
      );
    });
  });

  describe('combining marginals', () => {
    it('gains little by combining a cell with the margins it adds up to (public; the residual risk of consistent noise)', async () => {
      // A listed cell, its released value, and four relations: its row of kinds, of categories, of
      // cities and of the months of its quarter, each total minus the listed siblings. Weighted by
      // the inverse of their noise (released value v, a relation with k siblings (k + 1)v).
      const cells = byKey(await ask(OPEN, FINE, ['cases'], undefined));
      const margins = [
        { drop: 3, columns: ['area.city', 'time.month', 'category.l1'], siblings: KINDS },
        { drop: 2, columns: ['area.city', 'time.month', 'kind'], siblings: ['ENV', 'HOUSING', 'TRAFFIC'] },
      ];
      const totals = await Promise.all(margins.map((m) => ask(OPEN, m.columns, ['cases'], undefined).then(byKey)));
      const real = await truth(FINE);
      let exact = 0;
      let baseline = 0;
      let targets = 0;
      for (const [k, row] of cells) {
        const released = value(row, 'cases')!;
        const parts = k.split('|');
        let weight = 1;
        let sum = released;
        margins.forEach((m, i) => {
          const total = value(totals[i].get(key(parts.filter((_, j) => j !== m.drop))), 'cases');
          const siblings = m.siblings
            .filter((x) => x !== parts[m.drop])
            .map((x) => {
              const id = [...parts];
              id[m.drop] = x;
              return value(cells.get(key(id)), 'cases');
            });
          if (total === null || siblings.some((x) => x === null)) return;
          const w = 1 / m.siblings.length;
          weight += w;
          sum += w * (total - siblings.reduce((a, b) => a! + b!, 0)!);
        });
        if (weight === 1) continue; // no complete relation: nothing to combine
        targets++;
        const n = real.get(k)!;
        if (Math.round(sum / weight) === n) exact++;
        if (released === n) baseline++;
      }
      const o = record({ attack: 'combining marginals', role: 'public', targets, exact, baseline });
      expect(o.targets).toBeGreaterThanOrEqual(20);
      expect(o.exact / o.targets).toBeLessThanOrEqual(0.25);
    });
  });

  describe('accuracy', () => {
    it('keeps large cells useful: counts of 100 or more within 2% at the median, their rates within 0.01', async () => {
      const columns = ['area.city', 'time.month'];
      const measures = ['cases', 'consultationShare', 'solvedRate', 'satisfactionRate', 'repeatRate'];
      const answer = await ask(RESTRICTED, columns, measures, RESEARCHER);
      const rows = await t.dataSource.query<Record<string, number | string>[]>(
        `SELECT ${columns.map((c) => TRUTH_SQL[c]).join(` || '|' || `)} AS k, count(*)::int AS cases,
           avg((kind = 'consultation')::int)::float8 AS "consultationShare",
           (count(*) FILTER (WHERE outcome = 'solved'))::float8 / nullif(count(outcome), 0) AS "solvedRate",
           (count(*) FILTER (WHERE satisfaction IN ('satisfied', 'basically')))::float8
             / nullif(count(*) FILTER (WHERE satisfaction <> 'unrated'), 0) AS "satisfactionRate",
           avg((repeat_of_id IS NOT NULL)::int)::float8 AS "repeatRate"
         FROM case_record GROUP BY 1`,
      );
      const real = new Map(rows.map((r) => [r.k as string, r]));
      const countErrors: number[] = [];
      const rateErrors: number[] = [];
      for (const row of answer.rows) {
        const truthRow = real.get(key(row.keys))!;
        if ((truthRow.cases as number) < 100) continue;
        countErrors.push(Math.abs(value(row, 'cases')! - (truthRow.cases as number)) / (truthRow.cases as number));
        for (const m of measures.slice(1)) {
          const v = value(row, m);
          if (v !== null) rateErrors.push(Math.abs(v - (truthRow[m] as number)));
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      expect(countErrors.length).toBeGreaterThanOrEqual(30);
      expect(rateErrors.length).toBeGreaterThanOrEqual(100);
      expect(median(countErrors)).toBeLessThan(0.02);
      expect(median(rateErrors)).toBeLessThan(0.01);
      accuracy.push(
        `counts of 100 or more: median relative error ${(100 * median(countErrors)).toFixed(2)}% over ${countErrors.length} cells; ` +
          `their rates: median absolute error ${median(rateErrors).toFixed(4)}, largest ${Math.max(...rateErrors).toFixed(4)} over ${rateErrors.length} rates`,
      );
    });
  });

  describe('existence', () => {
    it('shows a true zero and a small count alike, for rows and for rates (researcher)', async () => {
      const columns = ['area.district', 'time.month', 'kind', 'channel'];
      const answer = byKey(await ask(RESTRICTED, columns, ['cases', 'satisfactionRate'], RESEARCHER));
      const real = await truth(columns);
      const months = Array.from({ length: 12 }, (_, i) => `2021-${String(i + 1).padStart(2, '0')}`);
      const districts = [...new Set([...real.keys()].map((k) => k.split('|')[0]))].filter((d) => d !== 'unknown');
      // The attacker's rule: a listed row means "present"; anything else is guessed "absent".
      let zeroes = 0;
      let small = 0;
      let smallListed = 0;
      for (const d of districts)
        for (const m of months)
          for (const k of KINDS)
            for (const c of CHANNELS) {
              const id = [d, m, k, c].join('|');
              const n = real.get(id) ?? 0;
              if (n === 0) {
                zeroes++;
                expect(answer.has(id)).toBe(false);
              } else if (n < 10) {
                small++;
                if (answer.has(id)) smallListed++;
              }
            }
      expect(zeroes).toBeGreaterThan(20);
      expect(small).toBeGreaterThan(20);
      record({ attack: 'existence (small rows listed)', role: 'researcher', targets: small, exact: smallListed });
      expect(smallListed).toBe(0);
      // Rates over no raters and over a few raters are withheld with the same flags.
      const rated = await t.dataSource.query<{ k: string; n: number }[]>(
        `SELECT ${columns.map((c) => TRUTH_SQL[c]).join(` || '|' || `)} AS k, count(*) FILTER (WHERE satisfaction <> 'unrated')::int AS n
         FROM case_record GROUP BY 1`,
      );
      const flagsByRated = new Map<string, Set<string>>();
      for (const { k, n } of rated) {
        const row = answer.get(k);
        if (!row || n >= 10) continue;
        const cell = row.cells.find((c) => c.measure === 'satisfactionRate')!;
        const bucket = n === 0 ? 'zero' : 'small';
        flagsByRated.set(bucket, (flagsByRated.get(bucket) ?? new Set()).add(cell.flags.join(',')));
      }
      expect([...(flagsByRated.get('small') ?? [])]).toEqual(['suppressed,small-denominator']);
      if (flagsByRated.has('zero')) expect([...flagsByRated.get('zero')!]).toEqual(['suppressed,small-denominator']);
    });
  });

  describe('exports', () => {
    const csvRows = async (q: Record<string, unknown>, token?: string): Promise<Row[]> => {
      const req = t
        .http()
        .get('/export/aggregate.csv')
        .query({ query: JSON.stringify(q) });
      if (token) req.set('Authorization', `Bearer ${token}`);
      const res = await req.expect(200);
      const lines = res.text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      const header = lines[0].split(',');
      const keyCount = header.filter(
        (h) => !h.includes('.label') && !header.includes(`${h}.flags`) && !h.endsWith('.flags'),
      ).length;
      const measures = header.filter((h) => header.includes(`${h}.flags`));
      return lines.slice(1).map((line) => {
        const f = line.split(',');
        return {
          keys: Array.from({ length: keyCount }, (_, i) => f[i * 3]),
          cells: measures.map((m) => {
            const i = header.indexOf(m);
            return { measure: m, value: f[i] === '' ? null : Number(f[i]), flags: f[i + 1] ? f[i + 1].split(';') : [] };
          }),
        };
      });
    };

    it('carries the same protection: no hidden row, order on released values, rates from released parts (CSV)', async () => {
      const q = {
        dataset: OPEN,
        groupBy: FINE.map((c) => GROUP[c]),
        measures: ['cases', 'consultationShare'],
        orderBy: [{ field: 'cases', direction: 'DESC' }],
      };
      const rows = await csvRows(q);
      const real = await truth(FINE);
      const hidden = [...real].filter(([, n]) => n < 20).map(([k]) => k);
      const listed = new Set(rows.map((r) => key(r.keys)));
      expect(hidden.filter((k) => listed.has(k))).toEqual([]);
      const counts = rows.map((r) => r.cells[0].value!);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
      let exact = 0;
      let baseline = 0;
      for (const r of rows) {
        const n = real.get(key(r.keys))!;
        if (pin(r.cells[0].value!, r.cells[1].value, 20) === n) exact++;
        if (r.cells[0].value === n) baseline++;
      }
      expectDefeated(
        record({ attack: 'rate pinning (CSV export)', role: 'public', targets: rows.length, exact, baseline }),
      );
    });

    it('answers the JSON export exactly like the GraphQL query', async () => {
      const q = {
        dataset: OPEN,
        groupBy: FINE.map((c) => GROUP[c]),
        measures: ['cases', 'solvedRate'],
        filters: [{ dimension: 'channel', in: ['phone', 'web'] }],
      };
      const res = await t
        .http()
        .get('/export/aggregate.json')
        .query({ query: JSON.stringify(q) })
        .expect(200);
      const graphql = await ask(OPEN, FINE, ['cases', 'solvedRate'], undefined, q.filters);
      expect(JSON.parse(res.text).rows.map((r: Row) => [r.keys, r.cells])).toEqual(
        graphql.rows.map((r) => [r.keys, r.cells]),
      );
    });
  });
});
