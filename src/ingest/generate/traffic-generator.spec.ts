import { SURGE_RATIO } from '../../catalog/registry.js';
import { generateTraffic, plantedSurgeRatio, type GeneratedTraffic } from './traffic-generator.js';

describe('generateTraffic', () => {
  const sut = [...generateTraffic({ from: '2022-02-20', to: '2022-03-20', seed: 'spec' })];
  const rate = (rows: GeneratedTraffic[]) =>
    rows.reduce((s, r) => s + r.callsAnswered, 0) / rows.reduce((s, r) => s + r.callsOffered, 0);

  it('has one row per city and hour, and counts that add up', () => {
    expect(sut).toHaveLength(29 * 24 * 13);
    expect(sut.every((r) => r.callsAnswered + r.callsAbandoned === r.callsOffered && r.callsAnswered >= 0)).toBe(true);
  });

  it('answers about 90% normally', () => {
    const normal = sut.filter((r) => r.hourStart < '2022-03-01');
    expect(Math.abs(rate(normal) - 0.9)).toBeLessThan(0.02);
  });

  it('has 21x volume and under 20% answered at the peak of the Suzhou surge', () => {
    const at = (day: string, city: string) =>
      sut.find((r) => r.hourStart === `${day} 10:00` && r.cityCode === city) as GeneratedTraffic;
    const peak = at('2022-03-15', '320500');
    const before = at('2022-02-28', '320500');
    expect(peak.callsOffered / before.callsOffered).toBeGreaterThan(15);
    expect(peak.callsAnswered / peak.callsOffered).toBeLessThan(0.2);
    expect(at('2022-03-15', '320100').callsAnswered / at('2022-03-15', '320100').callsOffered).toBeGreaterThan(0.8);
  });

  it('is deterministic by seed', () => {
    const again = [...generateTraffic({ from: '2022-02-20', to: '2022-03-20', seed: 'spec' })];
    expect(again).toEqual(sut);
  });
});

describe('planted surge (ground truth)', () => {
  const rows = [...generateTraffic({ from: '2022-01-20', to: '2022-04-30', seed: 'truth' })];
  const offered = new Map(rows.map((r) => [`${r.cityCode} ${r.hourStart}`, r.callsOffered]));
  const weekBefore = (day: string, k: number) =>
    new Date(Date.parse(`${day}T00:00:00Z`) - 7 * k * 86_400_000).toISOString().slice(0, 10);
  const observed = rows
    .filter((r) => r.hourStart >= '2022-02-17')
    .map((r) => {
      const day = r.hourStart.slice(0, 10);
      const hour = Number(r.hourStart.slice(11, 13));
      const base =
        [1, 2, 3, 4]
          .map((k) => offered.get(`${r.cityCode} ${weekBefore(day, k)} ${r.hourStart.slice(11)}`)!)
          .reduce((a, b) => a + b, 0) / 4;
      return { r, day, hour, ratio: r.callsOffered / base, truth: plantedSurgeRatio(r.cityCode, day, hour) };
    });

  it('plants 21x the four-week baseline at the peak of the Suzhou surge', () => {
    expect(plantedSurgeRatio('320500', '2022-03-15', 10)).toBeCloseTo(21, 5);
    expect(plantedSurgeRatio('320100', '2022-03-15', 10)).toBeLessThan(1.3);
    const peaks = observed
      .filter(
        (o) =>
          o.r.cityCode === '320500' && o.day >= '2022-03-14' && o.day <= '2022-03-19' && o.hour >= 8 && o.hour <= 11,
      )
      .map((o) => o.ratio)
      .sort((a, b) => a - b);
    expect(Math.abs(peaks[Math.floor(peaks.length / 2)] - 21)).toBeLessThan(1.5);
  });

  it('is found hour by hour by a four-week baseline with precision and recall of at least 0.9', () => {
    const truth = observed.filter((o) => o.truth >= SURGE_RATIO);
    const found = observed.filter((o) => o.ratio >= SURGE_RATIO);
    const hits = found.filter((o) => o.truth >= SURGE_RATIO).length;
    expect(truth.length).toBeGreaterThan(150);
    expect(hits / found.length).toBeGreaterThanOrEqual(0.9);
    expect(hits / truth.length).toBeGreaterThanOrEqual(0.9);
  });
});
