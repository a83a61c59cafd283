import type { Logger } from 'pino';
import { type RawData, WebSocket } from 'ws';
import { TokenBucket } from '../../net/token-bucket.js';
import { canonicalIp, type ScopeBinder, type ScopeMember } from '../../server/turn/page-scope.js';
import {
  type ClientMessage,
  clientMessageSchema,
  type RoomTurnCredentials,
  type ServerMessage,
} from '../signaling-schema.js';
import { newPeerId, newRoomId } from './ids.js';
import { QueuedOutput } from './queued-output.js';
import { SignalingClients } from './signaling-clients.js';
import { SignalCloseCode, type SignalingLimits } from './signaling-limits.js';

/** One connected browser; as a {@link ScopeMember}, its room-mates' addresses scope its page credential. */
interface Peer extends ScopeMember {
  readonly id: string;
  readonly socket: WebSocket;
  /** The canonical IP its socket came from, or `null` when unknown. */
  readonly address: string | null;
  /** Its client's key (`SignalingClients.keyOf`). */
  readonly client: string;
  room: Room | null;
  /** Closes the socket when it stays in no room for `noRoomLifetimeMs`; null while it is in a room. */
  noRoomTimer: NodeJS.Timeout | null;
  /** Cuts the socket when it does not complete a closing handshake the hub started; null before. */
  cutTimer: NodeJS.Timeout | null;
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

/**
 * Time the hub waits for a closing handshake (its own `close()`, or a socket it drops) before it cuts the
 * socket, in ms: a dropped socket's queued bytes are held until then.
 */
const CLOSE_GRACE_MS = 1000;

/** Whether an upgrade from a client may go ahead: yes, no (the hub is full: 503), no (the client is: 429). */
export type SocketAdmission = 'ok' | 'full' | 'per-ip';

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
 * `no-such-room`, `room-full`, `not-in-room`, `no-such-peer`, `rate-limited`, `server-busy`,
 * `too-many-rooms`); after `maxBadMessages` bad or rate-limited messages the socket is closed with 1008.
 * Rooms expire `roomTtlMs` after creation: their sockets are closed with 4000. A ping every `heartbeatMs`
 * drops peers that did not answer the previous one.
 *
 * Per client (signaling-clients.ts: an IPv4 address, an IPv6 /64): at most `maxSocketsPerIp` sockets
 * (see {@link SignalingHub.admit}, asked before the upgrade), `maxRoomsPerIp` rooms and room creations at
 * `roomCreatesPerS` (burst `roomCreateBurst`); a socket in no room for `noRoomLifetimeMs` (after its
 * upgrade, or after leaving a room) is closed with 4002. Output: a message that would queue more than
 * `maxBufferedBytes` for one socket, or pass `maxQueuedBytesTotal` over all sockets while its socket
 * already has a backlog, is not queued: that socket is closed with 4001 (too slow to read). A socket the
 * hub closes is cut {@link CLOSE_GRACE_MS} later if it has not completed the closing handshake, so that
 * its queued bytes are freed.
 * No event handler throws: an unexpected error is logged and the socket cut.
 * The hub owns every timer it starts; `close()` stops them all.
 */
