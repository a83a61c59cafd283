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

/**
 * Starts `turnserver -c` with {@link coturnStunConfig} on loopback addresses and waits until its log says
 * it listens. Stopped by PID.
 * @throws Error when coturn does not come up within 5 s.
 */
export async function startCoturn(
  ips: string[],
  port: number,
  extra: string[] = [],
  tls?: CoturnTls,
): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'idl-coturn-'));
  const conf = join(dir, 'turnserver.conf');
  writeFileSync(conf, coturnStunConfig(ips, port, dir, extra, tls));
  const child: ChildProcess = spawn(TURNSERVER, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start in 5 s:\n${log}`)), 5000);
    const onData = (b: Buffer): void => {
      log += b.toString();
      if (/Total (UDP|General) servers|IO method/.test(log)) {
        clearTimeout(timer);
        setTimeout(resolve, 300);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited with ${code}:\n${log}`));
    });
  });
  return {
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
