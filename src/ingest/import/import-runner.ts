import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs, WriteStream } from 'node:fs';
import { basename } from 'node:path';
import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { CallerPseudonymizer } from '../pii/caller-pseudonymizer.js';
import { PiiScrubber } from '../pii/pii-scrubber.js';
import { BatchWriter, type CaseBatchHook } from './batch-writer.js';
import { CASE_BATCH_HOOKS } from './case-batch-hooks.js';
import { selectRows } from './select-rows.js';
import { InputError, type BoundMapper, type CaseInput, type TrafficInput } from './case-input.js';
import { pump, type Reject } from './pump.js';
import type { ColumnMapping } from './mapping/column-mapping.js';
import { bindMapping } from './mapping/mapped-profile.js';
import { shippedMapping } from './mapping/mapping-files.js';
import { bindJsonl } from './profiles/jsonl.profile.js';
import { DEFAULT_SOURCES, type ProfileContext, type ProfileName } from './profiles/profile.js';
import { bindTraffic } from './profiles/traffic.profile.js';
import { ReferenceIndex } from './reference-index.js';
import { createsReferences } from './mapping/column-mapping.js';
import { CHUNK_BYTES, mappingWorkers, mapInWorkers } from './parallel-mapping.js';
import { openCsv, openJsonl, type RowSource } from './row-sources.js';
import { purgeFreeText } from './free-text-retention.js';
import { analyzeAfterImport } from './fresh-statistics.js';
import { HistoryLoader } from './history-loader.js';

export interface ImportOptions {
  file: string;
  /** A built-in profile, or `mapping` for a mapping file (`import --map`). */
  profile?: ProfileName;
  mapping?: ColumnMapping;
  source?: string;
  rejectsFile?: string;
  batchSize?: number;
  /** Called after each committed batch with bytes read and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * Collect garbage after every batch (see `collectGarbage`), so the process's peak memory stays
   * flat whatever the file size. On for file imports (`run`, the CLI, a process of its own);
   * off by default for `importRows` inside the server (the demo), where V8 decides.
   */
  collectGarbagePerBatch?: boolean;
  /** Days the scrubbed free text of a case is kept (FREE_TEXT_RETENTION_DAYS); default 0: not stored. */
  freeTextRetentionDays?: number;
  /**
   * A history load (`import --history`, cases only): months without cases are loaded as detached
   * partitions and attached with their indexes built once (src/ingest/import/history-loader.ts).
   */
  history?: boolean;
  /**
   * A history load of a CSV file: worker threads that map its rows (parallel-mapping.ts; 0: the
   * import's own thread). Default: one per core up to four, none on one core or for a file under
   * 8 MB. Mappings that add reference rows (`create`) and resumed imports map in one thread.
   */
  mapWorkers?: number;
  /** Bytes of the file a mapping worker takes at a time (default CHUNK_BYTES, 2 MiB). */
  mapChunkBytes?: number;
}

export interface ImportSummary {
  file: string;
  /** The profile, or `map:<name>` for a mapping file. */
  profile: string;
  source: string;
  batchId: string;
  /** Records (data rows) in the file. */
  records: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  /** Records skipped because an earlier, interrupted run of the same file committed them. */
  resumedAfter: number;
  warnings: Record<string, number>;
  unknownColumns: string[];
  rejectsFile: string | null;
  /** The first few rejects (line and reason), for a quick look without the rejects file. */
  firstRejects: { line: number; reason: string }[];
  seconds: number;
}

const DEFAULT_BATCH = 5_000;

/**
 * Imports one file: hashes it, resumes an interrupted import of the same file (same sha256
 * and profile) after its last committed record, maps and validates rows as they stream in,
 * and writes batches while the next one is being parsed. Each batch commits with the
 * import's progress, so a killed import resumes where it stopped.
 */
/** Imports at least this large refresh the planner statistics of the tables they wrote. */
const ANALYZE_AFTER_ROWS = 10_000;

