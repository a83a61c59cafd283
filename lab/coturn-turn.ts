import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type CoturnProcess, spawnCoturn } from './coturn.js';

/** How a test coturn TURN server authenticates and what it relays. */
export interface CoturnTurnOptions {
  realm: string;
  /** Long-term users (`lt-cred-mech` with `user=name:password` lines). */
  users?: ReadonlyMap<string, string>;
  /** TURN REST secret (`use-auth-secret` + `static-auth-secret`) instead of users. */
  authSecret?: string;
  /** `allow-loopback-peers`: without it coturn answers 403 to loopback peers. */
  allowLoopbackPeers: boolean;
  /** Certificate and key for a TLS listener (`cert=`/`pkey=`); no TLS without. */
  tls?: { certFile: string; keyFile: string };
  /** More config lines. */
  extra?: string[];
  /** The address it listens and relays on (default 127.0.0.1). */
  ip?: string;
}

/** A coturn TURN server started by a test, on 127.0.0.1. */
export interface CoturnTurn extends CoturnProcess {
  /** UDP and TCP listening port. */
  port: number;
  /** TLS listening port (0 without TLS). */
  tlsPort: number;
}

/** A port free for both TCP and UDP on 127.0.0.1 right now (the OS picks it). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no port free for both TCP and UDP after 20 tries');
}

/**
 * coturn configuration of a TURN server listening and relaying on one address (`opts.ip`, default 127.0.0.1), relay ports
 * `relayPorts`, no CLI, no DTLS, TLS only with `opts.tls`, log to stdout, pid file and user DB in `dir`.
 */
export function coturnTurnConfig(
  opts: CoturnTurnOptions,
  ports: { port: number; tlsPort: number; relayPorts: [number, number] },
  dir: string,
): string {
  const auth = opts.authSecret
    ? ['use-auth-secret', `static-auth-secret=${opts.authSecret}`]
    : ['lt-cred-mech', ...[...(opts.users ?? new Map<string, string>())].map(([u, p]) => `user=${u}:${p}`)];
  const tls = opts.tls
    ? [`tls-listening-port=${ports.tlsPort}`, `cert=${opts.tls.certFile}`, `pkey=${opts.tls.keyFile}`]
    : ['no-tls'];
  return [
    `listening-ip=${opts.ip ?? '127.0.0.1'}`,
    `relay-ip=${opts.ip ?? '127.0.0.1'}`,
    `listening-port=${ports.port}`,
    `min-port=${ports.relayPorts[0]}`,
    `max-port=${ports.relayPorts[1]}`,
    ...tls,
    'no-dtls',
    'no-cli',
    'fingerprint',
    ...auth,
    `realm=${opts.realm}`,
    ...(opts.allowLoopbackPeers ? ['allow-loopback-peers'] : []),
    'simple-log',
    'log-file=stdout',
    `pidfile=${join(dir, 'turnserver.pid')}`,
    `userdb=${join(dir, 'turndb')}`,
    ...(opts.extra ?? []),
    '',
  ].join('\n');
}

/**
 * Starts `/usr/bin/turnserver -c <conf>` (`spawnCoturn`) with {@link coturnTurnConfig} on free loopback ports
 * and resolves once its log says its servers run. Stopped by PID (SIGTERM) with `stop()`.
 * @throws Error when coturn exits or does not come up within 5 s (with its log).
 */
export async function startCoturnTurn(opts: CoturnTurnOptions): Promise<CoturnTurn> {
  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : 0;
  const relayBase = 20_000 + Math.floor(Math.random() * 400) * 100;
  const relayPorts: [number, number] = [relayBase, relayBase + 99];
  const coturn = await spawnCoturn(
    (dir) => coturnTurnConfig(opts, { port, tlsPort, relayPorts }, dir),
    /Total General servers/,
  );
  return { ...coturn, port, tlsPort };
}

/** The ports of a coturn TURN server: listening (UDP and TCP), TLS (0 without), and the relay range. */
export interface CoturnTurnPorts {
  port: number;
  tlsPort: number;
  relayPorts: [number, number];
}

/**
 * Starts coturn with {@link coturnTurnConfig} inside network namespace `ns` on `opts.ip` and the given
 * `ports` (a test's own namespace has every port free), resolving once its log says its servers run.
 * Stopped by PID (SIGTERM) with `stop()`.
 * @throws Error when coturn exits or does not come up within 5 s (with its log).
 */
export async function startCoturnTurnInNs(
  ns: string,
  opts: CoturnTurnOptions,
  ports: CoturnTurnPorts,
): Promise<CoturnTurn> {
  const coturn = await spawnCoturn(
    (dir) => coturnTurnConfig(opts, ports, dir),
    /Total General servers/,
    0,
    ns,
  );
  return { ...coturn, port: ports.port, tlsPort: ports.tlsPort };
}

/**
 * Starts a coturn TURN server (options built lazily, so a skipped suite runs no openssl) before the enclosing
 * describe's tests and stops it by PID after them.
 * @returns a getter for the running server (valid inside tests).
 */
export function coturnForSuite(options: () => CoturnTurnOptions): () => CoturnTurn {
  let coturn: CoturnTurn | undefined;
  beforeAll(async () => {
    coturn = await startCoturnTurn(options());
  });
  afterAll(async () => coturn?.stop());
  return () => coturn!;
}
