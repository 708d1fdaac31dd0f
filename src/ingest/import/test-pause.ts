import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Test-only pause inside an open batch, so that a test can kill an import at the worst moment
 * (test/ingest-kill.e2e-spec.ts). `HGW_TEST_PAUSE_IN_BATCH=<n>:<file>` makes the n-th case batch
 * of this process (1-based) stop inside its transaction, after its cases are inserted and before
 * its progress is recorded or it commits: the importer writes `<file>` (JSON: the batch number, the
 * rows inserted so far, the database session's pid) and waits while that file exists. Removing the
 * file lets the batch go on. Unset, as it is outside tests, the pause does nothing; a value not of
 * that form stops the import with one line naming the variable.
 */
export const TEST_PAUSE_VARIABLE = 'HGW_TEST_PAUSE_IN_BATCH';

export interface TestPause {
  batch: number;
  file: string;
}

/** The pause `HGW_TEST_PAUSE_IN_BATCH` asks for, or null when it is unset (always, outside tests). */
export function testPauseFromEnv(env: NodeJS.ProcessEnv = process.env): TestPause | null {
  const raw = env[TEST_PAUSE_VARIABLE];
  if (raw === undefined || raw === '') return null;
  const m = /^([1-9]\d*):(.+)$/.exec(raw);
  if (!m) throw new Error(`${TEST_PAUSE_VARIABLE}: expected <batch number>:<file>, got "${raw}"`);
  return { batch: Number(m[1]), file: m[2] };
}

/** Stops the calling batch while `pause.file` exists, after announcing where it stopped in it. */
export async function holdInBatch(pause: TestPause, state: { inserted: number; sessionPid: number }): Promise<void> {
  // Written whole, then renamed: a reader never sees half of it.
  writeFileSync(`${pause.file}.part`, JSON.stringify({ batch: pause.batch, ...state }));
  renameSync(`${pause.file}.part`, pause.file);
  while (existsSync(pause.file)) await sleep(50);
}
