import type dgram from 'node:dgram';
import type { Server } from 'node:net';
import { UserError } from '../../errors.js';
import { type TransportAddress, transportAddress } from '../../wire/address.js';
import { BindError, bindTcp, bindUdp, bindUserError } from './bind.js';
import type { ResolvedStunServerOptions } from './options.js';
import { SOCKET_ROLES, type SocketRole, usesAlternateIp, usesAlternatePort } from './socket-role.js';
import { sizeRecvBuffer } from './udp-buffer.js';

/** How many port pairs are tried when the port is picked (port 0) before giving up. */
export const MAX_PORT_PICK_ATTEMPTS = 20;

/** What the second IP turned out to be. */
export type SecondIp = 'bound' | 'not-configured' | 'unavailable';

/** Every socket of the server, bound, by role; nothing reads from them yet. */
export interface BoundSockets {
  udp: Map<SocketRole, dgram.Socket>;
  /** Empty when TCP is off. */
  tcp: Map<SocketRole, Server>;
  /** Local transport address of each role, the same for UDP and TCP. */
  addresses: Map<SocketRole, TransportAddress>;
  secondIp: SecondIp;
  /** The smallest UDP receive buffer granted (SO_RCVBUF read back), in bytes. */
  udpRecvBufferBytes: number;
}

/** Closes a socket or server, never rejecting (it may already be closed). */
export function closeQuietly(handle: dgram.Socket | Server): Promise<void> {
  return new Promise((resolve) => {
    try {
      handle.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

async function bindAttempt(
  opts: ResolvedStunServerOptions,
  opened: (dgram.Socket | Server)[],
): Promise<BoundSockets> {
  const [a1, a2] = opts.addresses as [string, string | undefined];
  const bound: BoundSockets = {
    udp: new Map(),
    tcp: new Map(),
    addresses: new Map(),
    secondIp: 'not-configured',
    udpRecvBufferBytes: Number.POSITIVE_INFINITY,
  };
  const udp = async (role: SocketRole, address: string, port: number): Promise<number> => {
    const socket = await bindUdp(address, port);
    opened.push(socket);
    const granted = sizeRecvBuffer(socket, opts.udpBufferBytes);
    bound.udpRecvBufferBytes = Math.min(bound.udpRecvBufferBytes, granted);
    const actual = socket.address().port;
    bound.udp.set(role, socket);
    bound.addresses.set(role, transportAddress(address, actual));
    return actual;
  };
  const p1 = await udp('A1:P1', a1, opts.port);
  const p2 = opts.altPort ?? p1 + 1;
  if (p2 > 65535) throw new BindError('EADDRINUSE', `${a1}:${p2}`);
  await udp('A1:P2', a1, p2);
  if (a2 !== undefined) {
    try {
      await udp('A2:P1', a2, p1);
      await udp('A2:P2', a2, p2);
      bound.secondIp = 'bound';
    } catch (err) {
      if (!(err instanceof BindError) || err.code !== 'EADDRNOTAVAIL' || bound.udp.has('A2:P1')) throw err;
      bound.secondIp = 'unavailable';
    }
  }
  if (opts.tcp) {
    for (const role of SOCKET_ROLES) {
      if (!bound.udp.has(role)) continue;
      const server = await bindTcp(usesAlternateIp(role) ? a2! : a1, usesAlternatePort(role) ? p2 : p1);
      opened.push(server);
      bound.tcp.set(role, server);
    }
  }
  return bound;
}

/**
 * Binds the server's sockets (RFC 5780 §4.1): UDP on A1:P1, A1:P2, A2:P1, A2:P2 (each with the receive
 * buffer `udpBufferBytes` asks for), then TCP on the same addresses when enabled. With port 0, P1 is picked
 * by binding A1:0 and P2 = P1 + 1; when any other socket finds its port taken, everything is closed and a new
 * pair is tried, at most {@link MAX_PORT_PICK_ATTEMPTS} times. A second address that does not exist here
 * (EADDRNOTAVAIL) is dropped: `secondIp` is then `'unavailable'`.
 * @throws UserError `address-in-use` (`cannot listen on 127.0.0.1:3478: address in use`),
 *   `address-unavailable`, `permission-denied` or `listen-failed`.
 */
export async function bindServerSockets(opts: ResolvedStunServerOptions): Promise<BoundSockets> {
  for (let attempt = 1; ; attempt++) {
    const opened: (dgram.Socket | Server)[] = [];
    try {
      return await bindAttempt(opts, opened);
    } catch (err) {
      await Promise.all(opened.map(closeQuietly));
      if (!(err instanceof BindError)) throw err;
      const picking = opts.port === 0 && err.code === 'EADDRINUSE';
      if (!picking) throw bindUserError(err);
      if (attempt === MAX_PORT_PICK_ATTEMPTS) {
        throw new UserError(
          'address-in-use',
          `cannot find a free port pair on ${opts.addresses.join(' and ')} after ${MAX_PORT_PICK_ATTEMPTS} tries`,
        );
      }
    }
  }
}
