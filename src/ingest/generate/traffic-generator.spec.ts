import { generateTraffic, type GeneratedTraffic } from './traffic-generator.js';

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
