import { monthBounds, monthOfPartition, monthPartitionName, nextMonth } from './month-partitions.js';

describe('month partitions', () => {
  it('names a month partition and reads the month back', () => {
    expect(monthPartitionName('case_record', '2021-03')).toBe('case_record_y2021m03');
    expect(monthPartitionName('call_traffic', '1999-12')).toBe('call_traffic_y1999m12');
    expect(monthOfPartition('case_record_y2021m03')).toBe('2021-03');
    expect(monthOfPartition('call_traffic_y1999m12')).toBe('1999-12');
    expect(monthOfPartition('case_record')).toBeNull();
    expect(monthOfPartition('case_record_y2021m03_old')).toBeNull();
  });

  it('refuses what is not a month, so no text reaches the SQL it builds', () => {
    expect(() => monthPartitionName('case_record', '2021-3')).toThrow('not a month');
    expect(() => monthPartitionName('case_record', '2021-13')).toThrow('not a month');
    expect(() => monthBounds("2021-03'; DROP TABLE case_record; --")).toThrow('not a month');
  });

  it('steps to the next month across the year', () => {
    expect(nextMonth('2021-11')).toBe('2021-12');
    expect(nextMonth('2021-12')).toBe('2022-01');
    expect(monthBounds('2021-12')).toEqual([
      `'2021-12-01 00:00:00 Asia/Shanghai'::timestamptz`,
      `'2022-01-01 00:00:00 Asia/Shanghai'::timestamptz`,
    ]);
  });
});
