import { Command } from 'commander';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliContext, CliFailure } from '../database/cli-context.js';
import { IntegrityReport } from './audit-chain.js';
import { checkpointsFromFile, exportAuditLog, verifyExportFile, verifyStoredChain } from './audit-integrity.js';

function readOrFail(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliFailure(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 2);
  }
}

function report(ctx: CliContext, r: IntegrityReport, json: boolean | undefined): void {
  if (!json) for (const note of r.notes ?? []) ctx.progress(`note: ${note}`);
  if (json) ctx.out(r);
  else if (r.ok) {
    ctx.out(
      `intact: ${r.eventsChecked} events, head ${r.headHash}, ${r.checkpointsChecked} signed checkpoints` +
        ` (last at ${r.lastCheckpointSeq ?? 'none'}; ${r.unanchoredEvents} events after it not yet anchored)`,
    );
  }
  if (!r.ok) throw new CliFailure(`audit log broken at event ${r.firstBrokenSeq}: ${r.reason}`, 1);
}

/** `audit verify [--json]`, `audit verify --file FILE --public-key FILE`, `audit export [--out FILE]`. */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('check and export the tamper-evident audit log');
  audit
    .command('verify')
    .description('recompute the hash chain and check the signed checkpoints; exit 0 only if intact')
    .option('--json', 'print one JSON object')
    .option('--file <file>', 'check an export (from `audit export`) offline instead of the database')
    .option('--public-key <file>', 'with --file: the checkpoint public key (PEM) you trust')
    .option('--checkpoints <file>', 'also check checkpoints you kept yourself (JSON Lines)')
    .action(async (opts: { json?: boolean; file?: string; publicKey?: string; checkpoints?: string }) => {
      const kept = opts.checkpoints ? checkpointsOrFail(opts.checkpoints) : [];
      if (opts.file !== undefined || opts.publicKey !== undefined) {
        if (!opts.file || !opts.publicKey) throw new CliFailure('offline verify needs both --file and --public-key', 2);
        const pem = readOrFail(opts.publicKey, 'public key');
        readOrFail(opts.file, 'export');
        ctx.progress(`verifying ${resolve(opts.file)} offline`);
        let r: IntegrityReport;
        try {
          r = await verifyExportFile(opts.file, pem, kept);
        } catch (err) {
          throw new CliFailure((err as Error).message, 2);
        }
        report(ctx, r, opts.json);
        return;
      }
      const r = await ctx.withDatabase((db) => verifyStoredChain(db.dataSource, ctx.config, kept));
      report(ctx, r, opts.json);
    });
  audit
    .command('export')
    .description('write every event and checkpoint as JSON Lines, for `audit verify --file`')
    .option('--out <file>', 'file to create (refuses to overwrite); default DATA_DIR/audit/export-<time>.jsonl')
    .option('--json', 'print one JSON object')
    .action(async (opts: { out?: string; json?: boolean }) => {
      const out = resolve(opts.out ?? defaultExportPath(ctx.config.dataDir));
      if (!opts.out) mkdirSync(join(ctx.config.dataDir, 'audit'), { recursive: true });
      const done = await ctx.withDatabase(async (db) => {
        try {
          return await exportAuditLog(db.dataSource, ctx.config, out);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EEXIST') throw new CliFailure(`${out} exists; choose a new file`, 2);
          if (code) throw new CliFailure(`cannot write ${out}: ${code}`, 2);
          throw err;
        }
      });
      ctx.out(
        opts.json ? { out, ...done } : `exported ${done.events} events and ${done.checkpoints} checkpoints to ${out}`,
      );
    });
}

/** Beside the checkpoints and public key an auditor also needs, never in the working directory. */
function defaultExportPath(dataDir: string): string {
  return join(dataDir, 'audit', `export-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
}

function checkpointsOrFail(path: string) {
  readOrFail(path, 'checkpoints file');
  try {
    return checkpointsFromFile(path);
  } catch (err) {
    throw new CliFailure((err as Error).message, 2);
  }
}
