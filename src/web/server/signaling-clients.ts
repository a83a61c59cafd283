import { clientKey } from '../../net/client-key.js';
import { TokenBucket } from '../../net/token-bucket.js';
import type { SignalingLimits } from './signaling-limits.js';

/** What one client holds on the signaling hub. */
interface ClientHoldings {
  sockets: number;
  /** Rooms whose broadcaster is one of its sockets. */
  rooms: number;
  /** Room creations (`roomCreatesPerS`, `roomCreateBurst`). */
  readonly creates: TokenBucket;
}

/** Why a client may not create a room now. */
export type CreateRefusal = 'too-many-rooms' | 'rate-limited';

/**
 * The signaling sockets and rooms of each client, keyed as the rest of the servers key clients
 * (`clientKey`: an IPv4 address, an IPv6 /64, IPv4-mapped IPv6 as IPv4; a socket with no known address is
 * the client `unknown`), against `maxSocketsPerIp`, `maxRoomsPerIp` and the room-creation token bucket.
 * A client is forgotten (its bucket with it) when it holds no socket: a client that wants a full bucket
 * again must first close every socket, and with them its rooms. Memory: one entry per client holding a
 * socket, so at most `maxSockets` entries. O(1) per call.
 */
export class SignalingClients {
  private readonly clients = new Map<string, ClientHoldings>();

  constructor(private readonly limits: SignalingLimits) {}

  /** The key of the client at `ip` (a socket's remote address; `undefined` when unknown). */
  keyOf(ip: string | undefined): string {
    return ip === undefined ? 'unknown' : clientKey(ip);
  }

  /** Whether the client `key` may open one more socket (holds fewer than `maxSocketsPerIp`). */
  mayOpen(key: string): boolean {
    return (this.clients.get(key)?.sockets ?? 0) < this.limits.maxSocketsPerIp;
  }

  /** Counts an accepted socket of `key`. */
  opened(key: string): void {
    const held = this.clients.get(key);
    if (held !== undefined) held.sockets += 1;
    else
      this.clients.set(key, {
        sockets: 1,
        rooms: 0,
        creates: new TokenBucket(this.limits.roomCreatesPerS, this.limits.roomCreateBurst),
      });
  }

  /** Forgets a closed socket of `key` (once per {@link opened}). */
  closed(key: string): void {
    const held = this.clients.get(key);
    if (held === undefined) return;
    held.sockets -= 1;
    if (held.sockets <= 0) this.clients.delete(key);
  }

  /**
   * Counts a room created by a socket of `key`, or says why it may not: it holds `maxRoomsPerIp` rooms
   * (checked first, no token taken), or its room-creation bucket is empty.
   */
  create(key: string): CreateRefusal | null {
    const held = this.clients.get(key);
    if (held === undefined) return null;
    if (held.rooms >= this.limits.maxRoomsPerIp) return 'too-many-rooms';
    if (!held.creates.take()) return 'rate-limited';
    held.rooms += 1;
    return null;
  }

  /** Forgets a closed room whose broadcaster was a socket of `key` (once per successful {@link create}). */
  roomClosed(key: string): void {
    const held = this.clients.get(key);
    if (held !== undefined && held.rooms > 0) held.rooms -= 1;
  }

  /** Sockets and rooms held by the client `key` now (for tests and logs). */
  held(key: string): { sockets: number; rooms: number } {
    const held = this.clients.get(key);
    return { sockets: held?.sockets ?? 0, rooms: held?.rooms ?? 0 };
  }
}
