/**
 * Child processes of the relay bench: started pinned to one CPU with `taskset -c`, their stdout and stderr
 * written to files in a temporary directory of their own (never a pipe the bench must keep draining: a full
 * pipe would stall a server that logs synchronously, as ice-doctor's pino and coturn's log do), ready once
 * their stdout matches a pattern, stopped by PID with SIGTERM (SIGKILL after a grace period).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `taskset`, which pins a process (and all its threads) to CPUs. */
export const TASKSET = 'taskset';
/** How long a stopped child may take to exit after SIGTERM before it is killed, in ms. */
export const STOP_GRACE_MS = 5000;
/** How often a starting child's stdout is read for its ready pattern, in ms. */
const READY_POLL_MS = 25;
/** The first complete line of stdout: the ready pattern of servers that print their endpoints as JSON. */
export const FIRST_LINE = /^.*\n/;

/** A child started by {@link spawnPinned}. */
export interface PinnedChild {
  pid: number;
  /** The text that matched the ready pattern (e.g. the first stdout line). */
  ready: string;
  /** SIGTERM by PID, SIGKILL after {@link STOP_GRACE_MS}; resolves once it exited, then removes `dir`. */
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Starts `command args(dir)` under `taskset -c cpu` (taskset execs it, so the PID is the command's), with a
 * fresh temporary `dir` for it, and resolves once its stdout matches `ready`.
 * @param args the arguments; may write files (a config) into `dir` first.
 * @throws Error when it exits or does not get ready within `readyTimeoutMs` (it is then stopped).
 */
export async function spawnPinned(
  cpu: number,
  command: string,
  args: (dir: string) => readonly string[],
  ready: RegExp,
  readyTimeoutMs: number,
): Promise<PinnedChild> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  const outFile = join(dir, 'stdout.log');
  const errFile = join(dir, 'stderr.log');
  const argv = args(dir);
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const child = spawn(TASKSET, ['-c', String(cpu), command, ...argv], { stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  const exited = exitOf(child);
  const logTail = (): string => `${readText(outFile).slice(-4000)}\n${readText(errFile).slice(-4000)}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(
        () => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'),
        STOP_GRACE_MS,
      );
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const m = ready.exec(readText(outFile));
    if (m) return { pid: child.pid!, ready: m[0], stop };
    const gone = child.exitCode !== null || child.signalCode !== null;
    if (gone || Date.now() > deadline) {
      const why = gone
        ? `exited with ${child.exitCode ?? child.signalCode}`
        : `not ready in ${readyTimeoutMs} ms`;
      const tail = logTail();
      await stop();
      throw new Error(`${command} ${argv.join(' ')}: ${why}\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/** Pins every thread of a running process to `cpu` (`taskset -a -p -c`); threads it starts later inherit it. */
export function pinProcess(pid: number, cpu: number): void {
  execFileSync(TASKSET, ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}
