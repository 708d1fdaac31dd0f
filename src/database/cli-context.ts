import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';

/**
 * What a command gets from the command line. Light on purpose: every command's module imports
 * this at start-up, so `--help` must not pay for Nest, TypeORM or the database driver; commands
 * load what they need inside their action.
 */
export interface CliContext {
  config: AppConfig;
  /** Human progress, to stderr. */
  progress(line: string): void;
  /** The result, to stdout: a string, or one JSON object with --json. */
  out(value: unknown): void;
  /** Opens the server's database (joining a running server's embedded PostgreSQL), migrated unless told not to. */
  withDatabase<T>(fn: (db: { dataSource: DataSource }) => Promise<T>, options?: { migrate: boolean }): Promise<T>;
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
