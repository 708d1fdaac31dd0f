/**
 * Date formats of mapping files, e.g. `YYYYMMDD HHmmss`, `DD.MM.YYYY HH:mm`, `MM/DD/YYYY hh:mm:ss A`.
 * Tokens: YYYY, MM or M, DD or D, HH or H (0-23), hh or h (1-12, with A), mm, ss, SSS, A (AM/PM);
 * T, Z and anything but a letter are literal. A parsed value becomes `YYYY-MM-DD HH:MM:SS(.SSS)`, which the case
 * builder reads in the mapping's time zone and checks (month 13, 30 February… are rejected there).
 */
const TOKENS: [string, string, keyof Parts][] = [
  ['YYYY', '(\\d{4})', 'year'],
  ['SSS', '(\\d{3})', 'millis'],
  ['MM', '(\\d{2})', 'month'],
  ['DD', '(\\d{2})', 'day'],
  ['HH', '(\\d{2})', 'hour'],
  ['hh', '(\\d{2})', 'hour12'],
  ['mm', '(\\d{2})', 'minute'],
  ['ss', '(\\d{2})', 'second'],
  ['M', '(\\d{1,2})', 'month'],
  ['D', '(\\d{1,2})', 'day'],
  ['H', '(\\d{1,2})', 'hour'],
  ['h', '(\\d{1,2})', 'hour12'],
  ['A', '([AaPp][Mm])', 'ampm'],
];

interface Parts {
  year: string;
  month: string;
  day: string;
  hour: string;
  hour12: string;
  minute: string;
  second: string;
  millis: string;
  ampm: string;
}

export type DateParser = (raw: string) => string | null;

/** Compiles a format; throws an Error whose message says what is wrong with it. */
export function compileDateFormat(format: string): DateParser {
  let pattern = '';
  const order: (keyof Parts)[] = [];
  for (let i = 0; i < format.length;) {
    const token = TOKENS.find(([t]) => format.startsWith(t, i));
    if (token) {
      if (order.includes(token[2])) throw new Error(`"${token[0]}" appears twice`);
      pattern += token[1];
      order.push(token[2]);
      i += token[0].length;
    } else {
      if (/[A-SU-Ya-z]/.test(format[i])) {
        throw new Error(
          `"${format[i]}" at position ${i + 1} is not a token; use YYYY, MM, M, DD, D, HH, H, hh, h, mm, ss, SSS, A (T, Z and characters other than letters are literal)`,
        );
      }
      pattern += format[i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  for (const needed of ['year', 'month', 'day'] as const) {
    if (!order.includes(needed)) throw new Error(`it has no ${needed} (YYYY, MM and DD are needed)`);
  }
  if (order.includes('hour12') !== order.includes('ampm'))
    throw new Error('hh/h (12-hour clock) and A (AM/PM) go together');
  if (order.includes('hour12') && order.includes('hour'))
    throw new Error('use either HH (24-hour) or hh with A (12-hour)');
  const regex = new RegExp(`^${pattern}$`);
  return (raw) => {
    const m = regex.exec(raw.trim());
    if (!m) return null;
    const p: Partial<Parts> = {};
    order.forEach((key, i) => (p[key] = m[i + 1]));
    let hour = Number(p.hour ?? 0);
    if (p.hour12 !== undefined) {
      const h = Number(p.hour12);
      if (h < 1 || h > 12) return null;
      const pm = p.ampm!.toUpperCase() === 'PM';
      hour = (h % 12) + (pm ? 12 : 0);
    }
    const two = (v: string | number | undefined) => String(v ?? 0).padStart(2, '0');
    return (
      `${p.year}-${two(p.month)}-${two(p.day)} ${two(hour)}:${two(p.minute)}:${two(p.second)}` +
      (p.millis !== undefined ? `.${p.millis}` : '')
    );
  };
}
