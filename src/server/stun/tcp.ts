import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { processConnectionBudget } from '../../net/connection-budget.js';
import { guardConnections } from '../../net/guard-connections.js';
import { budgetRefusals } from '../../net/refusal-log.js';
import type { TransportAddress } from '../../wire/address.js';
import { MAGIC_COOKIE } from '../../wire/constants.js';
import { type StreamFrame, StreamFramer } from '../../wire/framing.js';
import { looksLikeStun } from '../../wire/message.js';
import { refuseEarlyConnection } from './bind.js';
import { type Dispatch, isChannelData } from './dispatch.js';
import { type ClientLink, fiveTupleKey, type Reply } from './handler.js';
import { closeQuietly } from './ports.js';
import type { SocketRole } from './socket-role.js';

/** A connection idle this long is closed, unless an allocation lives on it. */
export const TCP_IDLE_TIMEOUT_MS = 30_000;
/**
 * A frame must be complete this long after its first byte arrived, in ms. The idle timeout alone restarts
 * with every byte, so without this a client trickling one byte every few seconds would hold a connection
 * (and its buffered partial frame) forever: the slow-request attack on HTTP servers. Checked when bytes
 * arrive, so such a connection lives at most this plus {@link TCP_IDLE_TIMEOUT_MS}.
 */
export const TCP_FRAME_DEADLINE_MS = 10_000;
/**
 * A connection must have an allocation this long after its TCP accept, or it is closed, in ms (coturn's
 * `max-allocate-timeout`, also 60 s): Binding requests alone, which restart the idle timeout, cannot hold
 * it. `serve --allocate-timeout` sets it. Over TLS the clock starts at the TCP accept too, before the
 * handshake.
 */
export const DEFAULT_ALLOCATE_TIMEOUT_MS = 60_000;
/**
 * A connection whose unsent bytes exceed this is a client that does not read: a reply that would pass it
 * closes the connection; relayed data that would pass it is dropped, as UDP would lose it.
 */
export const MAX_PENDING_WRITE_BYTES = 64 * 1024;

/** Settings of {@link listenStream}. */
export interface StreamOptions {
  /** See {@link DEFAULT_ALLOCATE_TIMEOUT_MS} (the default), in ms. */
  allocateTimeoutMs?: number;
}

/** The stream side of the server (TCP or TLS): one listening socket per role, replies on the same connection. */
export interface StreamListener {
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
 * STUN over TCP) or, when an allocation lives on the connection (`channelData`), ChannelData; and so is the
 * start of any partial frame held back. The partial frame begins inside `chunk` when the framer holds no
 * more than `chunk` (else it began in an earlier chunk and was checked then). Without an allocation,
 * ChannelData can only be garbage: HTTP's `GET`, `HEAD`, `POST` start with bytes 0x40–0x7F.
 */
function isStunOrChannelData(
  framer: StreamFramer,
  chunk: Buffer,
  frames: StreamFrame[],
  channelData: boolean,
): boolean {
  const ok = (f: StreamFrame): boolean => (f.kind === 'channel-data' ? channelData : looksLikeStun(f.bytes));
  if (!frames.every(ok)) return false;
  const pending = framer.bufferedBytes;
  if (pending === 0 || pending > chunk.length) return true;
  const start = chunk.subarray(chunk.length - pending);
  return (channelData && isChannelData(start)) || canStartStun(start);
}

/**
 * Takes over bound TCP or TLS servers. Each connection (for TLS: each connection whose handshake
 * completed) is cut into frames by {@link StreamFramer} (RFC 8489 §6.2.2, RFC 8656 §12.5); each frame goes
 * through `dispatch` with a {@link ClientLink} that writes on the connection, and its reply is written back
 * on the same connection, at once (Nagle's algorithm is off: a burst of replies, or relayed data, does not
 * wait for the client's delayed ACK). A stream that is neither RFC 8489 STUN nor ChannelData (HTTP, TLS on
 * the plain port; seen as soon as a frame's first 8 bytes are in), a connection idle for
 * {@link TCP_IDLE_TIMEOUT_MS} with no allocation on it, one that trickles a frame for longer than
 * {@link TCP_FRAME_DEADLINE_MS}, one that stops reading its replies ({@link MAX_PENDING_WRITE_BYTES}), or
 * one with no allocation `allocateTimeoutMs` after its TCP accept ({@link DEFAULT_ALLOCATE_TIMEOUT_MS}) is
 * closed; an allocation, once made, keeps its connection open until it ends. Every accepted connection is
 * admitted by the process's connection budget first (`processConnectionBudget`, src/net): over the per-IP
 * or total limit it is closed at accept, logged at debug level, with a warn line per client at most once a
 * minute (`budgetRefusals`, src/net/refusal-log.ts). Nothing here throws from an event handler.
 * @param transport `'tls'` when the servers are `tls.Server`s (connections are taken on `secureConnection`).
 */
