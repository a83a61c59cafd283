import { execFile } from 'node:child_process';

/** Outcome of one finished command: its exit code (`null` when killed by a signal or the timeout). */
export interface ExecResult {
  /** Exit code; `null` when the process ended by a signal (including our timeout kill). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the command was killed because it exceeded `timeoutMs`. */
  timedOut: boolean;
  /** Wall time from spawn to exit, in ms. */
  durationMs: number;
}

/** Options for {@link run} and {@link nsRun}. */
export interface ExecOptions {
  /** Hard limit in ms after which the process gets SIGKILL (default 15 000). */
  timeoutMs?: number;
  /** Working directory (default: this process's). */
  cwd?: string;
  /** When true (default), a non-zero exit or timeout rejects with an Error carrying stderr. */
  check?: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Runs `cmd args` with execFile (no shell), bounded by a timeout, and resolves with its output and wall time.
 * With `check` (the default) a non-zero exit, a signal or a timeout rejects.
 */
export function run(cmd: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const check = options.check ?? true;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        ...(options.cwd !== undefined && { cwd: options.cwd }),
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const durationMs = performance.now() - started;
        const err = error as (NodeJS.ErrnoException & { code?: unknown; killed?: boolean }) | null;
        const timedOut = err?.killed === true;
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        const result: ExecResult = { code, stdout, stderr, timedOut, durationMs };
        if (check && (code !== 0 || timedOut)) {
          const why = timedOut ? `timed out after ${timeoutMs} ms` : `exit ${String(code)}`;
          reject(new Error(`${cmd} ${args.join(' ')}: ${why}: ${stderr.trim() || err?.message || ''}`));
          return;
        }
        resolve(result);
      },
    );
  });
}

/** Runs `cmd args` inside network namespace `ns` (`ip netns exec ns cmd args`); same contract as {@link run}. */
export function nsRun(
  ns: string,
  cmd: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], options);
}

/** Sleeps for `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
