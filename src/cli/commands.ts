import { Command } from 'commander';
import { AppConfig } from '../config/app-config.js';
import { OpenDatabase } from '../database/open-database.js';
import { registerBootstrapCommand } from '../principals/bootstrap.command.js';
import { registerAuditCommands } from '../audit/audit.commands.js';
import { registerGenerateCommand } from '../ingest/generate/generate.command.js';
import { registerImportCommand } from '../ingest/import/import.command.js';
import { registerRetentionCommand } from '../ingest/retention/retention.command.js';

export interface CliContext {
  config: AppConfig;
  /** Human progress, to stderr. */
  progress(line: string): void;
  /** The result, to stdout: a string, or one JSON object with --json. */
  out(value: unknown): void;
  /** Opens the server's database (joining a running server's embedded PostgreSQL), migrated unless told not to. */
  withDatabase<T>(fn: (db: OpenDatabase) => Promise<T>, options?: { migrate: boolean }): Promise<T>;
}

/** A failure with a one-line reason and an exit status. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** Feature commands, each registered by its feature (bootstrap, generate, import, audit ...). */
// One per line, so commands added on different branches merge cleanly.
export const COMMAND_REGISTRARS: ((program: Command, ctx: CliContext) => void)[] = [
  registerBootstrapCommand, // bootstrap
  registerAuditCommands, // audit verify, audit export
  registerImportCommand, // import
  registerRetentionCommand, // retention
  registerGenerateCommand,
];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of COMMAND_REGISTRARS) register(program, ctx);
}
