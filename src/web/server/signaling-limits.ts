/** The limits of the signaling hub; every one is enforced per socket or per hub. */
export interface SignalingLimits {
  /** Largest frame in bytes; a bigger one closes the socket with 1009 (RFC 6455 §7.4.1). */
  maxPayloadBytes: number;
  /** Peers in a room, the broadcaster included; a join beyond it gets `room-full`. */
  maxPeersPerRoom: number;
  /** Rooms open at once; a create beyond it gets `server-busy`. */
  maxRooms: number;
  /** WebSockets open at once; an upgrade beyond it is refused with HTTP 503. */
  maxSockets: number;
  /**
   * WebSockets open at once from one client (an IPv4 address, an IPv6 /64: `clientKey`); an upgrade beyond
   * it is refused with HTTP 429 before any WebSocket exists.
   */
  maxSocketsPerIp: number;
  /** Rooms open at once whose broadcaster came from one client; a create beyond it gets `too-many-rooms`. */
  maxRoomsPerIp: number;
  /**
   * Rooms one client may create per second, sustained, and the burst allowed on top (token bucket); a
   * create beyond it gets `rate-limited` (and counts toward `maxBadMessages`).
   */
  roomCreatesPerS: number;
  roomCreateBurst: number;
  /**
   * How long a socket may stay open in no room (from its upgrade, or from leaving a room), in ms; then it
   * is closed with {@link SignalCloseCode}.noRoom.
   */
  noRoomLifetimeMs: number;
  /** A room's lifetime from its creation in ms; then its sockets are closed with {@link SignalCloseCode}.roomExpired. */
  roomTtlMs: number;
  /** Ping interval in ms; a peer that has not answered the previous ping by then is dropped. */
  heartbeatMs: number;
  /** Refused (bad or rate-limited) messages a socket may send before it is closed with 1008. */
  maxBadMessages: number;
  /** Messages per second per socket, sustained, and the burst allowed on top (token bucket). */
  messagesPerS: number;
  messageBurst: number;
  /**
   * Bytes queued to one socket (`ws.bufferedAmount`) with the next message beyond which it is dropped as too
   * slow to read ({@link SignalCloseCode}.tooSlow) instead of queueing the message.
   */
  maxBufferedBytes: number;
  /**
   * Bytes queued over all sockets together: a message that would pass it, sent to a socket that already
   * has some queued (that does not keep up), drops that socket as too slow instead.
   */
  maxQueuedBytesTotal: number;
}

/**
 * Defaults: 64 KiB frames (an SDP is at most 32 KiB in the schema), 8 peers per room, 1000 rooms, 2000
 * sockets, rooms live 10 min, a ping every 30 s, 10 refused messages, 20 messages/s with a burst of 100
 * (a trickle of candidates), 128 KiB queued per socket (two largest frames), 16 MiB queued in all.
 *
 * Per client, sized from what the page does: one page holds at most one socket for the two-peer test
 * (created with `create` or `join` right after it opens, in one room) and, for a moment, the two of the
 * signaling check (ws:// and wss://, closed once open); so 32 sockets and 16 rooms per client leave room
 * for a dozen visitors behind one NAT testing at once, while one attacker address holds at most 32 of the
 * 2000 sockets. Room creation: 10 at once, then one per 5 s (a page creates one room per click on
 * "invite"). A socket in no room is closed after 30 s (a page sends `create`/`join` within ms of opening).
 */
export const DEFAULT_SIGNALING_LIMITS: SignalingLimits = {
  maxPayloadBytes: 64 * 1024,
  maxPeersPerRoom: 8,
  maxRooms: 1000,
  maxSockets: 2000,
  maxSocketsPerIp: 32,
  maxRoomsPerIp: 16,
  roomCreatesPerS: 0.2,
  roomCreateBurst: 10,
  noRoomLifetimeMs: 30_000,
  roomTtlMs: 10 * 60_000,
  heartbeatMs: 30_000,
  maxBadMessages: 10,
  messagesPerS: 20,
  messageBurst: 100,
  maxBufferedBytes: 2 * 64 * 1024,
  maxQueuedBytesTotal: 16 * 1024 * 1024,
};

/** Close codes the hub uses (RFC 6455 §7.4: 1000–2999 by the RFC, 4000–4999 private to this protocol). */
export const SignalCloseCode = {
  /** The server is shutting down (RFC 6455 "going away"). */
  goingAway: 1001,
  /** Too many refused messages (RFC 6455 "policy violation"). */
  policyViolation: 1008,
  /** The room's lifetime ended. */
  roomExpired: 4000,
  /** The socket did not read what was sent to it. */
  tooSlow: 4001,
  /** The socket was in no room for `noRoomLifetimeMs`. */
  noRoom: 4002,
} as const;
