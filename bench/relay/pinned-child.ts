/**
 * Child processes of the relay bench: started pinned to one CPU with `taskset -c`, read up to their first
 * stdout line (the JSON a server prints once listening), stopped by PID with SIGTERM (SIGKILL after a grace
 * period). Whatever they print after the first line is read and dropped.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** `taskset`, which pins a process (and all its threads) to CPUs. */
export const TASKSET = 'taskset';
/** How long a stopped child may take to exit after SIGTERM before it is killed, in ms. */
export const STOP_GRACE_MS = 5000;

/** A child started by {@link spawnPinned}, with its first stdout line. */
export interface PinnedChild {
  pid: number;
  firstLine: string;
  /** Everything it wrote to stderr so far (for an error message). */
  stderr(): string;
  /** SIGTERM by PID, SIGKILL after {@link STOP_GRACE_MS}; resolves once it exited. Idempotent. */
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts `command args` under `taskset -c cpu` (taskset execs it, so the PID is the command's) and resolves
 * with its first stdout line.
 * @throws Error when it exits or prints nothing within `readyTimeoutMs` (it is then stopped).
 */
export async function spawnPinned(
  cpu: number,
  command: string,
  args: readonly string[],
  readyTimeoutMs: number,
): Promise<PinnedChild> {
  const child = spawn(TASKSET, ['-c', String(cpu), command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    if (err.length < 20_000) err += b.toString();
  });
  const exited = exitOf(child);
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
  };
  const lines = createInterface({ input: child.stdout! });
  try {
    const firstLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output in ${readyTimeoutMs} ms`)), readyTimeoutMs);
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`exited with ${child.exitCode ?? child.signalCode}`));
      });
    });
    lines.on('line', () => undefined);
    return { pid: child.pid!, firstLine, stderr: () => err, stop };
  } catch (e) {
    await stop();
    throw new Error(`${command} ${args.join(' ')}: ${(e as Error).message}\n${err}`);
  }
}

/** Pins every thread of a running process to `cpu` (`taskset -a -p -c`); threads it starts later inherit it. */
export function pinProcess(pid: number, cpu: number): void {
  execFileSync(TASKSET, ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}
