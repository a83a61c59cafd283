import type { Family, TransportAddress } from '../../../wire/address.js';
import type { Allocation, ChannelBinding } from '../allocation.js';
import { canonicalIp } from '../page-scope.js';

/** The channel binding a stream of datagrams from one source matched last (see `AllocationTable.channelOf`). */
export interface LastPeer {
  channel: ChannelBinding | undefined;
}

/** One live allocation as a target of internal delivery. */
export interface RelayedEntry {
  readonly allocation: Allocation;
  /**
   * The allocation's XOR-RELAYED-ADDRESS with its IP canonical (`canonicalIp`), as a receiver's permission
   * and channel binding name it: the source address of what this allocation's client sends internally.
   */
  readonly source: TransportAddress;
  /** The channel matched last for data delivered INTO this allocation from another of this server's. */
  readonly fromInside: LastPeer;
}

/**
 * This server's relayed transport addresses (RFC 8656 §2.2) and the live allocation behind each: per
 * family, the relay IP and the advertised external IP (canonical), and the allocations by relay port (one
 * relay socket per port and family, so the port is the key once the IP matched). A lookup is two
 * `Map`/`Set` reads on strings and numbers the caller already has: no key is built, nothing allocated.
 */
export class RelayedIndex {
  private readonly ips = new Map<Family, Set<string>>();
  private readonly byPort = new Map<Family, Map<number, RelayedEntry>>();

  /** @param relay per family, the relay IP and the optional external IP (any IP text; stored canonical). */
  constructor(relay: Partial<Record<Family, { ip: string; externalIp?: string }>>) {
    for (const [family, r] of Object.entries(relay) as [Family, { ip: string; externalIp?: string }][]) {
      const ips = [r.ip, r.externalIp].map((ip) => (ip === undefined ? null : canonicalIp(ip)));
      this.ips.set(family, new Set(ips.filter((ip) => ip !== null)));
      this.byPort.set(family, new Map());
    }
  }

  /** True when `peer`'s IP (canonical) is a family's relay IP or the external IP advertised for it. */
  isRelayIp(peer: Pick<TransportAddress, 'address' | 'family'>): boolean {
    return this.ips.get(peer.family)?.has(peer.address) ?? false;
  }

  /** Indexes a new allocation under its relay port. */
  add(a: Allocation): void {
    const { family, port } = a.relayed;
    const address = canonicalIp(a.relayed.address) ?? a.relayed.address;
    this.byPort.get(family)?.set(a.relayPort, {
      allocation: a,
      source: { address, port, family },
      fromInside: { channel: undefined },
    });
  }

  /** Forgets a closed allocation (only if it is still the one indexed under its port). */
  remove(a: Allocation): void {
    const ports = this.byPort.get(a.relayed.family);
    if (ports?.get(a.relayPort)?.allocation === a) ports.delete(a.relayPort);
  }

  /** The canonical relayed transport address of an indexed allocation ({@link RelayedEntry.source}). */
  sourceOf(a: Allocation): TransportAddress {
    return this.byPort.get(a.relayed.family)?.get(a.relayPort)?.source ?? a.relayed;
  }

  /**
   * The live allocation whose relayed transport address `peer` is (canonical IP, as XOR-PEER-ADDRESS
   * decoding writes it), or undefined: another IP, or a relay port bound to no allocation (free, or
   * reserved by EVEN-PORT).
   */
  find(peer: TransportAddress): RelayedEntry | undefined {
    if (!this.isRelayIp(peer)) return undefined;
    return this.byPort.get(peer.family)?.get(peer.port);
  }
}
