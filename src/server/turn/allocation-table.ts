import type dgram from 'node:dgram';
import type { Family, TransportAddress } from '../../wire/address.js';
import { encodeChannelData } from '../../wire/channel-data.js';
import { encodeDataIndication, MAX_DATA_INDICATION_BYTES } from '../../wire/data-indication.js';
import type { InboundContext } from '../stun/handler.js';
import { type Allocation, ByteBucket, type ChannelBinding, peerKeyOf } from './allocation.js';
import type { Authenticated } from './auth/authenticate.js';
import { CHANNEL_HOLD_S, type TurnConfig } from './config.js';
import type { TurnMetrics } from './metrics.js';
import { RelayPorts } from './relay/ports.js';
import { type LastPeer, type RelayedEntry, RelayedIndex } from './relay/relayed-index.js';

/** What {@link AllocationTable.create} needs besides the relay socket. */
export interface NewAllocation {
  ctx: InboundContext;
  auth: Authenticated;
  family: Family;
  socket: dgram.Socket;
  port: number;
  lifetimeS: number;
}

/**
 * The hot path's metrics. Datagrams and bytes are added up in plain numbers and handed to the Prometheus
 * counters (label children bound once) once per event-loop turn, from a `setImmediate`: four prom-client
 * increments per round trip were ~4% of the server's CPU in the relay bench's profile. A scrape is answered
 * in a later turn than every datagram relayed before it arrived, so it still counts all of them.
 */
class RelayCounters {
  private toPeerPackets = 0;
  private toPeerBytes = 0;
  private toClientPackets = 0;
  private toClientBytes = 0;
  private internalPackets = 0;
  private internalBytes = 0;
  private overCapDrops = 0;
  private scheduled = false;
  private readonly flushSoon = (): void => this.flush();
  private readonly to: { peer: Counted; client: Counted; internal: Counted; overCap: Counted['packets'] };

  constructor(m: TurnMetrics) {
    const direction = (d: 'client-to-peer' | 'peer-to-client'): Counted => ({
      packets: m.relayedPackets.labels(d),
      bytes: m.relayedBytes.labels(d),
    });
    this.to = {
      peer: direction('client-to-peer'),
      client: direction('peer-to-client'),
      internal: { packets: m.internalPackets, bytes: m.internalBytes },
      overCap: m.quotaRejections.labels('bandwidth'),
    };
  }

  toPeer(bytes: number): void {
    this.toPeerPackets++;
    this.toPeerBytes += bytes;
    this.schedule();
  }

  toClient(bytes: number): void {
    this.toClientPackets++;
    this.toClientBytes += bytes;
    this.schedule();
  }

  /** A datagram delivered from one allocation into another of this server (counted in both directions too). */
  internal(bytes: number): void {
    this.internalPackets++;
    this.internalBytes += bytes;
    this.schedule();
  }

  overCap(): void {
    this.overCapDrops++;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushSoon);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.toPeerPackets > 0) {
      this.to.peer.packets.inc(this.toPeerPackets);
      this.to.peer.bytes.inc(this.toPeerBytes);
    }
    if (this.toClientPackets > 0) {
      this.to.client.packets.inc(this.toClientPackets);
      this.to.client.bytes.inc(this.toClientBytes);
    }
    if (this.internalPackets > 0) {
      this.to.internal.packets.inc(this.internalPackets);
      this.to.internal.bytes.inc(this.internalBytes);
    }
    if (this.overCapDrops > 0) this.to.overCap.inc(this.overCapDrops);
    this.toPeerPackets = this.toPeerBytes = this.toClientPackets = this.toClientBytes = 0;
    this.internalPackets = this.internalBytes = this.overCapDrops = 0;
  }
}

/** The packet and byte counters of one relay direction. */
interface Counted {
  packets: { inc(n: number): void };
  bytes: { inc(n: number): void };
}

/** How often expired allocations, permissions, channels and reservations are swept, in ms. */
export const SWEEP_INTERVAL_MS = 1000;

/**
 * The one owner of every allocation, relay socket and timer of the TURN server (the pion/turn allocation
 * manager pattern): allocations by 5-tuple (RFC 8656 §2.2), counts per user for quotas, the relay port pools
 * by family, and ONE sweep interval that expires allocations (§7), permissions (§9) and channel bindings
 * (§12). Relayed data in both directions goes through here: O(1) map lookups, no per-packet JSON.
 */
export class AllocationTable {
  private readonly byKey = new Map<string, Allocation>();
  private readonly perUser = new Map<string, number>();
  private readonly pools = new Map<Family, RelayPorts>();
  /** This server's relayed transport addresses and the allocation behind each (internal delivery). */
  private readonly relayed: RelayedIndex;
  private readonly sweeper: NodeJS.Timeout;
  private readonly counters: RelayCounters | null;

