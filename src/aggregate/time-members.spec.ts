import { grainOfBoundary, parseTimeCode, timeLabelZh, toSqlTimestamp } from './time-members.js';

describe('parseTimeCode', () => {
  it.each([
    ['2021', 'year', '2021-01-01 00:00:00', '2022-01-01 00:00:00'],
    ['2021-Q2', 'quarter', '2021-04-01 00:00:00', '2021-07-01 00:00:00'],
    ['2021-12', 'month', '2021-12-01 00:00:00', '2022-01-01 00:00:00'],
    ['2021-W01', 'week', '2021-01-04 00:00:00', '2021-01-11 00:00:00'],
    ['2020-W53', 'week', '2020-12-28 00:00:00', '2021-01-04 00:00:00'],
    ['2021-03-15', 'day', '2021-03-15 00:00:00', '2021-03-16 00:00:00'],
    ['2021-03-15T23', 'hour', '2021-03-15 23:00:00', '2021-03-16 00:00:00'],
  ])('reads %s as a %s period', (code, level, start, end) => {
    const sut = parseTimeCode(code)!;
    expect(sut.level).toBe(level);
    expect(toSqlTimestamp(sut.start)).toBe(start);
    expect(toSqlTimestamp(sut.end)).toBe(end);
  });

  it.each(['2021-13', '2021-02-30', '2021-W54', '2021-03-15T24', 'March', '21-03'])('refuses %s', (code) => {
    expect(parseTimeCode(code)).toBeUndefined();
  });

  it('knows which rollup grain a boundary needs', () => {
    expect(grainOfBoundary(parseTimeCode('2021-03')!.start)).toBe('month');
    expect(grainOfBoundary(parseTimeCode('2021-03-02')!.start)).toBe('day');
    expect(grainOfBoundary(parseTimeCode('2021-03-02T05')!.start)).toBe('hour');
  });

  it('labels members in Chinese', () => {
    expect(timeLabelZh('month', '2021-03')).toBe('2021年3月');
    expect(timeLabelZh('quarter', '2021-Q1')).toBe('2021年第1季度');
  });
});
