import type dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { TransportAddress } from '../stun/address.js';
import type { Dispatch } from './dispatch.js';
import { type ClientLink, fiveTupleKey, type Reply } from './handler.js';
import { closeQuietly } from './ports.js';
import type { SocketRole } from './socket-role.js';

/** The UDP side of the server: reads every socket, sends each reply from the socket its role names. */
export interface UdpListener {
  /** Local address of each socket, primary first. */
  readonly addresses: TransportAddress[];
  /** Closes every socket; resolves when all are closed. Idempotent. */
  close(): Promise<void>;
}

/** Sends a datagram, ignoring a refusal (the socket is closing); UDP loses packets anyway. */
function sendQuietly(socket: dgram.Socket, bytes: Buffer, to: TransportAddress, log: Logger): void {
  try {
    socket.send(bytes, to.port, to.address, () => undefined);
  } catch (err) {
    log.debug({ err }, 'UDP send refused (socket closing?)');
  }
}

/**
 * The way back to a UDP client: the socket its datagram arrived on. One object per datagram with its
 * methods on the prototype (no closures), as it is made on the relay's hot path.
 */
class UdpLink implements ClientLink {
  readonly key: string;

  constructor(
    private readonly socket: dgram.Socket,
    local: TransportAddress,
    private readonly remote: TransportAddress,
    private readonly log: Logger,
  ) {
    this.key = fiveTupleKey('udp', local, remote);
  }

  send(bytes: Buffer): void {
    sendQuietly(this.socket, bytes, this.remote, this.log);
  }

  onClose(): void {}

  keepOpen(): void {}
}

/**
 * Takes over bound UDP sockets: each datagram goes through `dispatch` together with its 5-tuple and a
 * {@link ClientLink} that sends from the socket it arrived on, and the reply (now or when its promise
 * settles) is sent from the socket of the role the reply names (which is how CHANGE-REQUEST is honoured,
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
  const sendReply = (reply: Reply | null): void => {
    if (!reply) return;
    const out = sockets.get(reply.from);
    if (!out) {
      log.error({ role: reply.from }, 'defect: reply names a socket role the server does not have');
      return;
    }
    sendQuietly(out, reply.bytes, reply.to, log);
  };
  for (const [role, socket] of sockets) {
    const local = addresses.get(role)!;
    socket.on('message', (bytes, rinfo) => {
      const remote: TransportAddress = {
        address: rinfo.address,
        port: rinfo.port,
        family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4',
      };
      const link = new UdpLink(socket, local, remote, log);
      const reply = dispatch(bytes, { transport: 'udp', localRole: role, local, remote, link });
      if (reply instanceof Promise) reply.then(sendReply);
      else sendReply(reply);
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
