import { Command } from 'commander';
import { CliContext, CliFailure } from '../database/cli-context.js';

/** `hotline-gateway bootstrap --name NAME [--json]`: the first steward and its API key, printed once. */
export function registerBootstrapCommand(program: Command, ctx: CliContext): void {
  program
    .command('bootstrap')
    .description('create the first steward and print its API key once; refuses if a steward exists')
    .requiredOption('--name <name>', "the steward's display name")
    .option(
      '--centre-zh <name>',
      "the hotline centre organization's Chinese name, if it does not exist yet",
      '12345热线中心',
    )
    .option(
      '--centre-en <name>',
      "the hotline centre organization's English name, if it does not exist yet",
      '12345 Hotline Centre',
    )
    .option('--json', 'print one JSON object: {"principalId": ..., "apiKey": ...}')
    .action(async (opts: { name: string; centreZh: string; centreEn: string; json?: boolean }) => {
      const name = opts.name.trim();
      if (name.length === 0 || name.length > 200) throw new CliFailure('--name must be 1 to 200 characters', 2);
      // Nest and the identity services load only for this command (the CLI's start-up stays light).
      const { BootstrapRefusedError, BootstrapService } = await import('./bootstrap.service.js');
      const { withIdentityContext } = await import('./identity-context.js');
      const result = await ctx.withDatabase((db) =>
        withIdentityContext(ctx.config, db.dataSource, async (app) => {
          try {
            return await app.get(BootstrapService).bootstrap(name, { nameZh: opts.centreZh, nameEn: opts.centreEn });
          } catch (err) {
            if (err instanceof BootstrapRefusedError) throw new CliFailure(err.message, 1);
            throw err;
          }
        }),
      );
      if (opts.json) {
        ctx.out({ principalId: result.principalId, apiKey: result.apiKey });
      } else {
        ctx.out(
          [
            `steward ${name} created (principal ${result.principalId})`,
            `API key (shown only now; store it safely): ${result.apiKey}`,
            `use it as: Authorization: Bearer ${result.apiKey}`,
          ].join('\n'),
        );
      }
    });
}
