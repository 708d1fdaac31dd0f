import { CsvError, parse } from 'csv-parse';
import { Readable } from 'node:stream';

/**
 * Streams CSV records with csv-parse: RFC 4180 fields (quoted with `"`, doubled inside,
 * newlines allowed inside quotes), LF or CRLF line ends (mixed too), a UTF-8 BOM dropped,
 * empty lines skipped. Each record carries the line on which it starts, counted here rather
 * than taken from csv-parse's `info.lines`, which counts a CRLF inside a quoted field as two.
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
  // csv-parse's own message quotes the field, which may hold personal data, and counts lines its own way.
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one',
};

export interface ReadCsvOptions {
  /** The line on which the input starts (a part of a file read from a record's start: see csv-chunks.ts). */
  firstLine?: number;
  /** Drop a UTF-8 BOM at the start (default); off for a part that does not start the file. */
  bom?: boolean;
}

export async function* readCsv(
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
