import type dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { TransportAddress } from '../../wire/address.js';
import type { Dispatch } from './dispatch.js';
import { type ClientLink, fiveTupleKey, type InboundContext, type Reply } from './handler.js';
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
 * Sends a datagram without a completion callback (a callback costs a `process.nextTick` per datagram): a
 * send refused at once (the socket is closing) is logged at debug level, a later failure (e.g. ICMP
 * unreachable) is dropped by Node; UDP loses packets anyway.
 */
function sendQuietly(socket: dgram.Socket, bytes: Buffer, to: TransportAddress, log: Logger): void {
  try {
    socket.send(bytes, to.port, to.address);
  } catch (err) {
    log.debug({ err }, 'UDP send refused (socket closing?)');
  }
}

/**
 * The UDP links of one socket that hold an allocation, by remote port then address: the relay's hot path
 * (ChannelData and Send indications of a 5-tuple with an allocation) finds its link here instead of building
 * a 5-tuple key string and two objects per datagram. Only links that hold an allocation are kept, so the
 * cache is bounded by the allocation quotas, whatever a client sends.
 */
class LinkCache {
  private readonly byPort = new Map<number, UdpLink[]>();

  find(port: number, address: string): UdpLink | undefined {
    const links = this.byPort.get(port);
    if (!links) return undefined;
    for (const link of links) if (link.remote.address === address) return link;
    return undefined;
  }

  add(link: UdpLink): void {
    const links = this.byPort.get(link.remote.port);
    if (!links) this.byPort.set(link.remote.port, [link]);
    else if (!links.includes(link)) links.push(link);
  }

  delete(link: UdpLink): void {
    const links = this.byPort.get(link.remote.port);
    if (!links) return;
    const rest = links.filter((l) => l !== link);
    if (rest.length > 0) this.byPort.set(link.remote.port, rest);
    else this.byPort.delete(link.remote.port);
  }
}

/**
 * The way back to a UDP client: the socket its datagram arrived on, with the datagram's inbound context.
 * Its methods are on the prototype (no closures). While an allocation lives on it ({@link keepOpen}), it is
 * kept in its socket's {@link LinkCache} and reused, context included, for every datagram of its 5-tuple;
 * other datagrams get a fresh one.
 */
class UdpLink implements ClientLink {
  readonly key: string;
  readonly ctx: InboundContext;

  constructor(
    private readonly socket: dgram.Socket,
    localRole: SocketRole,
    local: TransportAddress,
    readonly remote: TransportAddress,
    private readonly log: Logger,
    private readonly cache: LinkCache,
  ) {
    this.key = fiveTupleKey('udp', local, remote);
    this.ctx = { transport: 'udp', localRole, local, remote, link: this };
  }

  send(bytes: Buffer): void {
    sendQuietly(this.socket, bytes, this.remote, this.log);
  }

  onClose(): void {}

  keepOpen(held: boolean): void {
    if (held) this.cache.add(this);
    else this.cache.delete(this);
  }
}

/**
 * Takes over bound UDP sockets: each datagram goes through `dispatch` together with its 5-tuple and a
 * {@link ClientLink} that sends from the socket it arrived on, and the reply, returned by `dispatch` in the
 * same turn, is sent from the socket of the role the reply names (which is how CHANGE-REQUEST is honoured,
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
    const links = new LinkCache();
    socket.on('message', (bytes, rinfo) => {
      const ctx =
        links.find(rinfo.port, rinfo.address)?.ctx ??
        new UdpLink(
          socket,
          role,
          local,
          { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4' },
          log,
          links,
        ).ctx;
      sendReply(dispatch(bytes, ctx));
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
