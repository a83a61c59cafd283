import type dgram from 'node:dgram';
import type { TransportAddress } from '../../wire/address.js';
import type { IntegrityAlgorithm } from '../../wire/integrity.js';
import type { ClientLink, InboundContext } from '../stun/handler.js';

/** A channel binding (RFC 8656 §12): channel number ↔ peer transport address, with its expiry. */
export interface ChannelBinding {
  number: number;
  peer: TransportAddress;
  /** `ip port`, the key of {@link Allocation.channelsByPeer}. */
  peerKey: string;
  /** While `now < expiresAtMs` data flows on it. */
  expiresAtMs: number;
  /** Until this time (expiry + 5 min, §12) neither the number nor the peer may be bound to anything else. */
  heldUntilMs: number;
  /** False once expired (still held): counted in the channels gauge only while true. */
  live: boolean;
}

/** The peer key of a channel binding: IP and port. */
export function peerKeyOf(peer: Pick<TransportAddress, 'address' | 'port'>): string {
  return `${peer.address} ${peer.port}`;
}

/** A token bucket over bytes, for the per-allocation bandwidth cap (burst: one second's worth). */
export class ByteBucket {
  private tokens: number;
  private lastMs: number;

  /** @param bytesPerS sustained rate in bytes per second. */
  constructor(
    private readonly bytesPerS: number,
    nowMs: number,
  ) {
    this.tokens = bytesPerS;
    this.lastMs = nowMs;
  }

  /** Takes `bytes` if the bucket holds them; `false` means the packet is over the cap and must be dropped. */
  take(bytes: number, nowMs: number): boolean {
    this.tokens = Math.min(this.bytesPerS, this.tokens + ((nowMs - this.lastMs) * this.bytesPerS) / 1000);
    this.lastMs = nowMs;
    if (this.tokens < bytes) return false;
    this.tokens -= bytes;
    return true;
  }
}

/**
 * One TURN allocation (RFC 8656 §2.2, §7): the client's 5-tuple, its relay socket and relayed transport
 * address, its permissions (peer IP → expiry, §9) and channel bindings (§12), the credentials it was
 * created with (§7.2: later requests must use the same username, else 441), and its expiry. The
 * {@link AllocationTable} owns it; `close()` is its only way out and frees everything it holds.
 */
export interface Allocation {
  readonly link: ClientLink;
  readonly transport: InboundContext['transport'];
  readonly client: TransportAddress;
  readonly username: string;
  /** Created with a report page credential: permissions only within its scope (page-scope.ts). */
  readonly scoped: boolean;
  /** The key and integrity algorithm of the request that created it, for responses it triggers. */
  readonly key: Buffer;
  readonly integrity: IntegrityAlgorithm;
  readonly relay: dgram.Socket;
  readonly relayPort: number;
  /** The XOR-RELAYED-ADDRESS given to the client (the external IP when one is configured). */
  readonly relayed: TransportAddress;
  expiresAtMs: number;
  /** Peer IP → permission expiry in ms (§9: permissions are per IP, ports ignored). */
  readonly permissions: Map<string, number>;
  readonly channelsByNumber: Map<number, ChannelBinding>;
  readonly channelsByPeer: Map<string, ChannelBinding>;
  /** `null` when no bandwidth cap is configured. */
  readonly bucket: ByteBucket | null;
  closed: boolean;
}