export class ImportRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pseudonymKey: Buffer,
    /** Run inside each case batch's transaction (see `CaseBatchHook`); default: CASE_BATCH_HOOKS. */
    private readonly hooks: readonly CaseBatchHook[] = CASE_BATCH_HOOKS,
  ) {}

  async run(options: ImportOptions): Promise<ImportSummary> {
    const size = await fileSize(options.file);
    const sha256 = await hashFile(options.file);
    profileOf(options);
    const input: RowSource<unknown> =
      options.profile === 'jsonl' ? openJsonl(options.file) : await openCsv(options.file);
    return this.importRows(input, {
      collectGarbagePerBatch: true,
      ...options,
      fileName: basename(options.file),
      sha256,
      size,
      csvFile: options.profile === 'jsonl' ? undefined : options.file,
    });
  }

  /**
   * Imports rows from any source (a file, or the generator for the demo); `sha256` identifies
   * the input for resuming.
   */
  async importRows(
    input: RowSource<unknown>,
    options: ImportOptions & {
      fileName: string;
      sha256: string;
      size: number;
      /** The CSV file the rows come from, for mapping workers to read (history loads). */
      csvFile?: string;
    },
  ): Promise<ImportSummary> {
    const started = Date.now();
    const { sha256, size } = options;
    const profile = profileOf(options);
    if (options.history && profile === 'traffic')
      throw new InputError('--history loads case files; call traffic is small enough for the day-to-day import');
    const source =
      options.source?.trim() ||
      (options.mapping ? (options.mapping.source ?? options.mapping.name) : DEFAULT_SOURCES[profile as ProfileName]);
    const refs = await ReferenceIndex.load(this.dataSource);
    const ctx: ProfileContext = {
      refs,
      scrubber: new PiiScrubber(),
      pseudonymizer: new CallerPseudonymizer(this.pseudonymKey),
      source,
      now: Date.now(),
    };
    const runner = this.dataSource.createQueryRunner();
    let rejects: WriteStream | null = null;
    let batchId: string | null = null;
    let history: HistoryLoader | null = null;
    try {
      const mapper = await bindProfile(options, input.header, ctx);
      const client = (await runner.connect()) as PoolClient;
      const [{ locked }] = await selectRows<{ locked: boolean }>(
        runner,
        `SELECT pg_try_advisory_lock(hashtext('hgw-import:' || $1)) AS locked`,
        [sha256],
      );
      if (!locked) throw new InputError('another import of this file is running; wait for it to finish');
      // Batches commit without waiting for their WAL to reach disk: a kill of the import still
      // leaves whole batches only (each batch and its checkpoint are one transaction), and a
      // crash of the server loses at most the last few batches together with their checkpoint,
      // which a rerun redoes. The import's completion below waits for the disk, and with it
      // every batch before it.
      // Per-batch statements are cheap but their estimated costs grow with the table, and past
      // jit_above_cost PostgreSQL spends more compiling them than running them (0.4 s a batch).
      await runner.query(`SET synchronous_commit = off; SET jit = off`);
      const resume = await selectRows<{ id: string; committed_lines: number }>(
        runner,
        `SELECT id, committed_lines FROM import_batch WHERE file_sha256 = $1 AND profile = $2 AND status <> 'completed'
         ORDER BY id DESC LIMIT 1`,
        [sha256, profile],
      );
      const skip = resume[0]?.committed_lines ?? 0;
      if (resume[0]) {
        batchId = resume[0].id;
        await runner.query(`UPDATE import_batch SET status = 'running' WHERE id = $1`, [batchId]);
      } else {
        const inserted = await selectRows<{ id: string }>(
          runner,
          `INSERT INTO import_batch (profile, source, file_name, file_sha256) VALUES ($1, $2, $3, $4) RETURNING id`,
          [profile, source, options.fileName, sha256],
        );
        batchId = inserted[0].id;
      }
      if (options.rejectsFile)
        rejects = createWriteStream(options.rejectsFile, { flags: skip > 0 ? 'a' : 'w', mode: 0o600 });
      const firstRejects: Reject[] = [];
      const writer = new BatchWriter(runner, client, batchId, this.hooks, options.freeTextRetentionDays ?? 0);
      const loader = options.history
        ? new HistoryLoader(
            runner,
            client,
            batchId,
            this.hooks,
            options.freeTextRetentionDays ?? 0,
            ctx.now,
            this.dataSource,
          )
        : null;
      history = loader;
      const afterCommit = async (batchRejects: Reject[], bytesRead: number) => {
        for (const r of batchRejects) if (firstRejects.length < 5) firstRejects.push(r);
        if (rejects)
          for (const r of batchRejects) if (!rejects.write(JSON.stringify(r) + '\n')) await once(rejects, 'drain');
        options.onProgress?.(bytesRead, size);
      };
      const mapping = loader && options.csvFile && skip === 0 ? await csvMapping(options) : undefined;
      const workers = mapping && !createsReferences(mapping) ? mappingWorkers(options.mapWorkers, size) : 0;
      let records = 0;
      if (loader && mapping && workers > 0) {
        // The rows are mapped in worker threads, which read the file themselves (parallel-mapping.ts).
        await mapInWorkers(
          {
            file: options.csvFile as string,
            header: input.header ?? [],
            mappingDocument: mapping.document,
            mappingOrigin: `the mapping ${mapping.name}`,
            profile: options.mapping ? undefined : options.profile,
            source,
            pseudonymKey: new Uint8Array(this.pseudonymKey),
            references: refs.loadedRows(),
            now: ctx.now as number,
            textFrom: loader.textFrom,
          },
          workers,
          options.mapChunkBytes ?? CHUNK_BYTES,
          async (chunk) => {
            records += chunk.records;
            for (const [key, n] of Object.entries(chunk.warnings))
              mapper.warnings[key] = (mapper.warnings[key] ?? 0) + n;
            await loader.stageCopy(chunk.copy, chunk.accepted, null, {
              committedRecords: records,
              rejected: chunk.rejects.length,
            });
            await afterCommit(chunk.rejects, chunk.end);
          },
        );
      } else
        records = await pump({
          rows: input.rows,
          mapper,
          skip,
          batchSize: options.batchSize ?? (options.profile === 'traffic' ? 20_000 : DEFAULT_BATCH),
          collectGarbageEvery: options.collectGarbagePerBatch ? DEFAULT_BATCH : undefined,
          write: async (rows, refsToAdd, counts) => {
            if (loader) return loader.stage(rows as CaseInput[], refsToAdd, counts);
            return options.profile === 'traffic'
              ? writer.writeTraffic(rows as TrafficInput[], counts)
              : writer.writeCases(rows as CaseInput[], refsToAdd, counts);
          },
          afterCommit: (batchRejects) => afterCommit(batchRejects, input.bytesRead()),
        });
      await runner.query(`SET synchronous_commit = on`);
      const loaded = loader ? await loader.finish() : null;
      await purgeFreeText(runner, options.freeTextRetentionDays ?? 0);
      await runner.query(`UPDATE import_batch SET status = 'completed', finished_at = now() WHERE id = $1`, [batchId]);
      const [totals] = await selectRows<{ accepted: number; rejected: number; duplicates: number }>(
        runner,
        `SELECT accepted, rejected, duplicates FROM import_batch WHERE id = $1`,
        [batchId],
      );
      // Fresh planner statistics after a bulk load (fresh-statistics.ts); autovacuum would get
      // there, but later, and never to the partitioned table's own.
      if (totals.accepted >= ANALYZE_AFTER_ROWS) {
        const table = options.profile === 'traffic' ? 'call_traffic' : 'case_record';
        const months = [
          ...writer.wroteInto[table],
          ...(loaded?.attachedMonths ?? []),
          ...(loaded?.insertedMonths ?? []),
        ];
        await analyzeAfterImport(
          this.dataSource,
          runner,
          table,
          months,
          table === 'case_record' ? ['case_keyword'] : [],
          totals.accepted,
        );
      }
      return {
        file: options.file,
        profile: options.mapping ? `map:${options.mapping.name}` : profile,
        source,
        batchId,
        records,
        accepted: totals.accepted,
        rejected: totals.rejected,
        duplicates: totals.duplicates,
        resumedAfter: skip,
        warnings: { ...mapper.warnings },
        unknownColumns: mapper.unknownColumns,
        rejectsFile: options.rejectsFile ?? null,
        firstRejects: firstRejects.map(({ line, reason }) => ({ line, reason })),
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
    } catch (e) {
      // A history load's one transaction, open from its first staged cases: nothing of it stays.
      await history?.abort();
      if (batchId !== null && runner.connection.isInitialized) {
        await runner.query(`UPDATE import_batch SET status = 'failed' WHERE id = $1`, [batchId]).catch(() => undefined);
      }
      throw e;
    } finally {
      input.close();
      if (rejects) {
        rejects.end();
        await once(rejects, 'close').catch(() => undefined);
      }
      await runner.query(`SELECT pg_advisory_unlock_all()`).catch(() => undefined);
      // The connection goes back to the pool as it came: other work there commits durably.
      await runner.query(`RESET synchronous_commit; RESET jit`).catch(() => undefined);
      await runner.release();
    }
  }
}

