import { grainOfBoundary, parseTimeCode, timeBlocks, timeLabelZh, toSqlTimestamp } from './time-members.js';

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

describe(timeBlocks.name, () => {
  const at = (code: string) => parseTimeCode(code)!.start;
  const end = (code: string) => parseTimeCode(code)!.end;
  const codes = (bounds: Date[]) => bounds.map(toSqlTimestamp);

  it('cuts a range into the coarsest whole periods, the same way every time', () => {
    // 2021-03-15 .. 2021-12-31: the rest of March by days, then April, May, June as Q2, then Q3, Q4.
    const sut = timeBlocks(at('2021-03-15'), end('2021-12-31'));
    expect(codes(sut)).toEqual([
      ...Array.from({ length: 17 }, (_, i) => `2021-03-${String(15 + i).padStart(2, '0')} 00:00:00`),
      '2021-04-01 00:00:00',
      '2021-07-01 00:00:00',
      '2021-10-01 00:00:00',
      '2022-01-01 00:00:00',
    ]);
    expect(codes(timeBlocks(at('2021'), end('2022')))).toEqual([
      '2021-01-01 00:00:00',
      '2022-01-01 00:00:00',
      '2023-01-01 00:00:00',
    ]);
  });

  it('shares the blocks of a stretch two ranges have in common', () => {
    const a = codes(timeBlocks(at('2021-03'), end('2021-12')));
    const b = codes(timeBlocks(at('2021-04'), end('2021-12')));
    expect(a.slice(1)).toEqual(b);
  });

  it('ends an open side at a year boundary, everything beyond being one block', () => {
    expect(codes(timeBlocks(at('2021-11'), undefined))).toEqual([
      '2021-11-01 00:00:00',
      '2021-12-01 00:00:00',
      '2022-01-01 00:00:00',
    ]);
    expect(codes(timeBlocks(undefined, end('2021-02')))).toEqual([
      '2021-01-01 00:00:00',
      '2021-02-01 00:00:00',
      '2021-03-01 00:00:00',
    ]);
  });

  it('cuts at hours when a bound is an hour', () => {
    expect(codes(timeBlocks(at('2021-03-15T22'), end('2021-03-16T01')))).toEqual([
      '2021-03-15 22:00:00',
      '2021-03-15 23:00:00',
      '2021-03-16 00:00:00',
      '2021-03-16 01:00:00',
      '2021-03-16 02:00:00',
    ]);
  });
});
