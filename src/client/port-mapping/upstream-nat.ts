import { BlockList, isIPv4 } from 'node:net';
import type { PortMappingProtocol, UpstreamNat } from '../../report/port-mapping-schema.js';

const subnet = (pairs: readonly [string, number][]): BlockList => {
  const list = new BlockList();
  for (const [net, prefix] of pairs) list.addSubnet(net, prefix, 'ipv4');
  return list;
};

/** RFC 6598 shared address space, used between a carrier-grade NAT and its subscribers' routers. */
const SHARED = subnet([['100.64.0.0', 10]]);
/** RFC 1918 private ranges. */
const PRIVATE = subnet([
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
]);
/** 0.0.0.0/8: "this network", what a gateway without a WAN address reports. */
const UNSPECIFIED = subnet([['0.0.0.0', 8]]);

/** What {@link judgeUpstreamNat} compares. */
export interface UpstreamEvidence {
  readonly protocols: readonly PortMappingProtocol[];
  /** The IPv4 address STUN saw this host's traffic come from (the probe's public address), or null. */
  readonly stunMapped: string | null;
  /** The gateway asked (its LAN address), or null. */
  readonly gateway: string | null;
  /** This host's subnets (`address/prefix`, IPv4), to recognise a gateway reporting a LAN address. */
  readonly localSubnets: readonly string[];
  /** The local address toward the gateway and toward the STUN server: different ones mean another path. */
  readonly localTowardGateway: string | null;
  readonly localTowardStun: string | null;
}

/** The verdict and why (the text goes to `reasons.upstreamNat`). */
export interface UpstreamVerdict {
  readonly upstreamNat: UpstreamNat | null;
  readonly reason: string;
}

const inLocalSubnet = (ip: string, subnets: readonly string[]): boolean =>
  subnets.some((cidr) => {
    const [net, prefix] = cidr.split('/');
    return net !== undefined && isIPv4(net) && subnet([[net, Number(prefix)]]).check(ip, 'ipv4');
  });

/**
 * Whether another NAT sits above the gateway (issue 16 §3), from the external address the gateway reports
 * for itself against the STUN-mapped address: 100.64.0.0/10 → `carrier-grade-nat`; RFC 1918 →
 * `double-nat`; public but different → `double-nat`; equal → null with the reason, even when a mapping was
 * created: a gateway that learned its public address by STUN (miniupnpd `ext_perform_stun`) reports the
 * STUN address too, and behind a full-cone carrier NAT it still maps — `none` would need an inbound test
 * through the mapping, which the probe does not make, so it is never returned. Null with the reason also
 * when: STUN has no IPv4 mapped address, or one that is this host's own or in its subnets (a STUN server on
 * the LAN);
 * traffic to the STUN server leaves by another local address than traffic to the gateway (a VPN);
 * no protocol reports an address; the reports are 0.0.0.0 (no WAN address — miniupnpd also answers so when
 * its WAN address is private, shared or reserved) or inside this host's own LAN (not evidence); or the
 * protocols disagree.
 */
export function judgeUpstreamNat(e: UpstreamEvidence): UpstreamVerdict {
  const none = (reason: string): UpstreamVerdict => ({ upstreamNat: null, reason });
  if (!e.protocols.some((p) => p.answered)) return none('no port-mapping protocol answered');
  if (e.stunMapped === null || !isIPv4(e.stunMapped))
    return none('STUN found no IPv4 mapped address to compare the gateway with');
  if (inLocalSubnet(e.stunMapped, e.localSubnets))
    return none(
      `the STUN-mapped address ${e.stunMapped} is this host's own or in its own subnet: the STUN server is on this LAN, so it says nothing about the public side`,
    );
  if (
    e.localTowardGateway !== null &&
    e.localTowardStun !== null &&
    e.localTowardGateway !== e.localTowardStun
  )
    return none(
      `traffic to the STUN server leaves from ${e.localTowardStun}, to the gateway from ${e.localTowardGateway} (a VPN or another route): the gateway is not on the probed path`,
    );
  const reported = e.protocols.filter((p) => p.externalAddress !== null && isIPv4(p.externalAddress));
  const evidence = reported.filter(
    (p) =>
      !UNSPECIFIED.check(p.externalAddress!, 'ipv4') &&
      p.externalAddress !== e.gateway &&
      !inLocalSubnet(p.externalAddress!, e.localSubnets),
  );
  if (evidence.length === 0) {
    const failures = e.protocols.filter((p) => p.answered && p.error).map((p) => `${p.protocol}: ${p.error}`);
    return none(
      reported.length > 0
        ? `the gateway reports ${reported.map((p) => p.externalAddress).join(', ')}: no WAN address of its own, or one from its own LAN — not evidence`
        : `the gateway answered but reports no external address of its own${failures.length ? ` (${failures.join('; ')})` : ''}; routers do so before they have a WAN address, and miniupnpd also when its WAN address is private or shared (100.64/10) — not proof of another NAT`,
    );
  }
  const addresses = [...new Set(evidence.map((p) => p.externalAddress!))];
  if (addresses.length > 1)
    return none(`the protocols report different external addresses: ${addresses.join(', ')}`);
  const external = addresses[0]!;
  if (SHARED.check(external, 'ipv4'))
    return {
      upstreamNat: 'carrier-grade-nat',
      reason: `the gateway's own external address ${external} is in the shared address space 100.64.0.0/10 (RFC 6598); STUN sees ${e.stunMapped}`,
    };
  if (PRIVATE.check(external, 'ipv4'))
    return {
      upstreamNat: 'double-nat',
      reason: `the gateway's own external address ${external} is private (RFC 1918); STUN sees ${e.stunMapped}`,
    };
  if (external !== e.stunMapped)
    return {
      upstreamNat: 'double-nat',
      reason: `the gateway's own external address ${external} differs from the STUN-mapped ${e.stunMapped} (the probe's public address)`,
    };
  if (!evidence.some((p) => p.mappingCreated === true))
    return none(
      `the gateway reports ${external}, the STUN-mapped address, but created no mapping: a gateway that learned its address by STUN from behind another NAT looks the same`,
    );
  return none(
    `the gateway reports ${external}, the STUN-mapped address, and created a mapping: consistent with no upstream NAT, not proved (a gateway can learn its address by STUN behind a full-cone carrier NAT and still map)`,
  );
}
