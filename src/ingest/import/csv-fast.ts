const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Records parsed from the start of a text, and how many of its characters they took. */
export interface FastRecords {
  records: string[][];
  consumed: number;
}

/**
 * The common case of readCsv's CSV without csv-parse's per-byte state machine: records of a text
 * decoded once, fields cut with `slice`. It accepts only what csv-parse (with readCsv's options)
 * reads to the same records without doubt — fields unquoted without `"` or a lone CR, or quoted
 * from their first character with `""` inside, each followed by `,`, LF, CRLF or the end — and
 * returns null at anything else (a stray quote, text after a closing quote, a lone CR outside
 * quotes, an unclosed quote at the end): the caller then reads from the first record not returned
 * on with csv-parse, which reports the error or reads the oddity as before. An empty line is one
 * empty field, as csv-parse gives it. `final` false: the text ends with LF and may stop inside a
 * quoted field that continues in the next part; the records end before that record (`consumed`).
 */
export function parseCsvText(text: string, final: boolean): FastRecords | null {
  const records: string[][] = [];
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    const recordStart = pos;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        let value = '';
        let from = pos + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) return final ? null : { records, consumed: recordStart };
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += text.slice(from, q);
          pos = q + 1;
          break;
        }
        fields.push(value);
      } else {
        let i = pos;
        let c = 0;
        for (; i < n; i++) {
          c = text.charCodeAt(i);
          if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
        }
        if (i < n && c === QUOTE) return null;
        fields.push(text.slice(pos, i));
        pos = i;
      }
      if (pos >= n) {
        if (!final) return null;
        break;
      }
      const c = text.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        continue;
      }
      if (c === LF) {
        pos++;
        break;
      }
      if (c === CR && text.charCodeAt(pos + 1) === LF) {
        pos += 2;
        break;
      }
      return null;
    }
    records.push(fields);
  }
  return { records, consumed: n };
}
