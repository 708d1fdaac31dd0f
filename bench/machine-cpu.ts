/**
 * Where a phase's CPU went on this machine, from /proc: the whole machine's busy time, a process
 * tree's (a gateway and its node:cluster workers), and this benchmark process's own (the load
 * generator). What is left of the busy time is PostgreSQL and whatever else runs here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { processCpuSeconds } from './backend-cpu.js';

const TICKS_PER_SECOND = 100;

/** Busy and total CPU seconds of the machine since boot (all cores), from /proc/stat. */
function machineSeconds(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = fields.slice(0, 8).reduce((s, x) => s + x, 0);
  const idle = fields[3] + fields[4];
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** CPU seconds (user + system) of a process and all its descendants still alive. */
function treeSeconds(pid: number): number {
  let seconds = processCpuSeconds(pid) ?? 0;
  const children = `/proc/${pid}/task/${pid}/children`;
  if (existsSync(children)) {
    for (const child of readFileSync(children, 'utf8').trim().split(/\s+/).filter(Boolean))
      seconds += treeSeconds(Number(child));
  }
  return seconds;
}

export interface CpuShares {
  /** Cores' worth busy over the phase, of all cores (e.g. 1.9 of 2). */
  machine: number;
  gateway: number;
  loadGenerator: number;
  /** PostgreSQL and everything else on the machine. */
  rest: number;
}

/** Starts counting; the returned function gives each part's cores' worth since then. */
export function cpuMeter(gatewayPid: number): () => CpuShares {
  const started = { at: process.hrtime.bigint(), machine: machineSeconds(), gateway: treeSeconds(gatewayPid) };
  const self = process.cpuUsage();
  return () => {
    const wall = Number(process.hrtime.bigint() - started.at) / 1e9;
    const machine = machineSeconds();
    const own = process.cpuUsage(self);
    const busy = (machine.busy - started.machine.busy) / wall;
    const gateway = (treeSeconds(gatewayPid) - started.gateway) / wall;
    const loadGenerator = (own.user + own.system) / 1e6 / wall;
    return { machine: busy, gateway, loadGenerator, rest: Math.max(0, busy - gateway - loadGenerator) };
  };
}
