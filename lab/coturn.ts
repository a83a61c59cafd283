import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's coturn server binary. */
export const TURNSERVER = '/usr/bin/turnserver';
/** True when coturn is installed (tests that need it are skipped, and counted, otherwise). */
export const coturnAvailable = existsSync(TURNSERVER);

/** TLS listener of a test coturn: port and PEM files. */
export interface CoturnTls {
  port: number;
  certFile: string;
  keyFile: string;
}

/** A coturn process started by a test. */
export interface Coturn {
  pid: number;
  stop(): Promise<void>;
}

/**
 * coturn configuration for an RFC 5780 STUN-only server (never the system config, which disables RFC 5780):
 * listening on `ips` (two IPs enable RFC 5780 in coturn 4.6.1) at `port` and `port + 1`, no auth, no CLI,
 * no DTLS, TLS only when `tls` is given, log to stdout, pid file and user DB in `dir`, then `extra` lines.
 */
export function coturnStunConfig(
  ips: string[],
  port: number,
  dir: string,
  extra: string[] = [],
  tls?: CoturnTls,
): string {
  const tlsLines = tls
    ? [`tls-listening-port=${tls.port}`, `cert=${tls.certFile}`, `pkey=${tls.keyFile}`]
    : ['no-tls'];
  return [
    ...ips.map((ip) => `listening-ip=${ip}`),
    `listening-port=${port}`,
    `alt-listening-port=${port + 1}`,
    ...tlsLines,
    'no-dtls',
    'no-cli',
    'no-auth',
    'stun-only',
    'simple-log',
    'log-file=stdout',
    `pidfile=${join(dir, 'turnserver.pid')}`,
    `userdb=${join(dir, 'turndb')}`,
    ...extra,
    '',
  ].join('\n');
}

/** A coturn process started from a config file written for it, with everything it logged. */
export interface CoturnProcess extends Coturn {
  /** Everything coturn logged so far (for a failing test's message). */
  log(): string;
}

/**
 * Writes `config(dir)` to a fresh temporary `dir`, starts `turnserver -c` on it, and resolves once its log
 * matches `ready` (then `settleMs` later). Stopped by PID (SIGTERM) with `stop()`, which also removes `dir`.
 * @param config the configuration text; `dir` is where its pid file and user DB go.
 * @param netns run it inside this network namespace (`ip netns exec`, which execs: the PID is coturn's).
 * @throws Error when coturn exits or does not come up within 5 s (with its log).
 */
export async function spawnCoturn(
  config: (dir: string) => string,
  ready: RegExp,
  settleMs = 0,
  netns?: string,
): Promise<CoturnProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'idl-coturn-'));
  const conf = join(dir, 'turnserver.conf');
  writeFileSync(conf, config(dir));
  const [cmd, args] =
    netns === undefined
      ? [TURNSERVER, ['-c', conf]]
      : ['ip', ['netns', 'exec', netns, TURNSERVER, '-c', conf]];
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start in 5 s:\n${log}`)), 5000);
    const onData = (b: Buffer): void => {
      log += b.toString();
      if (ready.test(log)) {
        clearTimeout(timer);
        setTimeout(resolve, settleMs);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`coturn exited with ${child.exitCode}:\n${log}`));
    });
  });
  return {
    pid: child.pid!,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid!, 'SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `turnserver -c` with {@link coturnStunConfig} on loopback addresses and waits until its log says
 * it listens. Stopped by PID.
 * @throws Error when coturn does not come up within 5 s.
 */
export function startCoturn(
  ips: string[],
  port: number,
  extra: string[] = [],
  tls?: CoturnTls,
): Promise<Coturn> {
  return spawnCoturn(
    (dir) => coturnStunConfig(ips, port, dir, extra, tls),
    /Total (UDP|General) servers|IO method/,
    300,
  );
}