export function listenStream(
  servers: ReadonlyMap<SocketRole, Server>,
  addresses: ReadonlyMap<SocketRole, TransportAddress>,
  dispatch: Dispatch,
  log: Logger,
  transport: 'tcp' | 'tls' = 'tcp',
  options: StreamOptions = {},
): StreamListener {
  const allocateTimeoutMs = options.allocateTimeoutMs ?? DEFAULT_ALLOCATE_TIMEOUT_MS;
  const connections = new Set<Socket>();
  /** TLS: when each connection still in its handshake was accepted (ms), by remote address and port. */
  const acceptedAt = new Map<string, number>();
  const remoteKey = (socket: Socket): string => `${socket.remoteAddress} ${socket.remotePort}`;
  const stampAccept = (raw: Socket): void => {
    if (raw.destroyed) return;
    const key = remoteKey(raw);
    acceptedAt.set(key, Date.now());
    raw.once('close', () => acceptedAt.delete(key));
  };
  const accept = (role: SocketRole, local: TransportAddress, socket: Socket): void => {
    const remote = remoteOf(socket);
    if (!remote || socket.destroyed) {
      socket.destroy();
      return;
    }
    const since = acceptedAt.get(remoteKey(socket)) ?? Date.now();
    const untilAllocated = setTimeout(
      () => {
        log.debug({ role, transport, allocateTimeoutMs }, 'no allocation in time: closing');
        socket.destroy();
      },
      Math.max(0, allocateTimeoutMs - (Date.now() - since)),
    );
    connections.add(socket);
    socket.setNoDelay(true);
    const framer = new StreamFramer();
    const idle = (): void => {
      socket.destroy();
    };
    let allocated = false;
    let partialSinceMs = 0;
    socket.setTimeout(TCP_IDLE_TIMEOUT_MS, idle);
    socket.on('error', (err) => log.debug({ err, role, transport }, 'stream connection error'));
    socket.on('close', () => {
      clearTimeout(untilAllocated);
      connections.delete(socket);
    });
    const link: ClientLink = {
      key: fiveTupleKey(transport, local, remote),
      send(bytes) {
        if (socket.destroyed || socket.writableLength + bytes.length > MAX_PENDING_WRITE_BYTES) return;
        socket.write(bytes);
      },
      onClose(cb) {
        socket.once('close', cb);
      },
      keepOpen(held) {
        allocated = held;
        if (held) clearTimeout(untilAllocated);
        socket.setTimeout(held ? 0 : TCP_IDLE_TIMEOUT_MS, idle);
      },
    };
    const writeReply = (reply: Reply | null): void => {
      if (!reply || socket.destroyed) return;
      if (socket.writableLength + reply.bytes.length > MAX_PENDING_WRITE_BYTES) {
        socket.destroy();
        return;
      }
      socket.write(reply.bytes);
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: StreamFrame[] | undefined;
      try {
        frames = framer.push(chunk);
      } catch {
        frames = undefined;
      }
      if (!frames || !isStunOrChannelData(framer, chunk, frames, allocated)) {
        log.debug({ role, transport }, 'stream is neither STUN nor ChannelData: closing');
        socket.destroy();
        return;
      }
      if (framer.bufferedBytes === 0) partialSinceMs = 0;
      else if (frames.length > 0 || partialSinceMs === 0) partialSinceMs = Date.now();
      else if (Date.now() - partialSinceMs > TCP_FRAME_DEADLINE_MS) {
        log.debug({ role, transport }, 'frame not completed in time: closing');
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (socket.destroyed) return;
        writeReply(dispatch(frame.bytes, { transport, localRole: role, local, remote, link }));
      }
    });
  };
  const event = transport === 'tls' ? 'secureConnection' : 'connection';
  const refused = budgetRefusals(log, `TURN over ${transport.toUpperCase()}`);
  for (const [role, server] of servers) {
    const local = addresses.get(role)!;
    guardConnections(server, processConnectionBudget(), refused);
    if (transport === 'tls') server.on('connection', stampAccept);
    server.off(event, refuseEarlyConnection);
    server.on(event, (socket: Socket) => accept(role, local, socket));
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
