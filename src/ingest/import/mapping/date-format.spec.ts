import { compileDateFormat } from './date-format.js';

describe(compileDateFormat.name, () => {
  it.each([
    ['YYYYMMDD HHmmss', '20210315 091244', '2021-03-15 09:12:44'],
    ['DD.MM.YYYY HH:mm', '15.03.2021 09:12', '2021-03-15 09:12:00'],
    ['MM/DD/YYYY hh:mm:ss A', '03/01/2011 02:27:57 PM', '2011-03-01 14:27:57'],
    ['M/D/YYYY h:mm A', '3/1/2011 12:05 AM', '2011-03-01 00:05:00'],
    ['YYYY年M月D日', '2021年3月5日', '2021-03-05 00:00:00'],
    ['YYYY-MM-DDTHH:mm:ss.SSS', '2024-04-16T03:03:15.250', '2024-04-16 03:03:15.250'],
  ])('reads %s', (format, raw, expected) => {
    expect(compileDateFormat(format)(raw)).toBe(expected);
  });

  it('returns null for values that do not match', () => {
    const sut = compileDateFormat('DD.MM.YYYY');
    expect(sut('2021-03-15')).toBeNull();
    expect(compileDateFormat('MM/DD/YYYY hh:mm A')('03/01/2011 13:00 PM')).toBeNull();
  });

  it.each([
    ['YYYY-MM-QQ', /"Q" at position 9 is not a token/],
    ['MM/DD', /no year/],
    ['YYYY-MM-DD hh:mm', /go together/],
    ['YYYY-MM-DD-DD', /appears twice/],
  ])('explains what is wrong with %s', (format, message) => {
    expect(() => compileDateFormat(format)).toThrow(message);
  });
});
