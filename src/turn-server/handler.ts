import type { TransportAddress } from '../stun/address.js';
import type { StunMessage } from '../stun/message.js';
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

/** Where a message arrived: its transport, the local socket (by role and address), and the sender. */
export interface InboundContext {
  transport: 'udp' | 'tcp';
  localRole: SocketRole;
  local: TransportAddress;
  remote: TransportAddress;
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

/**
 * Answers one request of one method. Must not throw for anything a client can send; returns `null` to
 * send nothing. Handlers are keyed by method in a {@link HandlerTable}, so a TURN engine can add Allocate,
 * Refresh, CreatePermission and ChannelBind next to Binding.
 */
export type RequestHandler = (request: InboundRequest, ctx: InboundContext) => Reply | null;

/** Request handlers keyed by STUN method number (RFC 8489 §18.2). */
export type HandlerTable = ReadonlyMap<number, RequestHandler>;
