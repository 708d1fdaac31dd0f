import { localDay, quotaResetsAt } from './quota-day.js';

describe(localDay.name, () => {
  it('counts days in Asia/Shanghai (UTC+8)', () => {
    expect(localDay(new Date('2027-03-01T15:59:59Z'))).toBe('2027-03-01');
    expect(localDay(new Date('2027-03-01T16:00:00Z'))).toBe('2027-03-02');
  });

  it('resets the quota at the next Shanghai midnight', () => {
    expect(quotaResetsAt(new Date('2027-03-01T10:00:00Z')).toISOString()).toBe('2027-03-01T16:00:00.000Z');
    expect(quotaResetsAt(new Date('2027-03-01T17:00:00Z')).toISOString()).toBe('2027-03-02T16:00:00.000Z');
  });
});
