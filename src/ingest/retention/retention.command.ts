import { Command } from 'commander';
import type { CliContext } from '../../database/cli-context.js';
import { CliFailure } from '../../database/cli-context.js';
import { notifyRecordsChanged } from '../../records/records-changed.js';
import type { RetentionResult } from './case-retention.js';

/** `hotline-gateway retention [--json]`: drops the months of cases and traffic older than CASE_RETENTION_MONTHS. */
export function registerRetentionCommand(program: Command, ctx: CliContext): void {
  program
    .command('retention')
    .description(
      'drop the months of cases and call traffic older than CASE_RETENTION_MONTHS (audited); imports do it too',
    )
    .option('--json', 'print one JSON object')
    .action(async (flags: { json?: boolean }) => {
      if (ctx.config.caseRetentionMonths === 0)
        throw new CliFailure(
          'retention: CASE_RETENTION_MONTHS is not set (0 keeps every month); set it to the months to keep',
          2,
        );
      const result = await ctx.withDatabase(async (db) => {
        // Loaded here, not at start-up: it brings Nest (the audit recorder's context) with it.
        const { applyCaseRetention } = await import('./case-retention.js');
        const dropped = (await applyCaseRetention(ctx.config, db.dataSource)) as RetentionResult;
        await notifyRecordsChanged(db.dataSource);
        return dropped;
      });
      ctx.out(flags.json ? result : describeRetention(result));
    });
}

export function describeRetention(r: RetentionResult): string {
  if (r.caseMonths.length + r.trafficMonths.length === 0) return `retention: nothing before ${r.keptFrom} to drop`;
  return (
    `retention: dropped ${r.cases} cases (${r.caseMonths.join(', ') || 'no month'}) and ${r.trafficRows} traffic hours ` +
    `(${r.trafficMonths.join(', ') || 'no month'}) before ${r.keptFrom}; audit event ${r.auditId}`
  );
}
