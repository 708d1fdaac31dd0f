import { existsSync, readFileSync } from 'node:fs';

/** User + system CPU seconds a process has used so far (Linux: /proc/<pid>/stat); null when it is gone or not here. */
export function processCpuSeconds(pid: number): number | null {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return null;
  // Fields after the command name (which may contain spaces) start at field 3; times are in 1/100 s.
  const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds (user + system) used so far by the PostgreSQL backends with these pids, read
 * from /proc; null when the server is not on this machine. The benchmark reports them because
 * on a shared machine wall-clock figures depend on the neighbours, CPU seconds much less.
 */
export function backendCpuSeconds(pids: number[]): number | null {
  let seconds = 0;
  for (const pid of pids) {
    const own = processCpuSeconds(pid);
    if (own === null) return null;
    seconds += own;
  }
  return seconds;
}
