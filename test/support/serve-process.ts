import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CLI_PATH, REPO_ROOT } from '../../lab/paths.js';
import { parseServeLine, type ServeLine } from '../../src/report/serve-schema.js';

/**
 * The one way tests run `ice-doctor serve --json` as a child process on this host: spawn it (optionally
 * under `prlimit --nofile`), wait for its `--json` line and parse it with src/report/serve-schema.ts, read
 * its stderr (pino JSON logs), stop it by PID. Servers inside network namespaces (lab/, test/e2e) are
 * started by lab/processes.ts and read the same line with `parseServeLine`.
 */

/** How long serve may take to refuse or to print its line, in ms, unless told otherwise. */
const START_MS = 20_000;

/** How {@link startServe} runs the process beside its arguments. */
export interface ServeOptions {
  /** Added to this process's environment; an `undefined` value removes that variable. */
  env?: Record<string, string | undefined>;
  /**
   * Both limits of RLIMIT_NOFILE (soft and hard: Node raises the soft limit to the hard one at start), set
   * with util-linux `prlimit --nofile=N:N`; default: this process's limits.
   */
  nofile?: number;
  /** Run the TypeScript sources (`node --import tsx src/cli/main.ts`) instead of the built dist/cli.js. */
  source?: boolean;
  /** How long to wait for the line or the exit, in ms (default 20,000). */
  startMs?: number;
}

/** A listening `serve`, its `--json` line parsed. */
export interface ServeProcess {
  readonly listening: true;
  readonly pid: number;
  /** The `--json` line, validated by `serveLineSchema`. */
  readonly line: ServeLine;
  /** Everything written to stdout so far (the line included). */
  stdout(): string;
  /** Everything written to stderr so far (pino JSON logs). */
  stderr(): string;
  /**
   * Waits until stderr matches `pattern` (serve's pino destination is asynchronous: a line logged before
   * the `--json` line may reach stderr after it on a busy machine) and resolves with all of stderr,
   * matching or not after `timeoutMs` (default 5,000 ms).
   */
  logged(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Resident set size now, in bytes (`VmRSS` of /proc/PID/status). */
  rssBytes(): number;
  /** Open file descriptors now (/proc/PID/fd). */
  fdCount(): number;
  /** Sends `signal` (default SIGTERM) and resolves with how it exited, SIGKILLing it after `graceMs` (5,000). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: string | null }>;
}

/** A `serve` that exited before listening: its exit code and stderr (a flag refused, a port in use …). */
export interface ServeRefused {
  readonly listening: false;
  readonly code: number | null;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

/** Polls `read` every 50 ms until it matches `pattern` or `timeoutMs` passes; resolves with its last value. */
async function untilLogged(read: () => string, pattern: RegExp | string, timeoutMs = 5_000): Promise<string> {
  const matches = (): boolean =>
    typeof pattern === 'string' ? read().includes(pattern) : pattern.test(read());
  const deadline = performance.now() + timeoutMs;
  while (!matches() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return read();
}

/** The command and arguments that run serve with `args`, under prlimit when `nofile` is set. */
function commandLine(args: readonly string[], options: ServeOptions): [string, string[]] {
  const cli = options.source ? ['--import', 'tsx', 'src/cli/main.ts'] : [CLI_PATH];
  const argv = [...cli, 'serve', ...args];
  return options.nofile === undefined
    ? [process.execPath, argv]
    : ['prlimit', [`--nofile=${options.nofile}:${options.nofile}`, process.execPath, ...argv]];
}

/**
 * Runs `node dist/cli.js serve <args>` (give `--json` among `args`) in the repository root and resolves
 * when it exits (refused: {@link ServeRefused}) or prints its `--json` line ({@link ServeProcess}; stop it
 * with `stop()` or {@link stopServes}).
 * @throws Error when it does neither within `options.startMs` (it is killed), or when the line does not
 *   parse with `serveLineSchema` (ZodError message; it is killed).
 */
export function startServe(
  args: readonly string[],
  options: ServeOptions = {},
): Promise<ServeProcess | ServeRefused> {
  const [command, argv] = commandLine(args, options);
  const child = spawn(command, argv, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const startMs = options.startMs ?? START_MS;
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error(`serve neither exited nor listened within ${startMs} ms:\n${stderr}`)),
      startMs,
    );
    void exited.then(({ code }) => {
      clearTimeout(timer);
      resolve({ listening: false, code, stderr });
    });
    let printed = false;
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (printed) return;
      const line = stdout
        .split('\n')
        .slice(0, -1)
        .find((l) => l.startsWith('{'));
      if (line === undefined) return;
      printed = true;
      let parsed: ServeLine;
      try {
        parsed = parseServeLine(line);
      } catch (err) {
        fail(new Error(`serve's --json line does not match serveLineSchema: ${(err as Error).message}`));
        return;
      }
      clearTimeout(timer);
      resolve(
        listening(
          child,
          parsed,
          exited,
          () => stdout,
          () => stderr,
        ),
      );
    });
  });
}

/** The {@link ServeProcess} of a child that printed `line`. */
function listening(
  child: ChildProcess,
  line: ServeLine,
  exited: Promise<{ code: number | null; signal: string | null }>,
  stdout: () => string,
  stderr: () => string,
): ServeProcess {
  const pid = child.pid!;
  return {
    listening: true,
    pid,
    line,
    stdout,
    stderr,
    logged: (pattern, timeoutMs) => untilLogged(stderr, pattern, timeoutMs),
    alive: () => running.has(child),
    rssBytes() {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return Number(m?.[1] ?? 0) * 1024;
    },
    fdCount: () => readdirSync(`/proc/${pid}/fd`).length,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000) {
      if (!running.has(child)) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/**
 * {@link startServe} for a server that must listen.
 * @throws Error when it exits first (with its exit code and stderr), or as {@link startServe}.
 */
export async function startListening(
  args: readonly string[],
  options: ServeOptions = {},
): Promise<ServeProcess> {
  const s = await startServe(args, options);
  if (!s.listening) throw new Error(`serve exited with ${s.code} before listening:\n${s.stderr}`);
  return s;
}

/** Kills (SIGKILL, by PID) every serve {@link startServe} started that still runs (for `afterEach`). */
export function stopServes(): void {
  for (const child of running) child.kill('SIGKILL');
}
