import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { scrubPersonalData } from '../../logging/scrub.js';
import { InputError } from './case-input.js';
import { csvChunks, type CsvChunk } from './csv-chunks.js';
import type { ReferenceRows } from './reference-index.js';
import type { Reject } from './pump.js';

/** What a mapping worker is started with (workerData): everything the import's own mapper was bound with. */
export interface WorkerSetup {
  file: string;
  header: string[];
  /** The mapping's checked JSON document and the origin its errors name (ColumnMapping.document). */
  mappingDocument: unknown;
  mappingOrigin: string;
  /** For a shipped mapping: the profile it implements (bindMapping's `profile`). */
  profile?: string;
  source: string;
  pseudonymKey: Uint8Array;
  references: ReferenceRows;
  /** The import's clock (CaseBuilder: "in the future"). */
  now: number;
  /** Free text staged only for cases received from then on (textKeptFrom). */
  textFrom: number;
}

/** A refused row of a chunk, as the import writes it to the rejects file. */
export type ChunkReject = Reject;

/** A mapped chunk: COPY text of its accepted cases (encodeHistoryStage), its rejects and warnings. */
export interface MappedChunk {
  index: number;
  /** Byte offset in the file where the chunk ends. */
  end: number;
  records: number;
  accepted: number;
  rejects: ChunkReject[];
  warnings: Record<string, number>;
  copy: Buffer;
}

export type ToMain =
  | { type: 'ready' }
  | (Omit<MappedChunk, 'copy' | 'end'> & { type: 'chunk'; copy: Uint8Array })
  | { type: 'failed'; index: number; message: string; csvLine?: number; unreadable?: boolean };

/** A chunk is about this many bytes of the file (some 4,000 cases of the 12345 layout). */
export const CHUNK_BYTES = 2 << 20;
/** Files smaller than this are mapped in the import's own thread: starting workers would cost more. */
export const MIN_PARALLEL_BYTES = 8 << 20;
const MAX_AUTO_WORKERS = 4;

/**
 * How many worker threads map a history load's rows: `requested` when given (0: none), else one
 * per core up to four, none on one core or for a file under MIN_PARALLEL_BYTES.
 */
export function mappingWorkers(requested: number | undefined, fileBytes: number): number {
  if (requested !== undefined) return requested;
  const cores = availableParallelism();
  return cores < 2 || fileBytes < MIN_PARALLEL_BYTES ? 0 : Math.min(MAX_AUTO_WORKERS, cores);
}

/**
 * The worker's script: map-worker.js beside this module; from the TypeScript sources (the tests,
 * under ts-jest) the compiled one in dist/, which `npm run build` makes.
 */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const script = here.endsWith('.ts')
    ? fileURLToPath(new URL('../../../dist/src/ingest/import/map-worker.js', import.meta.url))
    : fileURLToPath(new URL('./map-worker.js', import.meta.url));
  if (!existsSync(script)) throw new Error(`the mapping worker ${script} is missing; run npm run build`);
  return script;
}

interface Pending {
  chunk: CsvChunk;
  resolve: (c: MappedChunk) => void;
  reject: (e: Error) => void;
}

/** One worker thread and the chunk it is mapping. */
class MappingWorker {
  private readonly worker: Worker;
  readonly ready: Promise<void>;
  private current: Pending | null = null;
  private failure: Error | null = null;
  private setReady!: () => void;
  private failReady!: (e: Error) => void;

  constructor(script: string, setup: WorkerSetup) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.setReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => undefined);
    this.worker = new Worker(script, {
      workerData: setup,
      stdout: false,
      stderr: false,
    });
    this.worker.on('message', (m: ToMain) => this.received(m));
    this.worker.on('error', (e: Error) =>
      this.fail(new Error(`a mapping worker failed: ${scrubPersonalData(e.message)}`)),
    );
    this.worker.on('exit', (code) => this.fail(new Error(`a mapping worker stopped (exit code ${code})`)));
  }

  map(chunk: CsvChunk): Promise<MappedChunk> {
    return this.ready.then(
      () =>
        new Promise<MappedChunk>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          this.current = { chunk, resolve, reject };
          this.worker.postMessage(chunk);
        }),
    );
  }

  async stop(): Promise<void> {
    this.failure ??= new Error('the mapping workers were stopped');
    await this.worker.terminate();
  }

  private received(m: ToMain): void {
    if (m.type === 'ready') return this.setReady();
    const pending = this.current;
    this.current = null;
    if (!pending) return;
    if (m.type === 'failed') {
      // The errors of reading the file in one thread (row-sources.ts), else the worker's own.
      pending.reject(
        m.csvLine !== undefined
          ? new InputError(`the CSV is malformed at line ${m.csvLine}: ${m.message}`)
          : m.unreadable
            ? new InputError(`cannot read the file: ${m.message}`)
            : new Error(`a mapping worker failed on the rows from line ${pending.chunk.firstLine}: ${m.message}`),
      );
      return;
    }
    pending.resolve({
      index: m.index,
      end: pending.chunk.end,
      records: m.records,
      accepted: m.accepted,
      rejects: m.rejects,
      warnings: m.warnings,
      copy: Buffer.from(m.copy.buffer, m.copy.byteOffset, m.copy.byteLength),
    });
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.failReady(e);
    const pending = this.current;
    this.current = null;
    pending?.reject(e);
  }
}

/**
 * Maps the rows of a CSV file in `workers` worker threads (map-worker.ts), a chunk of the file
 * (csv-chunks.ts) at a time each, and hands the mapped chunks to `consume` one at a time, in file
 * order, while the workers map on: at most two chunks per worker are mapped ahead of `consume`,
 * so memory stays flat. The first failure in file order (a malformed CSV at its line, a worker's error) stops the
 * workers and is thrown; so is an error of `consume`.
 */
export async function mapInWorkers(
  setup: WorkerSetup,
  workers: number,
  chunkBytes: number,
  consume: (chunk: MappedChunk) => Promise<void>,
): Promise<void> {
  const script = workerScript();
  const pool = Array.from({ length: Math.max(1, workers) }, () => new MappingWorker(script, setup));
  try {
    // The workers load their dictionaries meanwhile.
    const { chunks } = await csvChunks(setup.file, chunkBytes);
    const results: Promise<MappedChunk>[] = [];
    const idle = [...pool];
    let next = 0;
    let delivered = 0;
    let stopped = false;
    const launch = () => {
      while (!stopped && idle.length > 0 && next < chunks.length && next - delivered < 2 * pool.length) {
        const worker = idle.pop() as MappingWorker;
        const result = worker.map(chunks[next++]);
        results.push(result);
        result.then(
          () => {
            idle.push(worker);
            launch();
          },
          () => {
            // Nothing after a failed chunk is started; the chunks before it finish, and the first failure is thrown.
            stopped = true;
          },
        );
      }
    };
    launch();
    while (delivered < chunks.length) {
      await consume(await results[delivered]);
      delivered++;
      launch();
    }
  } finally {
    await Promise.all(pool.map((w) => w.stop().catch(() => undefined)));
  }
}