/**
 * What import_batch records as the profile, and resumes by: the profile's name, or for a mapping file
 * `map:<name>:<sha256 of the mapping, 12 hex>` (a changed mapping starts afresh rather than resume).
 */
function profileOf(options: ImportOptions): string {
  if (options.mapping && options.profile) throw new InputError('give either a profile or a mapping, not both');
  if (options.mapping) return `map:${options.mapping.name}:${options.mapping.sha256.slice(0, 12)}`;
  if (!options.profile) throw new InputError('give a profile (12345, nyc311, jsonl, traffic) or a mapping file');
  return options.profile;
}

/** The mapping a CSV import maps with: the mapping file, or the shipped profile's; none for jsonl and traffic. */
async function csvMapping(options: ImportOptions): Promise<ColumnMapping | undefined> {
  if (options.mapping) return options.mapping;
  if (options.profile === '12345' || options.profile === 'nyc311') return shippedMapping(options.profile);
  return undefined;
}

async function bindProfile(
  options: ImportOptions,
  header: string[] | null,
  ctx: ProfileContext,
): Promise<BoundMapper<unknown, unknown>> {
  if (options.mapping) return bindMapping(options.mapping, header ?? [], ctx);
  if (options.profile === 'jsonl') return bindJsonl(ctx);
  const h = header as string[];
  switch (options.profile) {
    case '12345':
    case 'nyc311':
      // The CSV profiles are mapping files shipped in mappings/ (docs/ingest.md, "Mapping files").
      return bindMapping(await shippedMapping(options.profile), h, ctx, options.profile);
    case 'traffic':
    default:
      return bindTraffic(h, ctx);
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new InputError(`${file} is not a file`);
    return stat.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
