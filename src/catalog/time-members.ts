/**
 * Time member codes (docs/aggregate.md, "The query language"): `2021`, `2021-Q1`, `2021-03`, `2021-W09`, `2021-03-15`,
 * `2021-03-15T14`. All are periods of hotline local time (Asia/Shanghai, no daylight saving), so
 * arithmetic is done on wall-clock times held in UTC Date objects.
 */
export const TIME_LEVELS = ['year', 'quarter', 'month', 'week', 'day', 'hour'] as const;
export type TimeLevel = (typeof TIME_LEVELS)[number];

/** The grain a rollup keeps its time at. */
export type TimeGrain = 'month' | 'day' | 'hour';

export const TIME_FORMATS: Record<TimeLevel, string> = {
  year: 'YYYY, e.g. 2021',
  quarter: 'YYYY-Qn, e.g. 2021-Q1',
  month: 'YYYY-MM, e.g. 2021-03',
  week: 'YYYY-Www (ISO week), e.g. 2021-W09',
  day: 'YYYY-MM-DD, e.g. 2021-03-15',
  hour: 'YYYY-MM-DDTHH (local time, Asia/Shanghai), e.g. 2021-03-15T14',
};

/** PostgreSQL `to_char` patterns producing the member codes from a truncated local timestamp. */
export const TIME_SQL_FORMATS: Record<TimeLevel, string> = {
  year: 'YYYY',
  quarter: 'YYYY-"Q"Q',
  month: 'YYYY-MM',
  week: 'IYYY-"W"IW',
  day: 'YYYY-MM-DD',
  hour: 'YYYY-MM-DD"T"HH24',
};

/** The finest rollup grain a level can be computed from. */
export const GRAIN_OF_LEVEL: Record<TimeLevel, TimeGrain> = {
  year: 'month',
  quarter: 'month',
  month: 'month',
  week: 'day',
  day: 'day',
  hour: 'hour',
};

export const GRAIN_ORDER: Record<TimeGrain, number> = { month: 0, day: 1, hour: 2 };

export interface TimePeriod {
  level: TimeLevel;
  /** Inclusive start and exclusive end, as local wall-clock times. */
  start: Date;
  end: Date;
}

const PATTERNS: [TimeLevel, RegExp][] = [
  ['year', /^(\d{4})$/],
  ['quarter', /^(\d{4})-Q([1-4])$/],
  ['month', /^(\d{4})-(\d{2})$/],
  ['week', /^(\d{4})-W(\d{2})$/],
  ['day', /^(\d{4})-(\d{2})-(\d{2})$/],
  ['hour', /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/],
];

const utc = (y: number, m: number, d = 1, h = 0) => new Date(Date.UTC(y, m, d, h));

/** Monday of ISO week 1 of an ISO year. */
function isoWeekOneMonday(year: number): Date {
  const jan4 = utc(year, 0, 4);
  const dow = (jan4.getUTCDay() + 6) % 7;
  return new Date(jan4.getTime() - dow * 86_400_000);
}

/** Parses a member code; undefined when it is not a valid code of any level. */
export function parseTimeCode(code: string): TimePeriod | undefined {
  for (const [level, re] of PATTERNS) {
    const m = re.exec(code);
    if (!m) continue;
    const y = Number(m[1]);
    if (y < 1970 || y > 2100) return undefined;
    switch (level) {
      case 'year':
        return { level, start: utc(y, 0), end: utc(y + 1, 0) };
      case 'quarter': {
        const q = Number(m[2]) - 1;
        return { level, start: utc(y, q * 3), end: utc(y, q * 3 + 3) };
      }
      case 'month': {
        const mo = Number(m[2]) - 1;
        if (mo < 0 || mo > 11) return undefined;
        return { level, start: utc(y, mo), end: utc(y, mo + 1) };
      }
      case 'week': {
        const w = Number(m[2]);
        const start = new Date(isoWeekOneMonday(y).getTime() + (w - 1) * 7 * 86_400_000);
        if (w < 1 || start >= isoWeekOneMonday(y + 1)) return undefined;
        return { level, start, end: new Date(start.getTime() + 7 * 86_400_000) };
      }
      case 'day':
      case 'hour': {
        const mo = Number(m[2]) - 1;
        const d = Number(m[3]);
        const h = level === 'hour' ? Number(m[4]) : 0;
        const start = utc(y, mo, d, h);
        if (start.getUTCMonth() !== mo || start.getUTCDate() !== d || h > 23) return undefined;
        return { level, start, end: new Date(start.getTime() + (level === 'hour' ? 3_600_000 : 86_400_000)) };
      }
    }
  }
  return undefined;
}

