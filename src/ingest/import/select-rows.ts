import { QueryRunner } from 'typeorm';

/** Runs a query on a query runner and types its rows (QueryRunner.query is not generic). */
export async function selectRows<T>(runner: QueryRunner, sql: string, params?: unknown[]): Promise<T[]> {
  return (await runner.query(sql, params)) as T[];
}
