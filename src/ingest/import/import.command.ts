import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { CliContext } from '../../database/cli-context.js';
import { CliFailure } from '../../database/cli-context.js';
import { notifyRecordsChanged } from '../../records/records-changed.js';
import type { RetentionResult } from '../retention/case-retention.js';
import { describeRetention } from '../retention/retention.command.js';
import { loadPseudonymKey, PseudonymKeyError } from '../pii/pseudonym-key.js';
import { InputError } from './case-input.js';
import { ImportRunner, type ImportSummary } from './import-runner.js';
import { loadMappingFile } from './mapping/mapping-files.js';
import { PROFILES, type ProfileName } from './profiles/profile.js';

interface ImportFlags {
  profile?: ProfileName;
  map?: string;
  rejects?: string;
  source?: string;
  batchSize?: string;
  json?: boolean;
  history?: boolean;
  workers?: string;
}

/** `hotline-gateway import FILE (--profile 12345|nyc311|jsonl|traffic | --map MAPPING.json) [--rejects FILE] [--json]` */
export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('load case records (or hourly call traffic) from a file; personal data is removed on the way in')
    .argument('<file>', 'CSV (12345, nyc311, traffic, or any layout with --map) or JSON Lines (jsonl) file')
    .addOption(new Option('--profile <profile>', 'the file format').choices([...PROFILES]))
    .option(
      '--map <mapping.json>',
      "a mapping file for a CSV layout no profile knows (docs/ingest.md, 'Mapping files')",
    )
    .option(
      '--rejects <file>',
      'write each rejected row (line, reason, personal fields blanked) to this JSON Lines file',
    )
    .option('--source <name>', 'source name; case numbers are unique per source (default per profile)')
    .option('--batch-size <n>', 'rows per transaction', '5000')
    .option(
      '--history',
      'a history load: months without cases are loaded whole, their indexes built once (docs/scaling.md)',
    )
    .option(
      '--workers <n>',
      'with --history: worker threads that map the rows of a CSV file (default: one per core up to 4; 0: none)',
    )
    .option('--json', 'print one JSON object')
    .action(async (file: string, flags: ImportFlags) => {
      if ((flags.profile === undefined) === (flags.map === undefined)) {
        throw new CliFailure(
          `import: give either --profile ${PROFILES.join('|')} or --map MAPPING.json${flags.profile ? ', not both' : ''}`,
          2,
        );
      }
      const mapping = flags.map === undefined ? undefined : await loadMappingFile(flags.map).catch(rethrowAsFailure);
      const batchSize = Number(flags.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
        throw new CliFailure('--batch-size: expected a whole number from 1 to 100000', 2);
      }
      let mapWorkers: number | undefined;
      if (flags.workers !== undefined) {
        mapWorkers = Number(flags.workers);
        if (!Number.isInteger(mapWorkers) || mapWorkers < 0 || mapWorkers > 16)
          throw new CliFailure('--workers: expected a whole number from 0 to 16', 2);
        if (!flags.history) throw new CliFailure('--workers: only a history load (--history) maps in workers', 2);
      }
      const summary = await ctx.withDatabase(async (db) => {
        const key = await loadPseudonymKey(ctx.config).catch(rethrowAsFailure);
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: 'import |{bar}| {percentage}% {value}/{total} MB | {eta}s left' },
              cliProgress.Presets.shades_classic,
            )
          : null;
        let barStarted = false;
        try {
          const result = await new ImportRunner(db.dataSource, key).run({
            file,
            profile: flags.profile,
            mapping,
            rejectsFile: flags.rejects,
            source: flags.source,
            batchSize,
            freeTextRetentionDays: ctx.config.freeTextRetentionDays,
            history: flags.history === true,
            mapWorkers,
            onProgress: (read, total) => {
              if (!bar) return;
              const mb = (n: number) => Math.round(n / 1e5) / 10;
              if (!barStarted) bar.start(mb(total), 0);
              barStarted = true;
              bar.update(mb(read));
            },
          });
          if (bar && barStarted) bar.stop();
          // Loaded only when it runs: it brings Nest with it, which `--help` must not pay for.
          const { applyCaseRetention } = await import('../retention/case-retention.js');
          const retention = await applyCaseRetention(ctx.config, db.dataSource);
          await notifyRecordsChanged(db.dataSource);
          return { ...result, retention };
        } catch (e) {
          if (bar && barStarted) bar.stop();
          return rethrowAsFailure(e);
        }
      });
      ctx.out(flags.json ? summary : describe(summary));
    });
}

function rethrowAsFailure(e: unknown): never {
  if (e instanceof InputError) throw new CliFailure(`import: ${e.message}`, 1);
  if (e instanceof PseudonymKeyError) throw new CliFailure(e.message, 2);
  throw e;
}

function describe(s: ImportSummary & { retention: RetentionResult | null }): string {
  const lines = [
    `imported ${s.file} (${s.profile}, source ${s.source}, batch ${s.batchId}) in ${s.seconds}s`,
    `records ${s.records}: accepted ${s.accepted}, rejected ${s.rejected}, duplicates ${s.duplicates}` +
      (s.resumedAfter ? ` (resumed after record ${s.resumedAfter})` : ''),
  ];
  if (Object.keys(s.warnings).length) lines.push(`warnings: ${JSON.stringify(s.warnings)}`);
  if (s.unknownColumns.length) lines.push(`columns not used: ${s.unknownColumns.join(', ')}`);
  for (const r of s.firstRejects) lines.push(`rejected line ${r.line}: ${r.reason}`);
  if (s.rejectsFile && s.rejected) lines.push(`all rejects: ${s.rejectsFile}`);
  if (s.retention) lines.push(describeRetention(s.retention));
  return lines.join('\n');
}
