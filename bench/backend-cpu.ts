import { existsSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) used so far by the PostgreSQL backends with these pids, read
 * from /proc; null when the server is not on this machine. The benchmark reports them because
 * on a shared machine wall-clock figures depend on the neighbours, CPU seconds much less.
 */
export function backendCpuSeconds(pids: number[]): number | null {
  let ticks = 0;
  for (const pid of pids) {
    const path = `/proc/${pid}/stat`;
    if (!existsSync(path)) return null;
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}