  constructor(private readonly config: TurnConfig) {
    for (const [family, relay] of Object.entries(config.relay) as [Family, TurnConfig['relay'][Family]][]) {
      if (!relay) continue;
      this.pools.set(family, new RelayPorts(relay.ip, relay.ports));
    }
    this.relayed = new RelayedIndex(config.relay);
    this.counters = config.metrics ? new RelayCounters(config.metrics) : null;
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** The relay port pool of `family`, or undefined when the server relays no such family (440). */
  pool(family: Family): RelayPorts | undefined {
    return this.pools.get(family);
  }

  /**
   * True when `peer` is a relayed transport address of this server now: its IP is a family's relay IP
   * (or the external IP advertised for it) and its port is bound in that family's pool.
   */
  isRelayed(peer: Pick<TransportAddress, 'address' | 'port' | 'family'>): boolean {
    if (!this.isRelayIp(peer)) return false;
    return this.pools.get(peer.family)?.isBound(peer.port) ?? false;
  }

  /** True when `peer`'s IP (canonical) is a family's relay IP or the external IP advertised for it. */
  isRelayIp(peer: Pick<TransportAddress, 'address' | 'family'>): boolean {
    return this.relayed.isRelayIp(peer);
  }

  /** The allocation of a 5-tuple, if any. */
  get(key: string): Allocation | undefined {
    return this.byKey.get(key);
  }

  /** Allocations alive now. */
  get size(): number {
    return this.byKey.size;
  }

  /** Relay ports bound now, reserved ones included, over every family. */
  get relayPortsBound(): number {
    let n = 0;
    for (const p of this.pools.values()) n += p.boundCount;
    return n;
  }

  /**
   * Whether an Allocate on the 5-tuple `key` by `username` may create an allocation now: `'exists'` when
   * the 5-tuple has one (437), `'user-quota'`/`'total-quota'` when a quota is full (486), else `'ok'`.
   * Changes nothing: Allocate binds its relay socket and calls {@link create} in the same turn.
   */
  admits(key: string, username: string): 'ok' | 'exists' | 'user-quota' | 'total-quota' {
    if (this.byKey.has(key)) return 'exists';
    if ((this.perUser.get(username) ?? 0) >= this.config.quotas.perUser) return 'user-quota';
    if (this.byKey.size >= this.config.quotas.total) return 'total-quota';
    return 'ok';
  }

  private dropUser(username: string): void {
    const n = (this.perUser.get(username) ?? 1) - 1;
    if (n <= 0) this.perUser.delete(username);
    else this.perUser.set(username, n);
  }

  /**
   * Creates a live allocation that relays, expires and closes with its relay socket, counted in its
   * user's quota. The caller checked {@link admits} first.
   */
  create(n: NewAllocation): Allocation {
    const { ctx, auth, family, socket, port } = n;
    const relayCfg = this.config.relay[family]!;
    const now = Date.now();
    const cap = this.config.quotas.bandwidthBytesPerS;
    const allocation: Allocation = {
      link: ctx.link,
      transport: ctx.transport,
      client: ctx.remote,
      username: auth.username,
      scoped: auth.scoped,
      key: auth.key,
      integrity: auth.integrity,
      relay: socket,
      relayPort: port,
      relayed: { address: relayCfg.externalIp ?? relayCfg.ip, port, family },
      expiresAtMs: now + n.lifetimeS * 1000,
      permissions: new Map(),
      channelsByNumber: new Map(),
      channelsByPeer: new Map(),
      bucket: cap === null ? null : new ByteBucket(cap, now),
      closed: false,
    };
    this.byKey.set(ctx.link.key, allocation);
    this.relayed.add(allocation);
    this.perUser.set(auth.username, (this.perUser.get(auth.username) ?? 0) + 1);
    const lastPeer: LastPeer = { channel: undefined };
    socket.on('message', (data, rinfo) => {
      try {
        this.fromPeer(allocation, data, rinfo, lastPeer, Date.now());
      } catch (err) {
        this.config.log.error({ err, client: ctx.link.key }, 'defect: relaying peer data threw');
      }
    });
    ctx.link.keepOpen(true);
    ctx.link.onClose(() => this.close(allocation, 'connection closed'));
    this.config.metrics?.allocations.inc({ transport: ctx.transport });
    this.config.metrics?.allocationsTotal.inc({ transport: ctx.transport });
    this.config.log.info(
      { client: ctx.link.key, user: auth.username, relayed: `${allocation.relayed.address}:${port}` },
      'allocation created',
    );
    return allocation;
  }

  /** Deletes an allocation: closes its relay socket, forgets its permissions and channels. Idempotent. */
  close(a: Allocation, why: string): void {
    if (a.closed) return;
    a.closed = true;
    this.byKey.delete(a.link.key);
    this.relayed.remove(a);
    this.dropUser(a.username);
    this.pools.get(a.relayed.family)?.release(a.relayPort, a.relay);
    this.config.metrics?.permissions.dec(a.permissions.size);
    a.permissions.clear();
    for (const c of [...a.channelsByNumber.values()]) this.forgetChannel(a, c);
    a.link.keepOpen(false);
    this.config.metrics?.allocations.dec({ transport: a.transport });
    this.config.log.info({ client: a.link.key, user: a.username, why }, 'allocation deleted');
  }

  /** Installs or refreshes a permission for `ip` (RFC 8656 §9) for the configured lifetime. */
  permit(a: Allocation, ip: string, nowMs: number): void {
    if (!a.permissions.has(ip)) {
      this.config.metrics?.permissions.inc();
    }
    a.permissions.set(ip, nowMs + this.config.lifetimes.permissionS * 1000);
  }

  /**
   * Binds or refreshes `channel` to `peer` (RFC 8656 §12.2), after the caller checked the rebinding rules
   * with {@link channelConflict}; also installs or refreshes the peer's permission.
   */
  bindChannel(a: Allocation, channel: number, peer: TransportAddress, nowMs: number): void {
    const expiresAtMs = nowMs + this.config.lifetimes.channelS * 1000;
    const peerKey = peerKeyOf(peer);
    let binding = a.channelsByNumber.get(channel);
    if (!binding || binding.peerKey !== peerKey) {
      this.forgetChannel(a, a.channelsByNumber.get(channel));
      this.forgetChannel(a, a.channelsByPeer.get(peerKey));
      binding = { number: channel, peer, peerKey, expiresAtMs, heldUntilMs: 0, live: false };
      a.channelsByNumber.set(channel, binding);
      a.channelsByPeer.set(peerKey, binding);
    }
    if (!binding.live) {
      binding.live = true;
      this.config.metrics?.channels.inc();
    }
    binding.expiresAtMs = expiresAtMs;
    binding.heldUntilMs = expiresAtMs + CHANNEL_HOLD_S * 1000;
    this.permit(a, peer.address, nowMs);
  }

  /** Removes a binding (one past its hold time, or the whole allocation's) from both maps and the gauge. */
  private forgetChannel(a: Allocation, c: ChannelBinding | undefined): void {
    if (!c) return;
    a.channelsByNumber.delete(c.number);
    a.channelsByPeer.delete(c.peerKey);
    this.expireChannel(c);
  }

  private expireChannel(c: ChannelBinding): void {
    if (!c.live) return;
    c.live = false;
    this.config.metrics?.channels.dec();
  }

  /**
   * True when binding `channel` to `peer` breaks RFC 8656 §12.2: the number is bound (or held after expiry)
   * to another peer, or the peer to another number (answered 400).
   */
  channelConflict(a: Allocation, channel: number, peer: TransportAddress, nowMs: number): boolean {
    const byNumber = a.channelsByNumber.get(channel);
    if (byNumber && byNumber.heldUntilMs > nowMs && byNumber.peerKey !== peerKeyOf(peer)) return true;
    const byPeer = a.channelsByPeer.get(peerKeyOf(peer));
    return byPeer !== undefined && byPeer.heldUntilMs > nowMs && byPeer.number !== channel;
  }

  /** True when the allocation has a live permission for `ip`. */
  permitted(a: Allocation, ip: string, nowMs: number): boolean {
    const until = a.permissions.get(ip);
    return until !== undefined && until > nowMs;
  }

  /**
   * Relays client data to a peer (Send indication or ChannelData, RFC 8656 §11.2, §12.6), counting it;
   * over the bandwidth cap it is dropped. When `peer` is the relayed transport address of a live allocation
   * of this server, the data is delivered internally ({@link deliverInside}); else it is sent from the relay
   * socket, without a completion callback (one would cost a `process.nextTick` per datagram): a later send
   * failure is dropped by Node.
   */
  toPeer(a: Allocation, peer: TransportAddress, data: Buffer, nowMs: number): void {
    if (!this.admit(a, data.length, nowMs)) return;
    const inside = this.relayed.find(peer);
    if (inside) {
      this.counters?.toPeer(data.length);
      this.deliverInside(a, inside, data, nowMs);
      return;
    }
    try {
      a.relay.send(data, peer.port, peer.address);
    } catch {
      return;
    }
    this.counters?.toPeer(data.length);
  }

  /**
   * Internal delivery (as coturn does): data a client sends to a relayed transport address of this server
   * goes straight to that allocation's client as if it had arrived on its relay socket from the sender's
   * relayed transport address (RFC 8656 §11.3 / §12.7 with the sender's XOR-RELAYED-ADDRESS as the peer):
   * dropped unless the receiver has a permission for the sender's relayed IP (§9), as ChannelData when the
   * receiver bound a channel to the sender's relayed address, else as a Data indication; the receiver's
   * bandwidth cap applies. Needed where the relayed IP is an external IP behind a NAT that does not
   * hairpin: a datagram sent to it from the relay socket would never come back. It widens no peer policy:
   * the sender named the receiver's relayed address in a permission, channel or Send that passed the
   * policy, and the receiver named the sender's the same way (peer-policy.ts; docs/turn-internal-delivery.md).
   */
  private deliverInside(from: Allocation, to: RelayedEntry, data: Buffer, nowMs: number): void {
    if (this.fromPeer(to.allocation, data, this.relayed.sourceOf(from), to.fromInside, nowMs)) {
      this.counters?.internal(data.length);
    }
  }

  /** True when the bandwidth cap lets `bytes` through now; a drop is counted. */
  private admit(a: Allocation, bytes: number, nowMs: number): boolean {
    if (!a.bucket || a.bucket.take(bytes, nowMs)) return true;
    this.counters?.overCap();
    return false;
  }

  /**
   * The channel bound to the peer a datagram came from, if any. The binding found last for this relay
   * socket is tried first (a relay socket mostly hears one peer): it is taken when it names the same IP and
   * port and is still the one in `channelsByPeer`, with no peer key string built for the datagram.
   */
  private channelOf(
    a: Allocation,
    rinfo: Pick<TransportAddress, 'address' | 'port'>,
    last: LastPeer,
  ): ChannelBinding | undefined {
    const c = last.channel;
    if (
      c &&
      c.peer.port === rinfo.port &&
      c.peer.address === rinfo.address &&
      a.channelsByPeer.get(c.peerKey) === c
    )
      return c;
    last.channel = a.channelsByPeer.size > 0 ? a.channelsByPeer.get(peerKeyOf(rinfo)) : undefined;
    return last.channel;
  }

  /**
   * Relays a datagram from a peer to the client (RFC 8656 §11.3, §12.7): dropped without a permission for
   * the peer's IP; as ChannelData when a live channel is bound to the peer's address (padded over TCP/TLS),
   * else as a Data indication, or dropped when too long for one (over IPv6, {@link MAX_DATA_INDICATION_BYTES}).
   * @param rinfo the peer: a relay socket's sender, or the sender's relayed address for internal delivery.
   * @returns whether it was sent to the client.
   */
  private fromPeer(
    a: Allocation,
    data: Buffer,
    rinfo: Pick<TransportAddress, 'address' | 'port'>,
    last: LastPeer,
    now: number,
  ): boolean {
    if (a.closed) return false;
    const channel = this.channelOf(a, rinfo, last);
    // The binding's address is the same IP as rinfo's, as a string whose hash the map lookup has cached.
    if (!this.permitted(a, channel ? channel.peer.address : rinfo.address, now)) return false;
    if (!this.admit(a, data.length, now)) return false;
    const onChannel = channel?.live && channel.expiresAtMs > now;
    if (!onChannel && data.length > MAX_DATA_INDICATION_BYTES[a.relayed.family]) return false;
    const out = onChannel
      ? encodeChannelData(channel.number, data, a.transport !== 'udp')
      : encodeDataIndication(rinfo, data);
    a.link.send(out);
    this.counters?.toClient(data.length);
    return true;
  }

  /** Expires allocations, permissions and channel bindings, and frees stale port reservations. */
  sweep(nowMs: number): void {
    for (const a of this.byKey.values()) {
      if (a.expiresAtMs <= nowMs) {
        this.close(a, 'expired');
        continue;
      }
      for (const [ip, until] of a.permissions) {
        if (until > nowMs) continue;
        a.permissions.delete(ip);
        this.config.metrics?.permissions.dec();
      }
      for (const c of a.channelsByNumber.values()) {
        if (c.expiresAtMs <= nowMs) this.expireChannel(c);
        if (c.heldUntilMs <= nowMs) this.forgetChannel(a, c);
      }
    }
    for (const p of this.pools.values()) p.sweep(nowMs);
  }

  /** Deletes every allocation, frees every reservation and stops the sweep (shutdown). */
  closeAll(): void {
    clearInterval(this.sweeper);
    for (const a of [...this.byKey.values()]) this.close(a, 'server shutting down');
    for (const p of this.pools.values()) p.close();
  }
}
