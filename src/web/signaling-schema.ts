import { z } from 'zod';

/**
 * The signaling protocol on the report server's WebSocket (`/signal`, ws:// and wss://): JSON text frames,
 * one message each, in the broadcaster/watcher pattern. The broadcaster creates a room; a watcher joins it
 * by id; the server relays SDP offers/answers and ICE candidates between the broadcaster and each watcher
 * (watchers never talk to each other) and tells each side when the other joins or leaves. The server
 * never reads SDP or candidates; it only checks the envelope.
 */

/** A room id: 16 base64url characters (96 random bits), minted by the server. */
export const roomIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16}$/);
/** A peer id inside a room, minted by the server. */
export const peerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8}$/);

/** What one browser hands to the other: an offer, an answer, a trickled candidate (null = end), or bye. */
export const signalPayloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('offer'), sdp: z.string().max(32_768) }),
  z.object({ kind: z.literal('answer'), sdp: z.string().max(32_768) }),
  z.object({
    kind: z.literal('candidate'),
    candidate: z
      .object({
        candidate: z.string().max(1024),
        sdpMid: z.string().max(64).nullable().optional(),
        sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
        usernameFragment: z.string().max(256).nullable().optional(),
      })
      .nullable(),
  }),
  /** The sender's view of the call once connected, so both pages can show the same pair. */
  z.object({ kind: z.literal('result'), summary: z.string().max(4096) }),
]);

/**
 * The page's TURN credentials (from `GET /api/ice-servers`), sent with `create`/`join` so the server binds
 * its own (page-scope.ts: they may then relay to the room-mates' addresses); others are ignored.
 */
export const roomTurnCredentialsSchema = z
  .array(z.object({ username: z.string().max(128), credential: z.string().max(128) }))
  .max(4);

/** Messages from a browser to the server. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('create'), turn: roomTurnCredentialsSchema.optional() }),
  z.object({ type: z.literal('join'), room: roomIdSchema, turn: roomTurnCredentialsSchema.optional() }),
  z.object({ type: z.literal('signal'), to: peerIdSchema, payload: signalPayloadSchema }),
]);

/** Messages from the server to a browser. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  /** The sender is now in `room` as `peerId`; `peers` are the others already there. */
  z.object({
    type: z.literal('room'),
    room: roomIdSchema,
    peerId: peerIdSchema,
    role: z.enum(['broadcaster', 'watcher']),
    peers: z.array(peerIdSchema),
    /** When the room closes (ISO 8601). */
    expiresAt: z.string(),
  }),
  z.object({ type: z.literal('peer-joined'), peerId: peerIdSchema }),
  z.object({ type: z.literal('peer-left'), peerId: peerIdSchema }),
  z.object({ type: z.literal('signal'), from: peerIdSchema, payload: signalPayloadSchema }),
  /** A refused message: `bad-message`, `no-such-room`, `room-full`, `not-in-room`, `no-such-peer`,
   * `rate-limited` (messages or room creations too fast), `server-busy` (too many rooms open),
   * `too-many-rooms` (too many rooms open from the sender's network). The socket stays open unless the code
   * says otherwise. */
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);

export type SignalPayload = z.infer<typeof signalPayloadSchema>;
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type RoomTurnCredentials = z.infer<typeof roomTurnCredentialsSchema>;
export type ServerMessage = z.infer<typeof serverMessageSchema>;
