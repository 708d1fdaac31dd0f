import { parseTimestamp } from './time-parsing.js';

describe('parseTimestamp', () => {
  it('reads the common YYYY-MM-DD HH:MM[:SS] form as Asia/Shanghai local time', () => {
    expect(parseTimestamp('2021-03-15 09:12:44', 'Asia/Shanghai')).toBe(Date.parse('2021-03-15T09:12:44+08:00'));
    expect(parseTimestamp(' 2021-03-15 09:12 ', 'Asia/Shanghai')).toBe(Date.parse('2021-03-15T09:12:00+08:00'));
  });

  it('reads ISO 8601 with an offset or Z, and without an offset as local time', () => {
    expect(parseTimestamp('2021-03-15T09:12:44+08:00', 'America/New_York')).toBe(Date.parse('2021-03-15T01:12:44Z'));
    expect(parseTimestamp('2021-03-15T09:12:44-04:30', 'Asia/Shanghai')).toBe(Date.parse('2021-03-15T13:42:44Z'));
    expect(parseTimestamp('2021-03-15T09:12:44Z', 'Asia/Shanghai')).toBe(Date.parse('2021-03-15T09:12:44Z'));
    expect(parseTimestamp('2021-03-15T09:12:44.250Z', 'Asia/Shanghai')).toBe(Date.parse('2021-03-15T09:12:44.250Z'));
    expect(parseTimestamp('2021-03-15T09:12:44', 'Asia/Shanghai')).toBe(Date.parse('2021-03-15T09:12:44+08:00'));
    for (const bad of ['2021-03-15T09:12:44+8:00', '2021-03-15T09:12:44+08:0x', '2021-03-15T25:12:44Z'])
      expect(parseTimestamp(bad, 'Asia/Shanghai')).toBeNull();
  });

  it('gives the same instant for the other accepted forms', () => {
    const expected = Date.parse('2021-03-05T09:02:04+08:00');
    for (const text of [
      '2021/3/5 9:02:04',
      '2021年3月5日 9时2分4秒',
      '2021-03-05T09:02:04',
      '2021-03-05T01:02:04Z',
      '2021-03-05 09:02:04+08:00',
    ])
      expect(parseTimestamp(text, 'Asia/Shanghai')).toBe(expected);
    expect(parseTimestamp('03/05/2021 09:02:04 AM', 'America/New_York')).toBe(Date.parse('2021-03-05T09:02:04-05:00'));
    expect(parseTimestamp('07/05/2021 09:02:04 PM', 'America/New_York')).toBe(Date.parse('2021-07-05T21:02:04-04:00'));
  });

  it('refuses impossible dates and times, leap years included', () => {
    for (const text of [
      '2021-13-01 10:00',
      '2021-02-29 10:00:00',
      '1900-02-29 10:00:00',
      '2021-04-31 10:00:00',
      '2021-01-01 24:00:00',
      '2021-01-01 10:60:00',
      '2021-01-01 10:00:60',
      '2021-01-01 1a:00:00',
      '1899-12-31 10:00:00',
      'yesterday',
      '',
    ])
      expect(parseTimestamp(text, 'Asia/Shanghai')).toBeNull();
    expect(parseTimestamp('2020-02-29 10:00:00', 'Asia/Shanghai')).toBe(Date.parse('2020-02-29T10:00:00+08:00'));
    expect(parseTimestamp('2000-02-29 10:00:00', 'Asia/Shanghai')).toBe(Date.parse('2000-02-29T10:00:00+08:00'));
  });
});
