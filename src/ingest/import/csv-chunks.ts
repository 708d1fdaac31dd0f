import { open } from 'node:fs/promises';

/** A run of whole records of a CSV file: bytes [start, end), the first of which is on line `firstLine`. */
export interface CsvChunk {
  index: number;
  start: number;
  end: number;
  firstLine: number;
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Cuts a CSV file after its header into chunks of about `targetBytes` that start and end at a
 * record's end, so that each can be parsed on its own (by readCsv, from `firstLine`) with the
 * records, lines and errors of reading the whole file. A record ends at a newline outside quotes:
 * every `"` toggles quoting (RFC 4180's doubled `""` inside a quoted field toggles twice). Where a
 * file breaks that rule, csv-parse fails at the first such place, which lies in the chunk that
 * reads it from a true record start, so the first error in file order is the error of reading
 * the file whole (chunks after it may fail otherwise: only the first counts).
 */
export async function csvChunks(file: string, targetBytes: number): Promise<{ headerEnd: number; chunks: CsvChunk[] }> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    const chunks: CsvChunk[] = [];
    let headerEnd = -1;
    let quoted = false;
    let newlines = 0;
    let start = 0;
    let startLine = 1;
    let offset = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const c = buffer[i];
        if (c === QUOTE) quoted = !quoted;
        else if (c === NEWLINE) {
          newlines++;
          if (quoted) continue;
          const end = offset + i + 1;
          if (headerEnd < 0) {
            headerEnd = end;
            start = end;
            startLine = newlines + 1;
          } else if (end - start >= targetBytes) {
            chunks.push({ index: chunks.length, start, end, firstLine: startLine });
            start = end;
            startLine = newlines + 1;
          }
        }
      }
      offset += bytesRead;
    }
    if (headerEnd < 0) headerEnd = offset;
    if (offset > start && headerEnd < offset)
      chunks.push({ index: chunks.length, start, end: offset, firstLine: startLine });
    return { headerEnd, chunks };
  } finally {
    await handle.close();
  }
}
