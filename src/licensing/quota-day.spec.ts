import { localDay, quotaResetsAt } from './quota-day.js';

describe(localDay.name, () => {
  it('counts days in Asia/Shanghai (UTC+8)', () => {
    expect(localDay(new Date('2027-03-01T15:59:59Z'))).toBe('2027-03-01');
    expect(localDay(new Date('2027-03-01T16:00:00Z'))).toBe('2027-03-02');
  });

  it("gives the time zone database's day for any instant, around midnight and before 1992 (summer time)", () => {
    const tzdb = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    const start = Date.parse('2027-03-01T15:58:00Z');
    const instants = Array.from({ length: 400 }, (_, i) => start + ((i * 7919) % 400) * 1_000 - 30_000);
    // China kept summer time 1986-1991 (UTC+9): the fixed offset would be an hour off then.
    instants.push(
      Date.parse('1988-07-01T15:30:00Z'),
      Date.parse('1991-12-31T15:59:59Z'),
      Date.parse('1992-01-01T00:00:00Z'),
    );
    for (const ms of instants) expect(localDay(new Date(ms))).toBe(tzdb.format(new Date(ms)));
    expect(localDay(new Date('1988-07-01T15:30:00Z'))).toBe('1988-07-02');
    expect(localDay(new Date('2027-03-01T15:59:59.999Z'))).toBe('2027-03-01');
    expect(localDay(new Date('2027-03-01T16:00:00.000Z'))).toBe('2027-03-02');
  });

  it('resets the quota at the next Shanghai midnight', () => {
    expect(quotaResetsAt(new Date('2027-03-01T10:00:00Z')).toISOString()).toBe('2027-03-01T16:00:00.000Z');
    expect(quotaResetsAt(new Date('2027-03-01T17:00:00Z')).toISOString()).toBe('2027-03-02T16:00:00.000Z');
  });
});
