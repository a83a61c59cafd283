import { spawn } from 'node:child_process';
import type { TransportAddress } from '../../src/wire/address.js';
import { serveArgs } from './server-process.js';

/** How long a server may take to refuse or to print its endpoints, in ms. */
const START_MS = 10_000;

/** The fields of the `serve --json` line these tests read. */
export interface ServeJson {
  udpReceiveBuffer: { requested: number; granted: number };
  turn: { udp: TransportAddress[] };
  report: { url: string | null; httpsUrl: string | null } | null;
}

/** How {@link startServe} runs the process beside its arguments. */
export interface ServeChildLimits {
  /**
   * Both limits of RLIMIT_NOFILE (soft and hard: Node raises the soft limit to the hard one at start), set
   * with util-linux `prlimit --nofile=N:N`; default: this process's limits.
   */
  nofile?: number;
}

/**
 * How a `serve` run ended: refused (exit code, stderr), or listening (its `--json` line). `logged` waits
 * until stderr matches (serve's pino destination is asynchronous: a line logged before the `--json` line
 * may reach stderr after it on a busy machine) and resolves with all of stderr, matching or not after
 * `timeoutMs` (default 5,000 ms).
 */
export type Started =
  | { listening: false; code: number | null; stderr: string }
  | {
      listening: true;
      pid: number;
      json: ServeJson;
      stderr: () => string;
      logged: (pattern: RegExp | string, timeoutMs?: number) => Promise<string>;
    };

/** Polls `read` every 50 ms until it matches `pattern` or `timeoutMs` passes; resolves with its last value. */
async function untilLogged(read: () => string, pattern: RegExp | string, timeoutMs = 5_000): Promise<string> {
  const matches = (): boolean =>
    typeof pattern === 'string' ? read().includes(pattern) : pattern.test(read());
  const deadline = performance.now() + timeoutMs;
  while (!matches() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return read();
}

const running: (() => void)[] = [];

/**
 * Runs `node dist/cli.js serve` with the hardening defaults (server-process.ts `serveArgs`: 127.0.0.1,
 * picked port, no TLS, `--json`, the hardening user) then `args`; with `report`, the report page too (on
 * picked ports); with `limits.nofile`, under that descriptor limit. `env` is added to this process's
 * environment, without `ICE_DOCTOR_AUTH_SECRET` unless given. Resolves when it exits (refused) or prints its `--json` line (listening; stop it with
 * {@link stopServes}).
 * @throws Error when it does neither within 10 s.
 */
export function startServe(
  args: string[],
  env: Record<string, string> = {},
  report = false,
  limits: ServeChildLimits = {},
): Promise<Started> {
  const argv = serveArgs('127.0.0.1', args).filter((a) => !report || a !== '--no-report');
  const [command, commandArgs] =
    limits.nofile === undefined
      ? [process.execPath, argv]
      : ['prlimit', [`--nofile=${limits.nofile}:${limits.nofile}`, process.execPath, ...argv]];
  const child = spawn(command, commandArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ICE_DOCTOR_AUTH_SECRET: undefined, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve neither exited nor listened within ${START_MS} ms:\n${stderr}`));
    }, START_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ listening: false, code, stderr });
    });
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line || !stdout.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      running.push(() => child.kill('SIGKILL'));
      resolve({
        listening: true,
        pid: child.pid!,
        json: JSON.parse(line) as ServeJson,
        stderr: () => stderr,
        logged: (pattern, timeoutMs) => untilLogged(() => stderr, pattern, timeoutMs),
      });
    });
  });
}

/** Kills every server {@link startServe} started (for `afterEach`). */
export function stopServes(): void {
  for (const stop of running.splice(0)) stop();
}

/** A listening `serve` with its report page: the page's two listeners and TURN over UDP. */
export interface Published {
  /** The HTTP page URL and its listener; the HTTPS one. */
  http: URL;
  https: URL;
  httpAddress: TransportAddress;
  httpsAddress: TransportAddress;
  turnUdp: TransportAddress;
}

/**
 * {@link startServe} with the report page on, plus `args` and `limits`, as an attacker on the internet
 * meets it.
 * @throws Error when it does not listen (with its exit code and stderr).
 */
export async function startPublished(args: string[] = [], limits: ServeChildLimits = {}): Promise<Published> {
  const s = await startServe(args, {}, true, limits);
  if (!s.listening) throw new Error(`serve exited with ${s.code}: ${s.stderr}`);
  const http = new URL(s.json.report!.url!);
  const https = new URL(s.json.report!.httpsUrl!);
  const address = (u: URL): TransportAddress => ({
    address: u.hostname,
    port: Number(u.port),
    family: 'IPv4',
  });
  return {
    http,
    https,
    httpAddress: address(http),
    httpsAddress: address(https),
    turnUdp: s.json.turn.udp[0]!,
  };
}