/** The coarsest grain whose buckets have `instant` as a boundary. */
export function grainOfBoundary(instant: Date): TimeGrain {
  if (instant.getUTCHours() !== 0) return 'hour';
  if (instant.getUTCDate() !== 1) return 'day';
  return 'month';
}

/** `2021-03-15 14:00:00`, the form PostgreSQL reads as a timestamp without time zone. */
export function toSqlTimestamp(instant: Date): string {
  return instant.toISOString().slice(0, 19).replace('T', ' ');
}

/** Chinese label of a time member code. */
export function timeLabelZh(level: TimeLevel, code: string): string {
  const p = parseTimeCode(code);
  if (!p) return code;
  const y = p.start.getUTCFullYear();
  const mo = p.start.getUTCMonth() + 1;
  const d = p.start.getUTCDate();
  switch (level) {
    case 'year':
      return `${y}年`;
    case 'quarter':
      return `${y}年第${code.slice(-1)}季度`;
    case 'month':
      return `${y}年${mo}月`;
    case 'week':
      return `${code.slice(0, 4)}年第${Number(code.slice(-2))}周`;
    case 'day':
      return `${y}年${mo}月${d}日`;
    case 'hour':
      return `${y}年${mo}月${d}日${p.start.getUTCHours()}时`;
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The member code of the period of `level` that starts at (or holds) the wall-clock time `at`. */
export function timeCodeAt(level: TimeLevel, at: Date): string {
  const y = at.getUTCFullYear();
  const ymd = `${y}-${pad2(at.getUTCMonth() + 1)}-${pad2(at.getUTCDate())}`;
  switch (level) {
    case 'year':
      return String(y);
    case 'quarter':
      return `${y}-Q${Math.floor(at.getUTCMonth() / 3) + 1}`;
    case 'month':
      return ymd.slice(0, 7);
    case 'week': {
      const thursday = new Date(at.getTime() + (3 - ((at.getUTCDay() + 6) % 7)) * 86_400_000);
      const isoYear = thursday.getUTCFullYear();
      const week = 1 + Math.floor((thursday.getTime() - isoWeekOneMonday(isoYear).getTime()) / (7 * 86_400_000));
      return `${isoYear}-W${pad2(week)}`;
    }
    case 'day':
      return ymd;
    case 'hour':
      return `${ymd}T${pad2(at.getUTCHours())}`;
  }
}

/** The period just before a member code's period, at the same level (`2021-03` -> `2021-02`). */
export function previousTimeCode(code: string): string | undefined {
  const p = parseTimeCode(code);
  if (!p) return undefined;
  return timeCodeAt(p.level, new Date(p.start.getTime() - 1));
}

/** Levels a time range is cut into, coarsest first (weeks do not nest in months). */
const BLOCK_LEVELS: TimeLevel[] = ['year', 'quarter', 'month', 'day', 'hour'];

/**
 * The canonical cut of a time range into whole periods: from its start, each time the coarsest
 * period that starts there and ends within the range. An open side ends (or starts) at a year
 * boundary, beyond which everything is one block. Returns the block boundaries (the first block
 * starts at the first boundary; with an open start, one block lies before it; with an open end,
 * one block from the last). The same range always gets the same cut, and two ranges that share a
 * stretch of whole periods share its blocks.
 */
export function timeBlocks(start: Date | undefined, end: Date | undefined): Date[] {
  if (!start && !end) return [];
  const yearOf = (d: Date) => utcYear(d.getUTCFullYear());
  // An open start: everything before the year of the end is one block.
  let from = start ?? (end!.getTime() === yearOf(end!).getTime() ? end! : yearOf(end!));
  const until = end ?? (start!.getTime() === yearOf(start!).getTime() ? start! : utcYear(start!.getUTCFullYear() + 1));
  const boundaries: Date[] = [from];
  while (from < until) {
    const level = BLOCK_LEVELS.find((l) => {
      const p = parseTimeCode(timeCodeAt(l, from))!;
      return p.start.getTime() === from.getTime() && p.end <= until;
    });
    if (!level) break;
    from = parseTimeCode(timeCodeAt(level, from))!.end;
    boundaries.push(from);
  }
  return boundaries;
}

function utcYear(y: number): Date {
  return new Date(Date.UTC(y, 0, 1));
}
