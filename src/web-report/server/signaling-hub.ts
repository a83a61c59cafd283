import type { Logger } from 'pino';
import { type RawData, WebSocket } from 'ws';
import { canonicalIp, type ScopeBinder, type ScopeMember } from '../../turn-server/page-scope.js';
import {
  type ClientMessage,
  clientMessageSchema,
  type RoomTurnCredentials,
  type ServerMessage,
} from '../signaling-schema.js';
import { newPeerId, newRoomId } from './ids.js';
import { SignalCloseCode, type SignalingLimits } from './signaling-limits.js';
import { TokenBucket } from './token-bucket.js';

/** One connected browser; as a {@link ScopeMember}, its room-mates' addresses scope its page credential. */
interface Peer extends ScopeMember {
  readonly id: string;
  readonly socket: WebSocket;
  /** The canonical IP its socket came from, or `null` when unknown. */
  readonly address: string | null;
  room: Room | null;
  refused: number;
  readonly bucket: TokenBucket;
  /** Whether the peer answered the last ping. */
  alive: boolean;
}

/** A broadcaster and the watchers that joined it. */
interface Room {
  readonly id: string;
  readonly broadcaster: Peer;
  readonly watchers: Map<string, Peer>;
  readonly expiresAt: string;
  readonly timer: NodeJS.Timeout;
}

/** Time `close()` waits for closing handshakes before it cuts the remaining sockets, in ms. */
const CLOSE_GRACE_MS = 1000;

/** A signaling refusal: the `error` message's code and text. */
type Refusal = [code: string, message: string];

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * The addresses of the peers `peer` may signal to in its room: the broadcaster's watchers, or a watcher's
 * broadcaster (watchers never reach each other).
 */
function roomMates(peer: Peer): string[] {
  const room = peer.room;
  if (room === null) return [];
  const mates = peer === room.broadcaster ? [...room.watchers.values()] : [room.broadcaster];
  return mates.flatMap((m) => (m.address === null ? [] : [m.address]));
}

/**
 * The WebSocket signaling hub of the report page (signaling-schema.ts, broadcaster/watcher rooms): `create`
 * opens a room whose creator is its broadcaster; `join` adds a watcher; `signal` is relayed from the
 * broadcaster to one watcher or from a watcher to the broadcaster only (watchers never reach each other);
 * both sides get `peer-joined` / `peer-left`. The page TURN credentials a member sends with `create`/`join`
 * are bound to it in the page scope (page-scope.ts) while it is in the room: they may then relay to the
 * addresses its room-mates' sockets came from. A broadcaster that leaves closes its room (its watchers get
 * `peer-left` and may create or join another). Refusals are `error` messages (`bad-message`,
 * `no-such-room`, `room-full`, `not-in-room`, `no-such-peer`, `rate-limited`, `server-busy`); after
 * `maxBadMessages` bad or rate-limited messages the socket is closed with 1008. Rooms expire `roomTtlMs`
 * after creation: their sockets are closed with 4000. A ping every `heartbeatMs` drops peers that did not
 * answer the previous one. No event handler throws: an unexpected error is logged and the socket cut.
 * The hub owns every timer it starts; `close()` stops them all.
 */
