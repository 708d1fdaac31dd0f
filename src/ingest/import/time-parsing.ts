/**
 * Timestamps as hotline exports write them. A time without an offset is local time of the
 * source: Asia/Shanghai (UTC+8, no daylight saving) for 12345 data, America/New_York for 311.
 */
const CN_OFFSET_MS = 8 * 3600_000;

const ISO_LIKE =
  /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T\s]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.(\d{1,6}))?秒?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const US_LIKE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/;

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
  offset: string | undefined;
}

function parts(text: string): Parts | null {
  let m = ISO_LIKE.exec(text);
  if (m) {
    return {
      y: +m[1],
      mo: +m[2],
      d: +m[3],
      h: m[4] ? +m[4] : 0,
      mi: m[5] ? +m[5] : 0,
      s: m[6] ? +m[6] : 0,
      ms: m[7] ? Math.floor(+`0.${m[7]}` * 1000) : 0,
      offset: m[8],
    };
  }
  m = US_LIKE.exec(text);
  if (m) {
    let h = m[4] ? +m[4] : 0;
    const ampm = m[7]?.toUpperCase();
    if (ampm && (h < 1 || h > 12)) return null;
    if (ampm === 'PM' && h < 12) h += 12;
    if (ampm === 'AM' && h === 12) h = 0;
    return { y: +m[3], mo: +m[1], d: +m[2], h, mi: m[5] ? +m[5] : 0, s: m[6] ? +m[6] : 0, ms: 0, offset: undefined };
  }
  return null;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validParts(p: Parts): boolean {
  if (p.mo < 1 || p.mo > 12 || p.d < 1 || p.h > 23 || p.mi > 59 || p.s > 59) return false;
  const leap = (p.y % 4 === 0 && p.y % 100 !== 0) || p.y % 400 === 0;
  const days = p.mo === 2 && leap ? 29 : MONTH_DAYS[p.mo - 1];
  return p.d <= days && p.y >= 1900 && p.y <= 2200;
}

function offsetMs(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (+digits.slice(0, 2) * 3600_000 + +digits.slice(2, 4) * 60_000);
}

export type LocalZone = 'Asia/Shanghai' | 'America/New_York';

/** The two-digit number at `i` of `s`, or -1 when those are not two digits. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `YYYY-MM-DD HH:MM[:SS]` and ISO `YYYY-MM-DDTHH:MM:SS` with `Z` or `±HH:MM`, the forms
 * nearly every export and the JSON Lines format use, read without a regular expression;
 * anything else goes the general way.
 */
function fastParts(t: string): Parts | null {
  const n = t.length;
  if (n < 16 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(13) !== 58) return null;
  const sep = t.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return null;
  let offset: string | undefined;
  let s = 0;
  if (n === 16) {
    if (sep !== 32) return null;
  } else {
    if (n < 19 || t.charCodeAt(16) !== 58) return null;
    s = two(t, 17);
    if (n === 20 && t.charCodeAt(19) === 90) offset = 'Z';
    else if (n === 25 && (t.charCodeAt(19) === 43 || t.charCodeAt(19) === 45) && t.charCodeAt(22) === 58) {
      if (two(t, 20) < 0 || two(t, 23) < 0) return null;
      offset = t.slice(19);
    } else if (n !== 19) return null;
  }
  const c = two(t, 0);
  const y = two(t, 2);
  const mo = two(t, 5);
  const d = two(t, 8);
  const h = two(t, 11);
  const mi = two(t, 14);
  if (c < 0 || y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return null;
  return { y: c * 100 + y, mo, d, h, mi, s, ms: 0, offset };
}

/** Parses a timestamp into epoch milliseconds; null when it is not a valid date and time. */
export function parseTimestamp(raw: string, zone: LocalZone): number | null {
  const text = raw.trim();
  if (text === '') return null;
  const p = fastParts(text) ?? parts(text);
  if (!p || !validParts(p)) return null;
  const wall = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s, p.ms);
  if (p.offset) return wall - offsetMs(p.offset);
  return zone === 'Asia/Shanghai' ? wall - CN_OFFSET_MS : wall - zoneOffset(wall, zone);
}

const offsetCache = new Map<number, number>();
let formatter: Intl.DateTimeFormat | undefined;

/** Offset (ms) of `zone` at the instant whose wall-clock time is `wall`; handles DST. */
function zoneOffset(wall: number, zone: LocalZone): number {
  const guess = offsetAt(wall, zone);
  const second = offsetAt(wall - guess, zone);
  return second;
}

function offsetAt(instant: number, zone: LocalZone): number {
  const hourKey = Math.floor(instant / 3600_000);
  const cached = offsetCache.get(hourKey);
  if (cached !== undefined) return cached;
  formatter ??= new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const f = Object.fromEntries(formatter.formatToParts(new Date(hourKey * 3600_000)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+f.year, +f.month - 1, +f.day, +f.hour, +f.minute, +f.second);
  const offset = asUtc - hourKey * 3600_000;
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(hourKey, offset);
  return offset;
}
