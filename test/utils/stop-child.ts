import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Stops a child process a test started and waits until it is gone: SIGTERM (or `signal`), then
 * SIGKILL if it has not exited within `graceMs`. Safe to call twice, or on a process that already
 * exited, so that `afterAll` can call it whatever the test did.
 */
export async function stopChild(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 15_000,
): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
  await Promise.race([exited, timer]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}
