import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import type { Transport } from '../../wire/address.js';
import { CHANNEL_DATA_HEADER_BYTES, readChannelData } from '../../wire/channel-data.js';
import { StunDecodeError } from '../../wire/errors.js';
import { type StreamFrame, StreamFramer } from '../../wire/framing.js';
import { looksLikeStun } from '../../wire/message.js';
import type { StreamConnectOptions } from '../transport/stream-client.js';
import { LinkConnectError, openStreamSocket } from '../transport/stream-connect.js';
import { describeSocketError } from '../transport/tls-errors.js';

/**
 * Why a link stopped carrying messages: `closed` (the server closed the connection), `unreachable` (UDP:
 * an ICMP port-unreachable came back), `garbage` (bytes that are neither STUN nor ChannelData on a stream),
 * `error` (any other socket error). `message` is one line in plain words.
 */
export interface LinkFailure {
  kind: 'closed' | 'unreachable' | 'garbage' | 'error';
  message: string;
}

/** What a link hands up: a frame, a datagram that is neither STUN nor ChannelData, or its end. */
export interface LinkEvents {
  frame: (frame: StreamFrame) => void;
  /** UDP only: a datagram that is neither STUN nor ChannelData (the link stays up). */
  garbage: (bytes: Buffer) => void;
  failure: (failure: LinkFailure) => void;
}

/**
 * One client transport to a TURN server (RFC 8656 §3.1): a connected UDP socket, or a TCP or TLS
 * connection whose bytes are cut into STUN and ChannelData frames (RFC 8656 §12.5). Owns its socket;
 * `close()` frees it. ChannelData written over a stream is padded to 4 bytes by the caller.
 */
export interface TurnLink {
  readonly transport: Transport;
  /** True for TCP/TLS: nothing is lost, so requests are not retransmitted (RFC 8489 §6.2.2). */
  readonly reliable: boolean;
  send(bytes: Buffer): void;
  close(): void;
}

export { LinkConnectError };

/** What to connect to: over TCP/TLS, as {@link StreamConnectOptions} says. */
export interface LinkOptions extends Omit<StreamConnectOptions, 'transport'> {
  transport: Transport;
  /** Limit for the TCP/TLS handshake, in ms. */
  connectTimeoutMs: number;
  signal: AbortSignal;
  events: LinkEvents;
}

/** A link whose `send` and `close` do nothing once it is closed (by the caller or by a failure). */
class GuardedLink implements TurnLink {
  open = true;

  constructor(
    readonly transport: Transport,
    private readonly write: (bytes: Buffer) => void,
    private readonly end: () => void,
  ) {}

  get reliable(): boolean {
    return this.transport !== 'udp';
  }

  send(bytes: Buffer): void {
    if (this.open) this.write(bytes);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.end();
  }
}

/**
 * Classifies one UDP datagram from the server: STUN, ChannelData (`readChannelData`: channel 0x4000–0x7FFF,
 * cut to its length, as `StreamFramer` does over TCP/TLS), or neither.
 */
function datagramFrame(bytes: Buffer): StreamFrame | null {
  if (looksLikeStun(bytes)) return { kind: 'stun', bytes };
  const cd = readChannelData(bytes);
  if (!cd) return null;
  return { kind: 'channel-data', bytes: bytes.subarray(0, CHANNEL_DATA_HEADER_BYTES + cd.data.length) };
}

function udpLink(socket: UdpSocket, events: LinkEvents): TurnLink {
  socket.on('message', (bytes) => {
    const frame = datagramFrame(bytes);
    if (frame) events.frame(frame);
    else events.garbage(bytes);
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    events.failure(
      err.code === 'ECONNREFUSED'
        ? { kind: 'unreachable', message: 'UDP port unreachable (ICMP): nothing listens on that UDP port' }
        : { kind: 'error', message: err.code ? describeSocketError(err.code) : err.message },
    );
  });
  return new GuardedLink(
    'udp',
    (bytes) => socket.send(bytes),
    () => socket.close(),
  );
}

async function openUdp(opts: LinkOptions): Promise<TurnLink> {
  const socket = createSocket({ type: opts.to.family === 'IPv6' ? 'udp6' : 'udp4' });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(opts.to.port, opts.to.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    socket.close();
    throw new LinkConnectError((err as NodeJS.ErrnoException).code ?? 'error', 0);
  }
  return udpLink(socket, opts.events);
}

function streamLink(socket: Socket, transport: 'tcp' | 'tls', events: LinkEvents): TurnLink {
  const framer = new StreamFramer();
  const link = new GuardedLink(
    transport,
    (bytes) => socket.write(bytes),
    () => socket.destroy(),
  );
  const fail = (f: LinkFailure): void => {
    if (!link.open) return;
    link.close();
    events.failure(f);
  };
  socket.on('data', (chunk: Buffer) => {
    let frames: StreamFrame[];
    try {
      frames = framer.push(chunk);
    } catch (err) {
      const why = err instanceof StunDecodeError ? err.message : String(err);
      fail({
        kind: 'garbage',
        message: `the server sent bytes that are neither STUN nor ChannelData (${why})`,
      });
      return;
    }
    for (const f of frames) events.frame(f);
  });
  socket.on('error', (err: NodeJS.ErrnoException) =>
    fail({ kind: 'error', message: err.code ? describeSocketError(err.code) : err.message }),
  );
  socket.on('close', () => fail({ kind: 'closed', message: 'the server closed the connection' }));
  // A socket through an HTTP CONNECT tunnel comes paused (`openHttpTunnel`); a direct one already flows.
  socket.resume();
  return link;
}

async function openStream(opts: LinkOptions, transport: 'tcp' | 'tls'): Promise<TurnLink> {
  const socket = await openStreamSocket({ ...opts, transport });
  return streamLink(socket, transport, opts.events);
}

/**
 * Opens a link: a connected UDP socket (no handshake), or a TCP/TLS connection (RFC 8656 §3.1) made by
 * `openStreamSocket` (TCP within `connectTimeoutMs`, then TLS within an RTT-based wait, certificate
 * checked unless `insecure`).
 * @throws LinkConnectError with the socket or TLS error code (`ECONNREFUSED`, a certificate code,
 *   `timeout`, `aborted`, `tls-no-handshake`).
 */
export function openTurnLink(opts: LinkOptions): Promise<TurnLink> {
  return opts.transport === 'udp' ? openUdp(opts) : openStream(opts, opts.transport);
}
