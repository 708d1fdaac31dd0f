import { Command } from 'commander';
import type { CliContext } from '../database/cli-context.js';
import { registerBootstrapCommand } from '../principals/bootstrap.command.js';
import { registerAuditCommands } from '../audit/audit.commands.js';
import { registerGenerateCommand } from '../ingest/generate/generate.command.js';
import { registerImportCommand } from '../ingest/import/import.command.js';
import { registerRetentionCommand } from '../ingest/retention/retention.command.js';

export { CliFailure, type CliContext } from '../database/cli-context.js';

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
