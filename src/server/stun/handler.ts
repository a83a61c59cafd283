import type { TransportAddress } from '../../wire/address.js';
import type { StunMessage } from '../../wire/message.js';
import type { SocketRole } from './socket-role.js';

/**
 * Which STUN the client speaks: `rfc5389` (magic cookie, RFC 5389/8489) or `rfc3489` (classic client, no
 * cookie: `idPrefix` is header bytes 4–7, the start of its 128-bit transaction ID, echoed in replies).
 */
export type Dialect = { kind: 'rfc5389' } | { kind: 'rfc3489'; idPrefix: number };

/** A decoded request and the dialect it arrived in. */
export interface InboundRequest {
  message: StunMessage;
  dialect: Dialect;
}

/**
 * The path back to one client: its 5-tuple (RFC 8656 §2) and a way to send it bytes that are not the reply
 * to a request (Data indications, ChannelData). Over UDP it sends from the socket the client talks to; over
 * TCP/TLS it writes on the client's connection.
 */
export interface ClientLink {
  /** The 5-tuple as one string: transport, local address and port, remote address and port. */
  readonly key: string;
  /** Sends one message to the client; over a stream the caller has already padded ChannelData. Never throws. */
  send(bytes: Buffer): void;
  /** Over TCP/TLS, `cb` runs once when the connection closes; over UDP it never runs. */
  onClose(cb: () => void): void;
  /**
   * Called with `true` when an allocation is created on the link and `false` when it is deleted. Over
   * TCP/TLS, `true` suspends the idle timeout while the allocation lives on the connection (RFC 8656 §5: the
   * allocation lasts as long as the connection) and `false` restores it; over UDP, the link (and its
   * context) is kept meanwhile and reused for every datagram of its 5-tuple, the relay's hot path.
   */
  keepOpen(held: boolean): void;
}

/** Where a message arrived: its transport, the local socket (by role and address), the sender, the way back. */
export interface InboundContext {
  transport: 'udp' | 'tcp' | 'tls';
  localRole: SocketRole;
  local: TransportAddress;
  remote: TransportAddress;
  link: ClientLink;
}

/** The 5-tuple key of {@link ClientLink.key}. */
export function fiveTupleKey(
  transport: InboundContext['transport'],
  local: TransportAddress,
  remote: TransportAddress,
): string {
  return `${transport} ${local.address} ${local.port} ${remote.address} ${remote.port}`;
}

/**
 * What to send back. `from` is the local socket role to send from and `to` the destination; over TCP
 * both are ignored and the reply goes back on the connection the request came in on.
 */
export interface Reply {
  bytes: Buffer;
  from: SocketRole;
  to: TransportAddress;
}

/** The usual reply to a request: `bytes` sent from the socket it arrived on back to its sender. */
export function replyTo(ctx: InboundContext, bytes: Buffer): Reply {
  return { bytes, from: ctx.localRole, to: ctx.remote };
}

/**
 * Answers one request of one method, synchronously (Allocate binds its relay socket in the same turn). Must
 * not throw for anything a client can send; returns `null` to send nothing. Handlers are keyed by method in a
 * {@link HandlerTable}: Binding, and the TURN engine's Allocate, Refresh, CreatePermission and ChannelBind.
 */
export type RequestHandler = (request: InboundRequest, ctx: InboundContext) => Reply | null;

/** Request handlers keyed by STUN method number (RFC 8489 §18.2). */
export type HandlerTable = ReadonlyMap<number, RequestHandler>;

/** Handles one indication (RFC 8489 §6.3.2; TURN's Send, RFC 8656 §11.2). Never throws; nothing is answered. */
export type IndicationHandler = (indication: InboundRequest, ctx: InboundContext) => void;

/** Handles one ChannelData message from a client (RFC 8656 §12.4): bytes are the whole message. Never throws. */
export type ChannelDataHandler = (bytes: Buffer, ctx: InboundContext) => void;
