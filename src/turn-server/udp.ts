import type dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { TransportAddress } from '../stun/address.js';
import type { Dispatch } from './dispatch.js';
import { closeQuietly } from './ports.js';
import type { SocketRole } from './socket-role.js';

/** The UDP side of the server: reads every socket, sends each reply from the socket its role names. */
export interface UdpListener {
  /** Local address of each socket, primary first. */
  readonly addresses: TransportAddress[];
  /** Closes every socket; resolves when all are closed. Idempotent. */
  close(): Promise<void>;
}

/**
 * Takes over bound UDP sockets: each datagram goes through `dispatch` together with its 5-tuple, and the
 * reply is sent from the socket of the role the reply names (which is how CHANGE-REQUEST is honoured,
 * RFC 5780 §6.1). A reply naming a role with no socket is dropped and logged. Nothing here throws from an
 * event handler; send errors (e.g. ICMP-unreachable) are ignored, as UDP loses packets anyway.
 * @param sockets bound sockets by role (see `bindServerSockets`).
 * @param addresses the local address of each role.
 */
export function listenUdp(
  sockets: ReadonlyMap<SocketRole, dgram.Socket>,
  addresses: ReadonlyMap<SocketRole, TransportAddress>,
  dispatch: Dispatch,
  log: Logger,
): UdpListener {
  for (const [role, socket] of sockets) {
    const local = addresses.get(role)!;
    socket.on('message', (bytes, rinfo) => {
      const remote: TransportAddress = {
        address: rinfo.address,
        port: rinfo.port,
        family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4',
      };
      const reply = dispatch(bytes, { transport: 'udp', localRole: role, local, remote });
      if (!reply) return;
      const out = sockets.get(reply.from);
      if (!out) {
        log.error({ role: reply.from }, 'defect: reply names a socket role the server does not have');
        return;
      }
      try {
        out.send(reply.bytes, reply.to.port, reply.to.address, () => undefined);
      } catch (err) {
        log.debug({ err }, 'UDP send refused (socket closing?)');
      }
    });
  }
  let closing: Promise<void> | undefined;
  return {
    addresses: [...sockets.keys()].map((r) => addresses.get(r)!),
    close() {
      closing ??= Promise.all([...sockets.values()].map(closeQuietly)).then(() => undefined);
      return closing;
    },
  };
}
