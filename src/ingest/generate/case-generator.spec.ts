import { CALIBRATION } from './calibration.js';
import { categoryLeaves } from '../reference/categories.js';
import { generateCases, TEMPLATE_DEPARTMENTS, type GeneratedCase } from './case-generator.js';
import { REQUEST_PHRASES } from './request-phrases.js';

const DAY = 86_400_000;

describe('generateCases', () => {
  let sut: GeneratedCase[];
  beforeAll(() => {
    sut = [...generateCases({ cases: 40_000, from: '2021-01-01', to: '2022-12-31', seed: 'spec' })];
  });
  const share = (pred: (c: GeneratedCase) => boolean, of: GeneratedCase[] = sut) => of.filter(pred).length / of.length;

  it('makes exactly the number of cases asked for, in time order, with unique case numbers', () => {
    expect(sut).toHaveLength(40_000);
    expect(new Set(sut.map((c) => c.caseNumber)).size).toBe(40_000);
    const times = sut.map((c) => Date.parse(c.receivedAt));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
  });

  it('is deterministic by seed', () => {
    const a = [...generateCases({ cases: 500, from: '2021-01-01', to: '2021-01-31', seed: 's1' })];
    const b = [...generateCases({ cases: 500, from: '2021-01-01', to: '2021-01-31', seed: 's1' })];
    const c = [...generateCases({ cases: 500, from: '2021-01-01', to: '2021-01-31', seed: 's2' })];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('splits channels as in 2021 (phone 88.6%, internet 10.3%) and kinds 49% consultation', () => {
    expect(share((c) => c.channel === 'phone')).toBeCloseTo(26.69 / 30.12, 1);
    expect(share((c) => ['web', 'app', 'wechat'].includes(c.channel))).toBeCloseTo(3.1 / 30.12, 1);
    expect(Math.abs(share((c) => c.kind === 'consultation') - 0.49)).toBeLessThan(0.03);
  });

  it('handles consultations in 1.4 days and other requests in 4.3 days on average', () => {
    const mean = (cases: GeneratedCase[]) =>
      cases.reduce((s, c) => s + (Date.parse(c.closedAt as string) - Date.parse(c.receivedAt)) / DAY, 0) / cases.length;
    expect(Math.abs(mean(sut.filter((c) => c.kind === 'consultation')) - 1.4)).toBeLessThan(0.1);
    expect(Math.abs(mean(sut.filter((c) => c.kind !== 'consultation')) - 4.3)).toBeLessThan(0.25);
  });

  it('has 97% satisfied among those who rate', () => {
    const rated = sut.filter((c) => c.satisfaction !== 'unrated');
    expect(
      Math.abs(share((c) => c.satisfaction !== 'dissatisfied', rated) - CALIBRATION.satisfiedAmongRated),
    ).toBeLessThan(0.01);
  });

  it('weights cities by population (Suzhou largest) and surges Suzhou in March 2022', () => {
    const byCity = new Map<string, number>();
    for (const c of sut) byCity.set(c.cityCode, (byCity.get(c.cityCode) ?? 0) + 1);
    const ranked = [...byCity].sort((a, b) => b[1] - a[1]);
    expect(ranked[0][0]).toBe('320500');
    expect(byCity.size).toBe(13);
    const suzhouIn = (month: string) =>
      sut.filter((c) => c.cityCode === '320500' && c.receivedAt.startsWith(month)).length;
    expect(suzhouIn('2022-03')).toBeGreaterThan(3 * suzhouIn('2022-05'));
  });

  it('follows the week and the day: more on Mondays than Sundays, more at 10:00 than at 03:00', () => {
    const dow = (c: GeneratedCase) => new Date(c.receivedAt.slice(0, 10) + 'T00:00:00Z').getUTCDay();
    expect(share((c) => dow(c) === 1)).toBeGreaterThan(share((c) => dow(c) === 0));
    const hour = (c: GeneratedCase) => Number(c.receivedAt.slice(11, 13));
    expect(share((c) => hour(c) === 10)).toBeGreaterThan(10 * share((c) => hour(c) === 3));
    expect(sut.filter((c) => c.receivedAt.startsWith('2022')).length).toBeGreaterThan(
      1.4 * sut.filter((c) => c.receivedAt.startsWith('2021')).length,
    );
  });

  it('makes repeat chains: the same number on the same issue within 90 days, led by ENV, PROP and TRAF', () => {
    const byCaller = new Map<string, GeneratedCase[]>();
    for (const c of sut) byCaller.set(c.callerNumber, [...(byCaller.get(c.callerNumber) ?? []), c]);
    const repeats: GeneratedCase[] = [];
    for (const cases of byCaller.values()) {
      for (let i = 1; i < cases.length; i++) {
        const gap = Date.parse(cases[i].receivedAt) - Date.parse(cases[i - 1].receivedAt);
        if (cases[i].categoryL3 === cases[i - 1].categoryL3 && gap < 90 * DAY) repeats.push(cases[i]);
      }
    }
    expect(repeats.length).toBeGreaterThan(sut.length * 0.03);
    const top = new Map<string, number>();
    for (const r of repeats) top.set(r.categoryL1, (top.get(r.categoryL1) ?? 0) + 1);
    const leaders = [...top]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k]) => k);
    expect(leaders.sort()).toEqual(['ENV', 'PROP', 'TRAF']);
  });

  it("words every request as a resident would, with a phrase for every category's problem", () => {
    const leaves = categoryLeaves().map((l) => l.l3.code);
    expect(leaves.filter((code) => !REQUEST_PHRASES[code]?.length)).toEqual([]);
    expect(Object.keys(REQUEST_PHRASES).filter((code) => !leaves.includes(code))).toEqual([]);
    for (const c of sut.slice(0, 2000)) {
      expect(REQUEST_PHRASES[c.categoryL3].some((phrase) => c.requestText.includes(phrase))).toBe(true);
    }
  });

  it('lets some departments answer with template replies', () => {
    const texts = (pred: (c: GeneratedCase) => boolean) => {
      const cases = sut.filter(pred);
      return new Set(cases.map((c) => c.replyText.replace(/^\d{4}-\d{2}-\d{2}：/, ''))).size / cases.length;
    };
    expect(texts((c) => TEMPLATE_DEPARTMENTS.includes(c.departmentCode))).toBeLessThan(0.3);
    expect(texts((c) => !TEMPLATE_DEPARTMENTS.includes(c.departmentCode))).toBeGreaterThan(0.5);
  });

  it('puts personal data in the free text for import to remove', () => {
    expect(share((c) => c.requestText.includes(c.callerName))).toBeGreaterThan(0.1);
    expect(share((c) => /\d{17}[\dX]/.test(c.requestText))).toBeGreaterThan(0.02);
  });
});
