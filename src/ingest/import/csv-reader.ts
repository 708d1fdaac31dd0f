import { CsvError, parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { parseCsvText } from './csv-fast.js';

/**
 * Streams CSV records as csv-parse reads them: RFC 4180 fields (quoted with `"`, doubled inside,
 * newlines allowed inside quotes), LF or CRLF line ends (mixed too), a UTF-8 BOM dropped,
 * empty lines skipped. Each record carries the line on which it starts, counted here rather
 * than taken from csv-parse's `info.lines`, which counts a CRLF inside a quoted field as two.
 * Plain records are cut by parseCsvText (csv-fast.ts, several times cheaper a row); from the first
 * record it does not take on, csv-parse reads the rest, so records, lines and errors are csv-parse's.
 */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvRecord {
  line: number;
  fields: string[];
}

const MESSAGES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected text after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected text after a closing quote',
  // csv-parse's own message names its line count from where it started reading (not the file's
  // line when a part of the file is read) and quotes the field, which may be personal.
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one',
};

export interface ReadCsvOptions {
  /** The line on which the input starts (a part of a file read from a record's start: see csv-chunks.ts). */
  firstLine?: number;
  /** Drop a UTF-8 BOM at the start (default); off for a part that does not start the file. */
  bom?: boolean;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A record still open after this many bytes (a huge quoted field) is left to csv-parse. */
const MAX_PENDING_BYTES = 8 << 20;

export async function* readCsv(
  input: Readable | AsyncIterable<string | Buffer>,
  options: ReadCsvOptions = {},
): AsyncGenerator<CsvRecord> {
  const source = input instanceof Readable ? input : Readable.from(input);
  // The stream stays open when the records are not all read, as it did piped into csv-parse.
  const parts = source.iterator({ destroyOnReturn: false });
  let line = options.firstLine ?? 1;
  /** Bytes from a record's start on, not yet read. */
  let pending = Buffer.alloc(0);
  let bom = options.bom ?? true;
  let done = false;
  try {
    for (;;) {
      const next = (await parts.next()) as IteratorResult<string | Buffer>;
      done = next.done === true;
      if (!done) {
        const part = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        pending = pending.length === 0 ? part : Buffer.concat([pending, part]);
      }
      if (bom) {
        if (pending.length < 3 && !done) continue;
        // A UTF-8 BOM is dropped here; another (UTF-16, which csv-parse decodes) goes to csv-parse.
        if (pending.length >= 2 && (pending[0] === 0xff || pending[0] === 0xfe)) break;
        if (pending.subarray(0, 3).equals(UTF8_BOM)) pending = pending.subarray(3);
        bom = false;
      }
      const cut = done ? pending.length : pending.lastIndexOf(0x0a) + 1;
      if (cut > 0) {
        const text = pending.toString('utf8', 0, cut);
        // Bytes that are not UTF-8 decode to U+FFFD: csv-parse decodes them field by field.
        const parsed = text.includes('\uFFFD') ? null : parseCsvText(text, done);
        if (parsed === null) break;
        for (const fields of parsed.records) {
          const start = line;
          line++;
          if (fields.length === 1 && fields[0] === '') continue;
          for (const f of fields) for (let p = f.indexOf('\n'); p !== -1; p = f.indexOf('\n', p + 1)) line++;
          yield { line: start, fields };
        }
        pending = pending.subarray(
          parsed.consumed === text.length ? cut : Buffer.byteLength(text.slice(0, parsed.consumed)),
        );
      }
      if (done) return;
      if (pending.length > MAX_PENDING_BYTES) break;
    }
  } catch (e) {
    await parts.return?.();
    throw e;
  }
  // The rest from the first record parseCsvText did not take, with csv-parse.
  const rest = pending;
  const ended = done;
  yield* readWithCsvParse(
    Readable.from(
      (async function* () {
        try {
          if (rest.length > 0) yield rest;
          if (!ended) for (let n = await parts.next(); !n.done; n = await parts.next()) yield n.value as Buffer | string;
        } finally {
          await parts.return?.();
        }
      })(),
    ),
    { firstLine: line, bom },
  );
}

/** readCsv with csv-parse alone (the rest of a file from a record's start: `firstLine`, `bom`). */
export async function* readWithCsvParse(
  input: Readable | AsyncIterable<string | Buffer>,
  options: ReadCsvOptions = {},
): AsyncGenerator<CsvRecord> {
  const parser = parse({
    bom: options.bom ?? true,
    // Every record ends at LF or CRLF, whatever the first line used.
    record_delimiter: ['\r\n', '\n'],
    // A row with the wrong number of fields is the profile's to reject, with its line.
    relax_column_count: true,
    // Empty lines come through as one empty field, so that they can be counted as lines.
    skip_empty_lines: false,
  });
  const source = input instanceof Readable ? input : Readable.from(input);
  // Records are taken from 'data' events rather than the stream's async iterator, which drops
  // the records parsed before an error and so would lose the line of a malformed one.
  let queue: string[][] = [];
  const state: { failure: Error | null; ended: boolean } = { failure: null, ended: false };
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  parser.on('data', (fields: string[]) => {
    queue.push(fields);
    if (queue.length >= 2_000) parser.pause();
    signal();
  });
  parser.on('error', (e: Error) => {
    state.failure = e;
    signal();
  });
  parser.on('end', () => {
    state.ended = true;
    signal();
  });
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  let line = options.firstLine ?? 1;
  try {
    for (;;) {
      const records = queue;
      queue = [];
      for (const fields of records) {
        const start = line;
        line++;
        if (fields.length === 1 && fields[0] === '') continue;
        for (const f of fields) for (let p = f.indexOf('\n'); p !== -1; p = f.indexOf('\n', p + 1)) line++;
        yield { line: start, fields };
      }
      if (queue.length > 0) continue;
      const failure = state.failure;
      if (failure !== null) {
        if (failure instanceof CsvError) throw new CsvSyntaxError(MESSAGES[failure.code] ?? failure.message, line);
        throw failure;
      }
      if (state.ended) return;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      parser.resume();
      await woken;
    }
  } finally {
    source.unpipe(parser);
    parser.destroy();
  }
}
