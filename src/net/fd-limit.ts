import { readFileSync } from 'node:fs';

/** The process's limit on open file descriptors (RLIMIT_NOFILE), soft and hard, in descriptors. */
export interface FdLimit {
  soft: number;
  hard: number;
}

/** Below this soft limit `serve` warns: a few hundred connections and allocations would exhaust it. */
export const LOW_FD_LIMIT = 4096;

/**
 * Reads RLIMIT_NOFILE of this process from `/proc/self/limits` (Linux). Node itself raises the soft limit
 * to the hard limit when it starts (src/node.cc, PlatformInit), so what is read here is what the process
 * really has: a soft limit of 1,024 with a hard limit of 1,024 (systemd's and many containers' default)
 * stays 1,024. "unlimited" reads as `Number.POSITIVE_INFINITY`.
 * @param text the file's text (for tests); default: read it.
 * @returns null where the file does not exist (macOS, Windows) or has no "Max open files" line.
 */
export function readFdLimit(text?: string): FdLimit | null {
  let body = text;
  if (body === undefined) {
    try {
      body = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(body);
  if (!m) return null;
  const value = (v: string): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  const soft = value(m[1]!);
  const hard = value(m[2]!);
  return Number.isNaN(soft) || Number.isNaN(hard) ? null : { soft, hard };
}
