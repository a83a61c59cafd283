import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sleep } from './exec.js';

/** Keep at most this many output lines per process, for diagnostics when something fails. */
const MAX_KEPT_LINES = 200;

/**
 * A long-running process started inside a namespace. `ip netns exec` execs the command, so `pid` is the
 * command's own PID; {@link LabProcess.stop} kills exactly that PID.
 */
export interface LabProcess {
  /** Name used in messages, e.g. `coturn`. */
  readonly name: string;
  readonly pid: number;
  /** Last stdout and stderr lines (at most 200), oldest first. */
  readonly lines: string[];
  /** Resolves with the first stdout line for which `match` is true; rejects on exit or after `timeoutMs`. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** True until the process has exited. */
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 2000 ms) if still alive; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `cmd args` inside namespace `ns` (working directory: this process's) with stdout/stderr piped; the
 * caller owns the returned process.
 */
export function startInNs(ns: string, name: string, cmd: string, args: readonly string[]): LabProcess {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${cmd}`);
  return wrap(name, child, child.pid);
}

function wrap(name: string, child: ChildProcess, pid: number): LabProcess {
  const lines: string[] = [];
  const stdoutWaiters = new Set<(line: string) => void>();
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > MAX_KEPT_LINES) lines.shift();
  };
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      keep(line);
      for (const waiter of stdoutWaiters) waiter(line);
    });
  }
  if (child.stderr) createInterface({ input: child.stderr }).on('line', keep);
  child.on('error', (err) => keep(`[spawn error] ${err.message}`));

  return {
    name,
    pid,
    lines,
    isRunning: () => !exited,
    waitForLine(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          stdoutWaiters.delete(onLine);
        };
        const onLine = (line: string): void => {
          if (!match(line)) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`${name}: no readiness line within ${timeoutMs} ms; output:\n${lines.join('\n')}`),
          );
        }, timeoutMs);
        stdoutWaiters.add(onLine);
        void exitedPromise.then(() => {
          if (!stdoutWaiters.has(onLine)) return;
          done();
          reject(new Error(`${name}: exited before ready; output:\n${lines.join('\n')}`));
        });
      });
    },
    async stop(graceMs = 2000) {
      if (exited) return;
      killPid(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (!exited && Date.now() < deadline) await sleep(25);
      if (!exited) killPid(pid, 'SIGKILL');
      await Promise.race([exitedPromise, sleep(2000)]);
    },
  };
}

/** Sends `signal` to exactly `pid`; a process that is already gone is not an error. */
export function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** True when a process with this PID exists (signal 0 probe). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
