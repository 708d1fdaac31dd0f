import { localDay, quotaResetsAt } from './quota-day.js';

describe(localDay.name, () => {
  it('counts days in Asia/Shanghai (UTC+8)', () => {
    expect(localDay(new Date('2027-03-01T15:59:59Z'))).toBe('2027-03-01');
    expect(localDay(new Date('2027-03-01T16:00:00Z'))).toBe('2027-03-02');
  });

  it('gives the right day for any instant, asked in any order (it remembers the last minute only)', () => {
    const start = Date.parse('2027-03-01T15:58:00Z');
    const instants = Array.from({ length: 400 }, (_, i) => start + ((i * 7919) % 400) * 1_000 - 30_000);
    for (const ms of [...instants, ...instants.reverse()]) {
      const expected = new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
      expect(localDay(new Date(ms))).toBe(expected);
    }
    expect(localDay(new Date('2027-03-01T15:59:59.999Z'))).toBe('2027-03-01');
    expect(localDay(new Date('2027-03-01T16:00:00.000Z'))).toBe('2027-03-02');
    expect(localDay(new Date('2027-03-01T15:59:30.000Z'))).toBe('2027-03-01');
  });

  it('resets the quota at the next Shanghai midnight', () => {
    expect(quotaResetsAt(new Date('2027-03-01T10:00:00Z')).toISOString()).toBe('2027-03-01T16:00:00.000Z');
    expect(quotaResetsAt(new Date('2027-03-01T17:00:00Z')).toISOString()).toBe('2027-03-02T16:00:00.000Z');
  });
});