export class SignalingHub {
  private readonly peers = new Map<WebSocket, Peer>();
  private readonly peerIds = new Set<string>();
  private readonly rooms = new Map<string, Room>();
  private readonly clients: SignalingClients;
  private readonly queued = new QueuedOutput<WebSocket>();
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
    this.clients = new SignalingClients(limits);
    this.heartbeat = setInterval(() => this.ping(), limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Signaling sockets and rooms open now. */
  get stats(): { sockets: number; rooms: number } {
    return { sockets: this.peers.size, rooms: this.rooms.size };
  }

  /**
   * Whether a socket from `remoteAddress` may be accepted now: `full` when the hub holds `maxSockets` (or
   * is closed; answer 503), `per-ip` when its client holds `maxSocketsPerIp` (answer 429). Ask it right
   * before the upgrade and {@link accept} in the same turn of the event loop.
   */
  admit(remoteAddress: string | undefined): SocketAdmission {
    if (this.closed || this.peers.size >= this.limits.maxSockets) return 'full';
    return this.clients.mayOpen(this.clients.keyOf(remoteAddress)) ? 'ok' : 'per-ip';
  }

  /**
   * Takes over an upgraded socket: listens to its messages, pongs and close; starts its no-room lifetime.
   * @param remoteAddress the IP the socket came from (its TCP peer), the address its room-mates' page
   *   credentials may relay to and the client its limits count against.
   */
  accept(socket: WebSocket, remoteAddress?: string): void {
    const peer: Peer = {
      id: this.uniquePeerId(),
      socket,
      address: remoteAddress === undefined ? null : canonicalIp(remoteAddress),
      client: this.clients.keyOf(remoteAddress),
      roomMates: () => roomMates(peer),
      room: null,
      noRoomTimer: null,
      cutTimer: null,
      refused: 0,
      bucket: new TokenBucket(this.limits.messagesPerS, this.limits.messageBurst),
      alive: true,
    };
    this.peers.set(socket, peer);
    this.clients.opened(peer.client);
    this.startNoRoomTimer(peer);
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
    for (const peer of this.peers.values()) this.stopTimers(peer);
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

  /**
   * Sends `message` unless that would queue too much (see the class comment): the socket is then dropped
   * as too slow to read and the message is not sent.
   */
  private send(peer: Peer, message: ServerMessage): void {
    const socket = peer.socket;
    if (socket.readyState !== WebSocket.OPEN) return;
    const data = JSON.stringify(message);
    const bytes = Buffer.byteLength(data);
    const before = socket.bufferedAmount;
    const overSocket = before + bytes > this.limits.maxBufferedBytes;
    if (overSocket || (before > 0 && this.queued.total() + bytes > this.limits.maxQueuedBytesTotal)) {
      this.log.debug(
        { peer: peer.id, client: peer.client, queued: before, over: overSocket ? 'socket' : 'total' },
        'signaling peer too slow to read: dropped',
      );
      this.drop(peer, SignalCloseCode.tooSlow, 'too slow to read');
      return;
    }
    socket.send(data);
    this.queued.sent(socket, before);
  }

  /**
   * Closes `peer`'s socket with `code` and cuts it {@link CLOSE_GRACE_MS} later unless its closing
   * handshake completed by then (a socket that does not read never completes it).
   */
  private drop(peer: Peer, code: number, reason: string): void {
    peer.socket.close(code, reason);
    if (peer.cutTimer !== null) return;
    peer.cutTimer = setTimeout(() => peer.socket.terminate(), CLOSE_GRACE_MS);
    peer.cutTimer.unref();
  }

  /** (Re)starts the no-room lifetime of a peer that is in no room. */
  private startNoRoomTimer(peer: Peer): void {
    if (peer.noRoomTimer !== null) clearTimeout(peer.noRoomTimer);
    peer.noRoomTimer = setTimeout(
      () =>
        this.guard(peer, () => {
          peer.noRoomTimer = null;
          if (peer.room === null) this.drop(peer, SignalCloseCode.noRoom, 'joined no room in time');
        }),
      this.limits.noRoomLifetimeMs,
    );
    peer.noRoomTimer.unref();
  }

  /** Puts `peer` in `room`: its no-room lifetime stops. */
  private enter(peer: Peer, room: Room): void {
    peer.room = room;
    if (peer.noRoomTimer !== null) clearTimeout(peer.noRoomTimer);
    peer.noRoomTimer = null;
  }

  private stopTimers(peer: Peer): void {
    if (peer.noRoomTimer !== null) clearTimeout(peer.noRoomTimer);
    if (peer.cutTimer !== null) clearTimeout(peer.cutTimer);
    peer.noRoomTimer = null;
    peer.cutTimer = null;
  }

  /** Answers a refused message; bad and rate-limited ones count toward `maxBadMessages`. */
  private refuse(peer: Peer, [code, message]: Refusal, counts: boolean): void {
    this.send(peer, { type: 'error', code, message });
    if (!counts) return;
    peer.refused += 1;
    if (peer.refused >= this.limits.maxBadMessages)
      this.drop(peer, SignalCloseCode.policyViolation, 'too many bad messages');
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
    if (refusal) this.refuse(peer, refusal, refusal[0] === 'rate-limited');
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
    const refused = this.clients.create(peer.client);
    if (refused === 'too-many-rooms')
      return ['too-many-rooms', `this network already has ${this.limits.maxRoomsPerIp} rooms open`];
    if (refused === 'rate-limited')
      return ['rate-limited', `more than ${this.limits.roomCreateBurst} rooms created in a short time`];
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
    this.enter(peer, room);
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
    this.enter(peer, room);
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
    this.queued.forget(peer.socket);
    this.stopTimers(peer);
    const room = peer.room;
    peer.room = null;
    this.scope?.release(peer);
    if (room !== null && peer !== room.broadcaster) {
      room.watchers.delete(peer.id);
      this.send(room.broadcaster, { type: 'peer-left', peerId: peer.id });
    } else if (room !== null) {
      clearTimeout(room.timer);
      this.rooms.delete(room.id);
      this.clients.roomClosed(peer.client);
      for (const w of room.watchers.values()) {
        w.room = null;
        this.scope?.release(w);
        if (!this.closed) this.startNoRoomTimer(w);
        this.send(w, { type: 'peer-left', peerId: peer.id });
      }
    }
    this.clients.closed(peer.client);
  }

  private expire(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (room === undefined) return;
    this.rooms.delete(roomId);
    this.clients.roomClosed(room.broadcaster.client);
    for (const p of [room.broadcaster, ...room.watchers.values()]) {
      p.room = null;
      this.scope?.release(p);
      this.drop(p, SignalCloseCode.roomExpired, 'room expired');
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
