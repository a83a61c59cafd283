import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CLI_PATH } from '../../lab/paths.js';
import type { TransportAddress } from '../../src/wire/address.js';

/** The long-term credential every hardening server accepts. */
export const HARDENING_USER = { username: 'hardening', password: 'hardening-secret' } as const;

/**
 * The command line (after `node`) of a hardening server: `dist/cli.js serve` on `listen` (comma-separated
 * IPs) with a picked port, no TLS (with `tls`: TLS on a picked port, self-signed), no report page,
 * `--json`, the {@link HARDENING_USER}, then `extraArgs`.
 */
export function serveArgs(listen: string, extraArgs: readonly string[] = [], tls = false): string[] {
  return [
    CLI_PATH,
    'serve',
    '--listen',
    listen,
    '--port',
    '0',
    ...(tls ? [] : ['--no-tls']),
    '--no-report',
    '--json',
    '--user',
    `${HARDENING_USER.username}:${HARDENING_USER.password}`,
    ...extraArgs,
  ];
}

/** `ice-doctor serve` running as a child process, as an attacker would meet it. */
export interface ServerProcess {
  readonly pid: number;
  /** TURN over UDP and TCP: A1:P1. */
  readonly udp: TransportAddress;
  readonly tcp: TransportAddress;
  /** TURN over TLS (`turns:`), with {@link ServerProcessOptions.tls}; null otherwise. */
  readonly tls: TransportAddress | null;
  /** Everything the server wrote to stderr so far (pino JSON logs). */
  stderr(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Resident set size now, in bytes (`VmRSS` of /proc/PID/status). */
  rssBytes(): number;
  /** Open file descriptors now (/proc/PID/fd). */
  fdCount(): number;
  /** Sends `signal` (default SIGTERM) and resolves with how it exited, killing it after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: string | null }>;
}

/** How {@link startServerProcess} runs the server beyond its flags. */
export interface ServerProcessOptions {
  /** Serve TURN over TLS on a picked port with a self-signed certificate (default: no TLS). */
  tls?: boolean;
  /**
   * Run under `prlimit --nofile=N:N` (util-linux): both RLIMIT_NOFILE limits at N, since Node raises the
   * soft limit to the hard one at start. Default: the test runner's limits.
   */
  nofile?: number;
}

/**
 * Starts `node dist/cli.js serve` on 127.0.0.1 with a picked port, no TLS unless `options.tls`, no report
 * page, the {@link HARDENING_USER} and `extraArgs`, and resolves once its `--json` line has told the
 * endpoints.
 * @throws Error when it exits or prints nothing within 10 s (with its stderr).
 */
export async function startServerProcess(
  extraArgs: readonly string[] = [],
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const args = serveArgs('127.0.0.1', extraArgs, options.tls);
  const [command, argv] =
    options.nofile === undefined
      ? [process.execPath, args]
      : ['prlimit', [`--nofile=${options.nofile}:${options.nofile}`, process.execPath, ...args]];
  const child: ChildProcess = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let running = true;
  void exited.then(() => {
    running = false;
  });
  type Endpoints = { udp: TransportAddress; tcp: TransportAddress; tls: TransportAddress | null };
  const endpoints = await new Promise<Endpoints>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve printed no endpoints within 10 s:\n${stderr}`));
    }, 10_000);
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line || !stdout.includes('\n')) return;
      clearTimeout(timer);
      const { turn } = JSON.parse(line) as Record<'turn', Record<'udp' | 'tcp' | 'tls', TransportAddress[]>>;
      resolve({ udp: turn.udp[0]!, tcp: turn.tcp[0]!, tls: turn.tls[0] ?? null });
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${stderr}`));
    });
  });
  const pid = child.pid!;
  return {
    pid,
    ...endpoints,
    stderr: () => stderr,
    alive: () => running,
    rssBytes() {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return Number(m?.[1] ?? 0) * 1024;
    },
    fdCount: () => readdirSync(`/proc/${pid}/fd`).length,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000) {
      if (!running) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
