import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { scrubPersonalData } from '../../logging/scrub.js';
import { CallerPseudonymizer } from '../pii/caller-pseudonymizer.js';
import { PiiScrubber } from '../pii/pii-scrubber.js';
import { KeywordExtractor } from '../text-analytics/keyword-extractor.js';
import type { CaseInput } from './case-input.js';
import { encodeHistoryStage } from './copy-encoding.js';
import type { CsvChunk } from './csv-chunks.js';
import { CsvSyntaxError, readCsv } from './csv-reader.js';
import { parseMapping } from './mapping/column-mapping.js';
import { bindMapping } from './mapping/mapped-profile.js';
import type { ChunkReject, ToMain, WorkerSetup } from './parallel-mapping.js';
import { ReferenceIndex } from './reference-index.js';

/**
 * A worker thread of a history load (parallel-mapping.ts): reads the chunks of the CSV file it
 * is given itself, maps, validates and scrubs their rows as the import does in one thread (the
 * same mapping, reference tables, scrubber, pseudonym key and clock), extracts keywords, and
 * sends back only the COPY text of the staged cases (scrubbed, pseudonymized, free text only
 * where it may be stored) and the rejects with their personal fields blanked.
 */
const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('map-worker.js runs as a worker thread');

const mapper = bindMapping(
  parseMapping(setup.mappingDocument, setup.mappingOrigin),
  setup.header,
  {
    refs: ReferenceIndex.fromRows(setup.references),
    scrubber: new PiiScrubber(),
    pseudonymizer: new CallerPseudonymizer(Buffer.from(setup.pseudonymKey)),
    source: setup.source,
    now: setup.now,
  },
  setup.profile,
);
const extractor = KeywordExtractor.instance();
port.postMessage({ type: 'ready' } satisfies ToMain);

port.on('message', (chunk: CsvChunk) => {
  mapChunk(chunk).then(
    (message) => port.postMessage(message, [message.copy.buffer as ArrayBuffer]),
    (e: unknown) => {
      const message: ToMain =
        e instanceof CsvSyntaxError
          ? { type: 'failed', index: chunk.index, csvLine: e.line, message: e.message }
          : {
              type: 'failed',
              index: chunk.index,
              message: scrubPersonalData((e as Error)?.message ?? String(e)),
              // A file system error (ENOENT, EISDIR …): the file could not be read, as in one thread.
              unreadable: typeof (e as NodeJS.ErrnoException)?.code === 'string',
            };
      port.postMessage(message);
    },
  );
});

async function mapChunk(chunk: CsvChunk): Promise<Extract<ToMain, { type: 'chunk' }>> {
  const rows: CaseInput[] = [];
  const ords: number[] = [];
  const keywords: string[][] = [];
  const rejects: ChunkReject[] = [];
  const before = { ...mapper.warnings };
  let records = 0;
  const input = createReadStream(setup.file, { start: chunk.start, end: chunk.end - 1, highWaterMark: 1 << 20 });
  try {
    for await (const record of readCsv(input, { firstLine: chunk.firstLine, bom: false })) {
      records++;
      const result = mapper.map(record.fields);
      if (result.ok) {
        rows.push(result.value);
        ords.push(record.line);
        keywords.push(extractor.extract(result.value.requestText));
      } else rejects.push({ line: record.line, reason: result.reason, row: mapper.redact(record.fields) });
    }
  } finally {
    input.destroy();
  }
  const text = encodeHistoryStage(rows, ords, keywords, setup.textFrom);
  // A buffer of its own (not the shared pool), to be handed over without a copy.
  const copy = new Uint8Array(Buffer.byteLength(text));
  Buffer.from(copy.buffer).write(text);
  const warnings: Record<string, number> = {};
  for (const [key, n] of Object.entries(mapper.warnings))
    if (n !== (before[key] ?? 0)) warnings[key] = n - (before[key] ?? 0);
  return { type: 'chunk', index: chunk.index, records, accepted: rows.length, rejects, warnings, copy };
}
