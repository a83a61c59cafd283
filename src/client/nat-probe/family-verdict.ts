import type { FamilyProbe } from '../../report/probe-family-schema.js';
import type { Family } from '../../wire/address.js';
import type { Verdicts } from './classify.js';

/**
 * The plain line of one family that ran. IPv6 adds what IPv4 has no word for: a public address that is
 * not translated but filtered (`natPresent` false, filtering address(-and-port)-dependent) is a stateful
 * IPv6 firewall (RFC 6092 home routers: replies to what the host sent get in, nothing else); a translated
 * IPv6 address is NAT66 / NPTv6. Every other case is the classifier's own summary. Pure.
 */
export function familySummary(
  family: Family,
  v: Pick<Verdicts, 'natPresent' | 'filtering' | 'summary' | 'udpStatus'>,
): string {
  if (family !== 'IPv6' || v.udpStatus !== 'works') return v.summary;
  if (v.natPresent === false && v.filtering !== null && v.filtering !== 'endpoint-independent')
    return "No NAT but filtering (a stateful IPv6 firewall, RFC 6092): this host's IPv6 address is public and kept, but only replies to what it sent get in; direct P2P works with most peers (ICE opens the firewall by sending first).";
  if (v.natPresent === true) return `IPv6 is translated (NAT66 / NPTv6): ${v.summary}`;
  return v.summary;
}

/** The verdict fields an untested family leaves null, each given the reason. */
const NULL_FIELDS = [
  'udp',
  'publicAddress',
  'natPresent',
  'mapping',
  'filtering',
  'legacyNatType',
  'hairpinning',
  'portPreservation',
] as const;

/**
 * The block of a family that was not probed: `tested: false`, every verdict null with `reason` (no server
 * of it, or no route / socket for it on this host: "no IPv6", never "UDP blocked"). Pure.
 * @param servers the URLs of this family that were given (empty when none).
 */
export function untestedFamily(family: Family, reason: string, servers: string[]): FamilyProbe {
  const reasons: Record<string, string> = { tested: reason };
  for (const k of NULL_FIELDS) reasons[k] = reason;
  return {
    family: family === 'IPv4' ? 'ipv4' : 'ipv6',
    tested: false,
    servers,
    udp: null,
    udpStatus: 'not-tested',
    publicAddress: null,
    natPresent: null,
    mapping: null,
    filtering: null,
    legacyNatType: null,
    hairpinning: null,
    portPreservation: null,
    reasons,
    localAddress: null,
    mappingMethod: 'none',
    rfc5780Server: null,
    reachability: [],
    tests: [],
    summary: `${family} not tested: ${reason}.`,
  };
}
