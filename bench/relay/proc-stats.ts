/**
 * What the relay bench reads from Linux's /proc about a process under test and about the two cores: CPU time
 * (proc(5) `/proc/PID/stat` utime + stime, all threads), resident memory (`/proc/PID/status` VmRSS), the CPUs
 * its threads may run on, and how busy each core was (`/proc/stat`).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/PID/stat` and `/proc/stat` (`getconf CLK_TCK`, 100 on Linux). */
export const CLOCK_TICKS_PER_S = 100;

/**
 * CPU time a process has used so far, user + system, over all its threads, in ms (10 ms resolution).
 * @throws Error when the process is gone.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_S;
}

/**
 * Resident set size of a process now (VmRSS), in bytes.
 * @throws Error when the process is gone or has no VmRSS line.
 */
export function residentBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** Expands a cpu list such as `0`, `0-1` or `0,2-3` into CPU numbers. */
function expandCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const [lo, hi] = part.split('-').map(Number);
    if (lo === undefined || Number.isNaN(lo)) continue;
    for (let c = lo; c <= (hi ?? lo); c++) out.push(c);
  }
  return out;
}

/**
 * The CPUs any thread of a process may run on (union of every thread's `Cpus_allowed_list`), sorted: how the
 * bench shows that a target really is pinned.
 */
export function allowedCpus(pid: number): number[] {
  const cpus = new Set<number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const m = /^Cpus_allowed_list:\s+(\S+)$/m.exec(status);
    if (m) for (const c of expandCpuList(m[1]!)) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** Busy and total clock ticks of each CPU (`/proc/stat` cpuN lines; idle + iowait count as not busy). */
export type CoreTicks = ReadonlyMap<number, { busy: number; total: number }>;

/** Reads the per-CPU tick counters now. */
export function coreTicks(): CoreTicks {
  const out = new Map<number, { busy: number; total: number }>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    out.set(Number(m[1]), { busy: total - idle, total });
  }
  return out;
}

/** How busy each CPU was between two readings, in percent (0–100), by CPU number. */
export function coreBusyPercent(before: CoreTicks, after: CoreTicks): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cpu, a] of after) {
    const b = before.get(cpu);
    if (!b) continue;
    const total = a.total - b.total;
    out[cpu] = total > 0 ? Math.round(((a.busy - b.busy) * 1000) / total) / 10 : 0;
  }
  return out;
}
