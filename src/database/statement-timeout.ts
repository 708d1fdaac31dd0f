import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `work` in a transaction whose statements may each take at most `ms` milliseconds,
 * tighter than the pool-wide DB_STATEMENT_TIMEOUT_MS. For expensive resolvers (aggregates):
 * PostgreSQL cancels an over-long statement with SQLSTATE 57014, which the API answers with
 * QUERY_TOO_COMPLEX. Use it to tighten, not to loosen: the pool-wide ceiling exists for a reason.
 */
export async function withStatementTimeout<T>(
  dataSource: DataSource,
  ms: number,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (!Number.isInteger(ms) || ms < 1) throw new RangeError(`statement timeout must be a positive integer, got ${ms}`);
  return dataSource.transaction(async (manager) => {
    // SET LOCAL: ends with the transaction, so the pooled connection goes back unchanged.
    await manager.query(`SELECT set_config('statement_timeout', $1, true)`, [`${ms}ms`]);
    return work(manager);
  });
}
