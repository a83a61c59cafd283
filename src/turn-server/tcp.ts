import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { TransportAddress } from '../stun/address.js';
import { MAGIC_COOKIE } from '../stun/constants.js';
import { type StreamFrame, StreamFramer } from '../stun/framing.js';
import { looksLikeStun } from '../stun/message.js';
import { refuseEarlyConnection } from './bind.js';
import type { Dispatch } from './dispatch.js';
import { closeQuietly } from './ports.js';
import type { SocketRole } from './socket-role.js';

/** A connection idle this long is closed. */
export const TCP_IDLE_TIMEOUT_MS = 30_000;
/** Most connections accepted at once on each listening socket; the operating system queues the rest. */
export const MAX_TCP_CONNECTIONS = 1024;
/** A connection whose unsent replies exceed this (a client that does not read) is closed. */
export const MAX_PENDING_WRITE_BYTES = 64 * 1024;

/** The TCP side of the server: one listening socket per role, replies on the same connection. */
export interface TcpListener {
  /** Local address of each listening socket, primary first. */
  readonly addresses: TransportAddress[];
  /** Closes every listening socket and every open connection; resolves when all are closed. Idempotent. */
  close(): Promise<void>;
}

function remoteOf(socket: Socket): TransportAddress | undefined {
  const { remoteAddress: address, remotePort: port, remoteFamily } = socket;
  if (address === undefined || port === undefined) return undefined;
  return { address, port, family: remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4' };
}

/** True when `start` (the first bytes of a frame, maybe fewer than 8) can begin an RFC 8489 message. */
function canStartStun(start: Buffer): boolean {
  return (start[0]! & 0xc0) === 0 && (start.length < 8 || start.readUInt32BE(4) === MAGIC_COOKIE);
}

/**
 * True when every frame cut from the stream is an RFC 8489 message (magic cookie present: RFC 3489 had no
 * STUN over TCP) and so is the start of any partial frame held back. The partial frame begins inside
 * `chunk` when the framer holds no more than `chunk` (else it began in an earlier chunk and was checked
 * then). ChannelData is refused: no TURN allocation exists to carry it.
 */
function onlyStun(framer: StreamFramer, chunk: Buffer, frames: StreamFrame[]): boolean {
  if (!frames.every((f) => f.kind === 'stun' && looksLikeStun(f.bytes))) return false;
  const pending = framer.bufferedBytes;
  return pending === 0 || pending > chunk.length || canStartStun(chunk.subarray(chunk.length - pending));
}

/**
 * Takes over bound TCP servers. Each connection is cut into frames by {@link StreamFramer} (RFC 8489
 * §6.2.2); each STUN frame goes through `dispatch` and its reply is written back on the same connection.
 * A stream that is not RFC 8489 STUN (HTTP, TLS, ChannelData until a TURN engine exists; seen as soon as a
 * frame's first 8 bytes are in), a connection idle for {@link TCP_IDLE_TIMEOUT_MS}, or one that stops reading
 * its replies ({@link MAX_PENDING_WRITE_BYTES}) is closed. Nothing here throws from an event handler.
 */
export function listenTcp(
  servers: ReadonlyMap<SocketRole, Server>,
  addresses: ReadonlyMap<SocketRole, TransportAddress>,
  dispatch: Dispatch,
  log: Logger,
): TcpListener {
  const connections = new Set<Socket>();
  const accept = (role: SocketRole, local: TransportAddress, socket: Socket): void => {
    const remote = remoteOf(socket);
    if (!remote) {
      socket.destroy();
      return;
    }
    connections.add(socket);
    const framer = new StreamFramer();
    socket.setTimeout(TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', (err) => log.debug({ err, role }, 'TCP connection error'));
    socket.on('close', () => connections.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      let frames: StreamFrame[] | undefined;
      try {
        frames = framer.push(chunk);
      } catch {
        frames = undefined;
      }
      if (!frames || !onlyStun(framer, chunk, frames)) {
        log.debug({ role }, 'TCP stream is not STUN: closing');
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (socket.destroyed) return;
        const reply = dispatch(frame.bytes, { transport: 'tcp', localRole: role, local, remote });
        if (!reply) continue;
        if (socket.writableLength + reply.bytes.length > MAX_PENDING_WRITE_BYTES) {
          socket.destroy();
          return;
        }
        socket.write(reply.bytes);
      }
    });
  };
  for (const [role, server] of servers) {
    const local = addresses.get(role)!;
    server.maxConnections = MAX_TCP_CONNECTIONS;
    server.off('connection', refuseEarlyConnection);
    server.on('connection', (socket: Socket) => accept(role, local, socket));
  }
  let closing: Promise<void> | undefined;
  return {
    addresses: [...servers.keys()].map((r) => addresses.get(r)!),
    close() {
      if (!closing) {
        const stopped = [...servers.values()].map(closeQuietly);
        for (const socket of connections) socket.destroy();
        closing = Promise.all(stopped).then(() => undefined);
      }
      return closing;
    },
  };
}