export class SignalingHub {
  private readonly peers = new Map<WebSocket, Peer>();
  private readonly peerIds = new Set<string>();
  private readonly rooms = new Map<string, Room>();
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  /**
   * @param scope where a member's page TURN credentials (`turn` of `create`/`join`) are bound while it is
   *   in a room, or `null` to ignore them.
   */
  constructor(
    private readonly limits: SignalingLimits,
    private readonly log: Logger,
    private readonly scope: ScopeBinder | null = null,
  ) {
    this.heartbeat = setInterval(() => this.ping(), limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Signaling sockets and rooms open now. */
  get stats(): { sockets: number; rooms: number } {
    return { sockets: this.peers.size, rooms: this.rooms.size };
  }

  /** True when another socket would exceed `maxSockets` (or the hub is closed): refuse the upgrade. */
  get full(): boolean {
    return this.closed || this.peers.size >= this.limits.maxSockets;
  }

  /**
   * Takes over an upgraded socket: listens to its messages, pongs and close.
   * @param remoteAddress the IP the socket came from (its TCP peer), the address its room-mates' page
   *   credentials may relay to.
   */
  accept(socket: WebSocket, remoteAddress?: string): void {
    const peer: Peer = {
      id: this.uniquePeerId(),
      socket,
      address: remoteAddress === undefined ? null : canonicalIp(remoteAddress),
      roomMates: () => roomMates(peer),
      room: null,
      refused: 0,
      bucket: new TokenBucket(this.limits.messagesPerS, this.limits.messageBurst),
      alive: true,
    };
    this.peers.set(socket, peer);
    socket.on('message', (data, isBinary) => this.guard(peer, () => this.onMessage(peer, data, isBinary)));
    socket.on('pong', () => {
      peer.alive = true;
    });
    socket.on('close', () => this.guard(null, () => this.leave(peer)));
    socket.on('error', (err) => this.log.debug({ err, peer: peer.id }, 'signaling socket error'));
  }

  /**
   * Closes every socket (1001), stops the heartbeat and every room timer; waits up to
   * {@link CLOSE_GRACE_MS} for the closing handshakes, then cuts what is left. Idempotent.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const room of this.rooms.values()) clearTimeout(room.timer);
    this.rooms.clear();
    const sockets = [...this.peers.keys()];
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === WebSocket.CLOSED) return resolve();
            const cut = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
            socket.once('close', () => {
              clearTimeout(cut);
              resolve();
            });
            socket.close(SignalCloseCode.goingAway, 'server shutting down');
          }),
      ),
    );
  }

  /** Runs an event handler's body; anything it throws is logged and, for a peer, cuts its socket. */
  private guard(peer: Peer | null, body: () => void): void {
    try {
      body();
    } catch (err) {
      this.log.error({ err, peer: peer?.id }, 'signaling handler failed');
      peer?.socket.terminate();
    }
  }

  private uniquePeerId(): string {
    let id = newPeerId();
    while (this.peerIds.has(id)) id = newPeerId();
    this.peerIds.add(id);
    return id;
  }

  private send(peer: Peer, message: ServerMessage): void {
    if (peer.socket.readyState !== WebSocket.OPEN) return;
    if (peer.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.log.info({ peer: peer.id }, 'signaling peer too slow to read: dropped');
      peer.socket.close(SignalCloseCode.tooSlow, 'too slow to read');
      return;
    }
    peer.socket.send(JSON.stringify(message));
  }

  /** Answers a refused message; bad and rate-limited ones count toward `maxBadMessages`. */
  private refuse(peer: Peer, [code, message]: Refusal, counts: boolean): void {
    this.send(peer, { type: 'error', code, message });
    if (!counts) return;
    peer.refused += 1;
    if (peer.refused >= this.limits.maxBadMessages)
      peer.socket.close(SignalCloseCode.policyViolation, 'too many bad messages');
  }

  private onMessage(peer: Peer, data: RawData, isBinary: boolean): void {
    if (!peer.bucket.take()) {
      this.refuse(peer, ['rate-limited', `more than ${this.limits.messagesPerS} messages per second`], true);
      return;
    }
    if (isBinary) {
      this.refuse(peer, ['bad-message', 'binary frames are not signaling messages'], true);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text(data));
    } catch {
      this.refuse(peer, ['bad-message', 'not JSON'], true);
      return;
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      this.refuse(
        peer,
        ['bad-message', `not a signaling message${where}: ${issue?.message ?? 'invalid'}`],
        true,
      );
      return;
    }
    const refusal = this.handle(peer, parsed.data);
    if (refusal) this.refuse(peer, refusal, false);
  }

  private handle(peer: Peer, message: ClientMessage): Refusal | null {
    switch (message.type) {
      case 'create':
        return this.bound(peer, message.turn, this.create(peer));
      case 'join':
        return this.bound(peer, message.turn, this.join(peer, message.room));
      case 'signal': {
        const room = peer.room;
        if (room === null) return ['not-in-room', 'join or create a room first'];
        const to =
          peer === room.broadcaster
            ? room.watchers.get(message.to)
            : message.to === room.broadcaster.id
              ? room.broadcaster
              : undefined;
        if (to === undefined) return ['no-such-peer', `no peer ${message.to} to signal in this room`];
        this.send(to, { type: 'signal', from: peer.id, payload: message.payload });
        return null;
      }
    }
  }

  /** After a `create`/`join` that put `peer` in a room (`refusal` null), binds its page credentials. */
  private bound(peer: Peer, turn: RoomTurnCredentials | undefined, refusal: Refusal | null): Refusal | null {
    if (refusal === null && this.scope !== null)
      for (const c of turn ?? []) this.scope.claim(c.username, c.credential, peer);
    return refusal;
  }

  private create(peer: Peer): Refusal | null {
    if (peer.room) return ['bad-message', 'already in a room'];
    if (this.rooms.size >= this.limits.maxRooms)
      return ['server-busy', 'too many rooms open; try again later'];
    let id = newRoomId();
    while (this.rooms.has(id)) id = newRoomId();
    const timer = setTimeout(() => this.guard(null, () => this.expire(id)), this.limits.roomTtlMs);
    timer.unref();
    const room: Room = {
      id,
      broadcaster: peer,
      watchers: new Map(),
      expiresAt: new Date(Date.now() + this.limits.roomTtlMs).toISOString(),
      timer,
    };
    this.rooms.set(id, room);
    peer.room = room;
    this.send(peer, {
      type: 'room',
      room: id,
      peerId: peer.id,
      role: 'broadcaster',
      peers: [],
      expiresAt: room.expiresAt,
    });
    return null;
  }

  private join(peer: Peer, roomId: string): Refusal | null {
    if (peer.room) return ['bad-message', 'already in a room'];
    const room = this.rooms.get(roomId);
    if (room === undefined) return ['no-such-room', 'no such room (it may have expired)'];
    if (1 + room.watchers.size >= this.limits.maxPeersPerRoom)
      return ['room-full', `the room already has ${this.limits.maxPeersPerRoom} peers`];
    room.watchers.set(peer.id, peer);
    peer.room = room;
    this.send(peer, {
      type: 'room',
      room: room.id,
      peerId: peer.id,
      role: 'watcher',
      peers: [room.broadcaster.id],
      expiresAt: room.expiresAt,
    });
    this.send(room.broadcaster, { type: 'peer-joined', peerId: peer.id });
    return null;
  }

  private leave(peer: Peer): void {
    this.peers.delete(peer.socket);
    this.peerIds.delete(peer.id);
    const room = peer.room;
    peer.room = null;
    this.scope?.release(peer);
    if (room === null) return;
    if (peer !== room.broadcaster) {
      room.watchers.delete(peer.id);
      this.send(room.broadcaster, { type: 'peer-left', peerId: peer.id });
      return;
    }
    clearTimeout(room.timer);
    this.rooms.delete(room.id);
    for (const w of room.watchers.values()) {
      w.room = null;
      this.scope?.release(w);
      this.send(w, { type: 'peer-left', peerId: peer.id });
    }
  }

  private expire(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (room === undefined) return;
    this.rooms.delete(roomId);
    for (const p of [room.broadcaster, ...room.watchers.values()]) {
      p.room = null;
      this.scope?.release(p);
      p.socket.close(SignalCloseCode.roomExpired, 'room expired');
    }
  }

  private ping(): void {
    for (const peer of this.peers.values())
      this.guard(peer, () => {
        if (!peer.alive) {
          this.log.debug({ peer: peer.id }, 'signaling peer did not answer a ping: dropped');
          peer.socket.terminate();
          return;
        }
        peer.alive = false;
        peer.socket.ping();
      });
  }
}
