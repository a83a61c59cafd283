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
  /** A room's lifetime from its creation in ms; then its sockets are closed with {@link SignalCloseCode}.roomExpired. */
  roomTtlMs: number;
  /** Ping interval in ms; a peer that has not answered the previous ping by then is dropped. */
  heartbeatMs: number;
  /** Refused (bad or rate-limited) messages a socket may send before it is closed with 1008. */
  maxBadMessages: number;
  /** Messages per second per socket, sustained, and the burst allowed on top (token bucket). */
  messagesPerS: number;
  messageBurst: number;
  /** Bytes queued to one socket beyond which it is dropped as too slow to read. */
  maxBufferedBytes: number;
}

/**
 * Defaults: 64 KiB frames (an SDP is at most 32 KiB in the schema), 8 peers per room, 1000 rooms, 2000
 * sockets, rooms live 10 min, a ping every 30 s, 10 refused messages, 20 messages/s with a burst of 100
 * (a trickle of candidates), 1 MiB queued per socket.
 */
export const DEFAULT_SIGNALING_LIMITS: SignalingLimits = {
  maxPayloadBytes: 64 * 1024,
  maxPeersPerRoom: 8,
  maxRooms: 1000,
  maxSockets: 2000,
  roomTtlMs: 10 * 60_000,
  heartbeatMs: 30_000,
  maxBadMessages: 10,
  messagesPerS: 20,
  messageBurst: 100,
  maxBufferedBytes: 1024 * 1024,
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
} as const;
