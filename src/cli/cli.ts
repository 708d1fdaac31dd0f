import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { CliContext, CliFailure } from '../database/cli-context.js';
import { refreshRollupsOnRecordsChanged } from '../aggregate/rollups-on-records-changed.js';
import { registerCommands } from './commands.js';

/**
 * `hotline-gateway`: every command uses the same database as the server, whether or
 * not the server runs. `--json` prints one JSON object on stdout; progress goes to stderr.
 * The database layer (TypeORM, pg, the embedded PostgreSQL) loads only when a command opens the
 * database, so `--help` and offline checks start in a fraction of a second.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('hotline-gateway')
    .description('Governed open-data gateway for 12345 hotline aggregates')
    .showHelpAfterError()
    .exitOverride();
  program
    .command('migrate')
    .description('apply pending migrations')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const { migrate } = await import('../bootstrap/open-database.js');
      const applied = await ctx.withDatabase(async (db) => migrate(db.dataSource), { migrate: false });
      ctx.out(opts.json ? { applied } : applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
    });
  registerCommands(program, ctx);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  // Commands that change records (import, retention) bring the rollups up to date.
  refreshRollupsOnRecordsChanged();
  const err = (line: string) => process.stderr.write(line + '\n');
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`hotline-gateway: configuration error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const ctx: CliContext = {
    config,
    progress: (line) => err(line),
    out: (value) => process.stdout.write((typeof value === 'string' ? value : JSON.stringify(value)) + '\n'),
    withDatabase: async (fn, options = { migrate: true }) => {
      await import('reflect-metadata');
      const { migrate, openDatabase } = await import('../bootstrap/open-database.js');
      const db = await openDatabase(config, 'cli', (line) => err(`hotline-gateway: ${line}`));
      try {
        if (options.migrate) await migrate(db.dataSource);
        return await fn(db);
      } finally {
        await db.close();
      }
    },
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliFailure) {
      err(`hotline-gateway: ${e.message}`);
      return e.exitCode;
    }
    err(`hotline-gateway: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}
