import type { ServeLine } from '../../src/report/serve-schema.js';
import type { TransportAddress } from '../../src/wire/address.js';
import {
  type ServeProcess,
  type ServeRefused,
  startListening,
  startServe,
} from '../support/serve-process.js';

/** The long-term credential every hardening server accepts. */
export const HARDENING_USER = { username: 'hardening', password: 'hardening-secret' } as const;

/**
 * The `serve` arguments of a hardening server: `listen` (comma-separated IPs), a picked port, no TLS (with
 * `tls`: TLS on a picked port, self-signed), no report page, `--json`, the {@link HARDENING_USER}, then
 * `extraArgs`.
 */
export function serveArgs(listen: string, extraArgs: readonly string[] = [], tls = false): string[] {
  return [
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

/** `ice-doctor serve` running as a child process, as an attacker would meet it, with its TURN endpoints. */
export interface ServerProcess extends ServeProcess {
  /** TURN over UDP and TCP: A1:P1. */
  readonly udp: TransportAddress;
  readonly tcp: TransportAddress;
  /** TURN over TLS (`turns:`), with {@link ServerProcessOptions.tls}; null otherwise. */
  readonly tls: TransportAddress | null;
}

/** How {@link startServerProcess} runs the server beyond its flags. */
export interface ServerProcessOptions {
  /** Serve TURN over TLS on a picked port with a self-signed certificate (default: no TLS). */
  tls?: boolean;
  /** Run under `prlimit --nofile=N:N` (test/support/serve-process.ts); default: the test runner's limits. */
  nofile?: number;
}

/**
 * Starts `node dist/cli.js serve` on 127.0.0.1 with {@link serveArgs} (TLS with `options.tls`) and
 * `extraArgs`, and resolves once its `--json` line has told the endpoints.
 * @throws Error when it exits or prints nothing within 20 s (with its stderr).
 */
export async function startServerProcess(
  extraArgs: readonly string[] = [],
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const s = await startListening(serveArgs('127.0.0.1', extraArgs, options.tls), {
    ...(options.nofile !== undefined && { nofile: options.nofile }),
  });
  const { turn } = s.line;
  return Object.assign(s, { udp: turn.udp[0]!, tcp: turn.tcp[0]!, tls: turn.tls[0] ?? null });
}

/** How {@link startHardened} runs `serve` beside its arguments. */
export interface HardenedOptions {
  /** Added to the environment, which otherwise has no `ICE_DOCTOR_AUTH_SECRET`. */
  env?: Record<string, string>;
  /** Serve the report page too (on picked ports). */
  report?: boolean;
  /** RLIMIT_NOFILE of the process (`prlimit --nofile=N:N`). */
  nofile?: number;
}

/**
 * Runs `node dist/cli.js serve` with {@link serveArgs} on 127.0.0.1 then `args`; with `report`, the report
 * page too. Resolves when it exits (refused) or prints its `--json` line (listening; stop it with
 * `stopServes` of test/support/serve-process.ts).
 * @throws Error when it does neither within 20 s.
 */
export function startHardened(
  args: readonly string[],
  options: HardenedOptions = {},
): Promise<ServeProcess | ServeRefused> {
  const argv = serveArgs('127.0.0.1', args).filter((a) => !options.report || a !== '--no-report');
  return startServe(argv, {
    env: { ICE_DOCTOR_AUTH_SECRET: undefined, ...options.env },
    ...(options.nofile !== undefined && { nofile: options.nofile }),
  });
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
 * {@link startHardened} with the report page on, plus `args` and `limits.nofile`, as an attacker on the internet
 * meets it.
 * @throws Error when it does not listen (with its exit code and stderr).
 */
export async function startPublished(
  args: string[] = [],
  limits: { nofile?: number } = {},
): Promise<Published> {
  const s = await startHardened(args, { ...limits, report: true });
  if (!s.listening) throw new Error(`serve exited with ${s.code}: ${s.stderr}`);
  return published(s.line);
}

/** The {@link Published} endpoints of a `serve --json` line with the report page on. */
function published(line: ServeLine): Published {
  const http = new URL(line.report!.url!);
  const https = new URL(line.report!.httpsUrl!);
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
    turnUdp: line.turn.udp[0]!,
  };
}
