import { createReadStream, ReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError, type RawRow } from './case-input.js';
import { CsvSyntaxError, readCsv, type CsvRecord } from './csv-reader.js';

/** A file read as rows, with its header (CSV) and how many bytes have been read so far. */
export interface RowSource<R> {
  header: string[] | null;
  rows: AsyncIterable<RawRow<R>>;
  bytesRead(): number;
  close(): void;
}

/**
 * Streams a CSV file through csv-parse, which pulls from the file stream as it goes
 * (backpressure), so memory stays flat whatever the file size. The header is read first; rows
 * follow as string arrays with the line on which each starts.
 */
export async function openCsv(file: string): Promise<RowSource<string[]>> {
  const stream: ReadStream = createReadStream(file, { highWaterMark: 1 << 20 });
  const records = readCsv(stream)[Symbol.asyncIterator]();
  const first = await next(records);
  if (first.done) {
    stream.destroy();
    throw new InputError('the file is empty (no header line)');
  }
  const header = first.value.fields;
  async function* rows(): AsyncGenerator<RawRow<string[]>> {
    for (;;) {
      const item = await next(records);
      if (item.done) return;
      yield { line: item.value.line, raw: item.value.fields };
    }
  }
  return {
    header,
    rows: rows(),
    bytesRead: () => stream.bytesRead,
    close: () => {
      void records.return?.(undefined);
      stream.destroy();
    },
  };
}

async function next(iterator: AsyncIterator<CsvRecord>): Promise<IteratorResult<CsvRecord>> {
  try {
    return await iterator.next();
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new InputError(`the CSV is malformed at line ${e.line}: ${e.message}`);
    throw new InputError(`cannot read the file: ${(e as Error).message}`);
  }
}

/**
 * Rows from memory (the generator's cases, the demo's traffic, tests), numbered as a file's lines
 * would be: after the header line when there is one.
 */
export function rowsFrom<R>(items: Iterable<R>, header: string[] | null): RowSource<R> {
  return {
    header,
    rows: (async function* () {
      let line = header ? 1 : 0;
      for (const raw of items) yield { line: ++line, raw };
    })(),
    bytesRead: () => 0,
    close: () => undefined,
  };
}

/** Streams a JSON Lines file; a line that is not JSON becomes a row the profile rejects. */
export function openJsonl(file: string): RowSource<Record<string, unknown>> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  async function* rows(): AsyncGenerator<RawRow<Record<string, unknown>>> {
    // Created when reading starts: readline drops lines emitted before its iterator is attached.
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let line = 0;
    try {
      for await (const text of lines) {
        line++;
        const trimmed = text.trim();
        if (trimmed === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(trimmed.replace(/^\uFEFF/, ''));
        } catch {
          value = { __invalidJson: true };
        }
        yield { line, raw: value as Record<string, unknown> };
      }
    } catch (e) {
      throw new InputError(`cannot read the file: ${(e as Error).message}`);
    }
  }
  return { header: null, rows: rows(), bytesRead: () => stream.bytesRead, close: () => stream.destroy() };
}
