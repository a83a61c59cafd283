import type { Behaviour, LegacyNatType, NatVerdictField, ProbeReport } from '../report/schema.js';
import { formatAddress, sameAddress, type TransportAddress } from '../stun/address.js';
import type { BindingObservation, ProbeObservations } from './observations.js';

/** The verdict fields of a probe report, as judged from observations alone. */
export type Verdicts = Pick<
  ProbeReport,
  | NatVerdictField
  | 'mappingMethod'
  | 'portPreservation'
  | 'bindingLifetime'
  | 'serverHonoursChangeRequest'
  | 'summary'
>;

/** True when a test got a success response with a mapped address. */
const answered = (o: BindingObservation | null | undefined): boolean =>
  !!o && o.failure === null && o.errorCode === null && o.mapped !== null;

/** True when the reply came from where the test expects it (the changed address for CHANGE-REQUEST). */
export function fromExpectedSource(o: BindingObservation): boolean {
  return o.source !== null && sameAddress(o.source, o.expectedSource ?? o.target);
}

interface MappingVerdict {
  mapping: Behaviour | null;
  method: ProbeReport['mappingMethod'];
  reason: string;
}

function judgeMapping(
  obs: ProbeObservations,
  first: BindingObservation,
  natPresent: boolean,
): MappingVerdict {
  const ii = obs.mappingTestII;
  const iii = obs.mappingTestIII;
  const m1 = first.mapped!;
  if (!natPresent) {
    return {
      mapping: 'endpoint-independent',
      method: 'local-address',
      reason: "no NAT: the mapped address is this host's own address",
    };
  }
  if (obs.rfc5780Server && ii) {
    const rfcFirst = obs.mappingTestI.find((o) => o.server === obs.rfc5780Server);
    const base = rfcFirst?.mapped ?? m1;
    if (!answered(ii)) {
      return {
        mapping: null,
        method: 'rfc5780',
        reason: `mapping test II got no answer from ${fmt(ii.target)} (${ii.failure ?? `error ${ii.errorCode}`})`,
      };
    }
    if (sameAddress(ii.mapped!, base)) {
      return {
        mapping: 'endpoint-independent',
        method: 'rfc5780',
        reason: "the same mapped address towards the server's two IP addresses (RFC 5780 §4.3 test II)",
      };
    }
    if (!answered(iii)) {
      return {
        mapping: null,
        method: 'rfc5780',
        reason: `mapping varies by address, but test III got no answer from ${fmt(iii?.target)}`,
      };
    }
    return sameAddress(iii!.mapped!, ii.mapped!)
      ? {
          mapping: 'address-dependent',
          method: 'rfc5780',
          reason: 'a new mapping per destination IP, kept across its ports (test II ≠ I, III = II)',
        }
      : {
          mapping: 'address-and-port-dependent',
          method: 'rfc5780',
          reason: 'a new mapping per destination IP and port (test III ≠ II)',
        };
  }
  const seen = obs.mappingTestI.filter((o) => answered(o));
  if (seen.length >= 2) {
    if (seen.every((o) => sameAddress(o.mapped!, m1))) {
      return {
        mapping: 'endpoint-independent',
        method: 'multi-server',
        reason: `the same mapped address towards ${seen.length} servers (no RFC 5780 server: compared servers)`,
      };
    }
    return {
      mapping: null,
      method: 'multi-server',
      reason:
        'mapping varies by destination (address-dependent or address-and-port-dependent: servers differ in IP and port, so the two cannot be told apart without an RFC 5780 server)',
    };
  }
  return {
    mapping: null,
    method: 'none',
    reason: 'server has no OTHER-ADDRESS (no RFC 5780) and only one server answered',
  };
}

interface FilteringVerdict {
  filtering: Behaviour | null;
  honoured: boolean | null;
  reason: string;
}

function judgeFiltering(obs: ProbeObservations): FilteringVerdict {
  const f = obs.filtering;
  if (!f)
    return {
      filtering: null,
      honoured: null,
      reason: 'server has no OTHER-ADDRESS (no RFC 5780): filtering not tested',
    };
  if (!answered(f.I))
    return {
      filtering: null,
      honoured: null,
      reason: `filtering test I got no answer (${f.I.failure ?? `error ${f.I.errorCode}`})`,
    };
  for (const t of [f.II, f.III]) {
    if (t.errorCode !== null) {
      return {
        filtering: null,
        honoured: false,
        reason: `server answered CHANGE-REQUEST with error ${t.errorCode}: it cannot change its address, so filtering cannot be judged`,
      };
    }
    if (answered(t) && !fromExpectedSource(t)) {
      return {
        filtering: null,
        honoured: false,
        reason: `server ignored CHANGE-REQUEST (${t.name} answered from ${fmt(t.source)}, expected ${fmt(t.expectedSource)}); a tool that reads this reply as "endpoint-independent filtering" (full cone) is wrong`,
      };
    }
  }
  if (answered(f.II))
    return {
      filtering: 'endpoint-independent',
      honoured: true,
      reason: "a reply from the server's other IP and port got through (test II)",
    };
  const honoured = answered(f.III) ? true : null;
  if (answered(f.III))
    return {
      filtering: 'address-dependent',
      honoured,
      reason:
        'replies from another IP are dropped; from another port of the same IP they get through (test III)',
    };
  return {
    filtering: 'address-and-port-dependent',
    honoured,
    reason: 'only replies from the exact IP and port sent to get through (tests II and III silent)',
  };
}

/** RFC 3489 §5 label from RFC 4787 behaviours (the classic mapping of terms). */
export function legacyLabel(
  udp: boolean,
  natPresent: boolean | null,
  mapping: Behaviour | null,
  mappingVaries: boolean,
  filtering: Behaviour | null,
): LegacyNatType | null {
  if (!udp) return 'udp-blocked';
  if (natPresent === false) {
    if (filtering === 'endpoint-independent') return 'open-internet';
    return filtering === null ? null : 'symmetric-udp-firewall';
  }
  if (mappingVaries || mapping === 'address-dependent' || mapping === 'address-and-port-dependent')
    return 'symmetric';
  if (mapping !== 'endpoint-independent') return null;
  if (filtering === 'endpoint-independent') return 'full-cone';
  if (filtering === 'address-dependent') return 'restricted-cone';
  if (filtering === 'address-and-port-dependent') return 'port-restricted-cone';
  return null;
}

function summarise(v: Omit<Verdicts, 'summary'>): string {
  if (!v.udp) {
    return 'UDP blocked: only TURN over TCP/TLS can work.';
  }
  if (v.legacyNatType === 'open-internet')
    return 'No NAT and no UDP filtering: direct P2P works with any peer.';
  if (v.legacyNatType === 'symmetric-udp-firewall') {
    return 'No NAT, but a firewall filters inbound UDP: direct P2P works with most peers (hole punching).';
  }
  if (v.legacyNatType === 'symmetric') return 'Symmetric NAT: calls to other symmetric NATs will need TURN.';
  if (v.mapping === 'endpoint-independent') {
    return v.filtering === 'endpoint-independent'
      ? 'Direct P2P likely with any peer (endpoint-independent mapping and filtering).'
      : 'Direct P2P likely with most peers (endpoint-independent mapping); TURN needed only towards symmetric NATs that also filter.';
  }
  return 'NAT behaviour could not be fully determined; see the reasons below.';
}

/**
 * Turns observations into verdicts in RFC 4787 terms (mapping §4.1, filtering §5), the RFC 3489 label
 * and one plain-language line. Pure: no sockets, no clock. A null verdict always gets a reason.
 */
export function classify(obs: ProbeObservations): Verdicts {
  const reasons: Record<string, string> = {};
  const first = obs.mappingTestI.find((o) => answered(o)) ?? null;
  const base = {
    hairpinning: obs.hairpin ? obs.hairpin.received : null,
    bindingLifetime: obs.lifetime ? { minS: obs.lifetime.minS, maxS: obs.lifetime.maxS } : null,
  };
  if (!obs.hairpin) reasons.hairpinning = 'not tested (use --hairpin)';
  if (!obs.lifetime) reasons.bindingLifetime = 'not measured (use --lifetime)';
  if (!first) {
    const tcpOk = obs.streams.some((o) => answered(o));
    const udpTried = obs.mappingTestI.length > 0;
    reasons.udp = !udpTried
      ? 'no UDP STUN server to test'
      : tcpOk
        ? 'no UDP reply from any server, while STUN over TCP/TLS to the same servers answered'
        : 'no UDP reply from any server, and no TCP/TLS reply either: the servers may be down or unreachable';
    for (const k of ['publicAddress', 'natPresent', 'mapping', 'filtering', 'portPreservation'])
      reasons[k] = 'UDP blocked';
    const v = {
      ...base,
      udp: false,
      publicAddress: null,
      natPresent: null,
      mapping: null,
      mappingMethod: 'none' as const,
      filtering: null,
      legacyNatType: udpTried ? ('udp-blocked' as const) : null,
      portPreservation: null,
      serverHonoursChangeRequest: null,
      reasons,
    };
    return { ...v, summary: summarise(v) };
  }
  const mapped = first.mapped!;
  const natPresent = !(obs.localAddresses.includes(mapped.address) && mapped.port === first.localPort);
  reasons.natPresent = natPresent
    ? `the server sees ${fmt(mapped)}, not this host's ${first.localPort === mapped.port ? 'address' : 'address and port'}`
    : "the mapped address is this host's own address and port";
  const m = judgeMapping(obs, first, natPresent);
  reasons.mapping = m.reason;
  const f = judgeFiltering(obs);
  reasons.filtering = f.reason;
  if (f.honoured === null && obs.filtering)
    reasons.serverHonoursChangeRequest = 'no CHANGE-REQUEST was answered';
  const mappingVaries = m.mapping === null && m.method === 'multi-server';
  const legacyNatType = legacyLabel(true, natPresent, m.mapping, mappingVaries, f.filtering);
  if (legacyNatType === null) reasons.legacyNatType = 'mapping or filtering unknown';
  const v = {
    ...base,
    udp: true,
    publicAddress: mapped,
    natPresent,
    mapping: m.mapping,
    mappingMethod: m.method,
    filtering: f.filtering,
    legacyNatType,
    portPreservation: natPresent ? mapped.port === first.localPort : null,
    serverHonoursChangeRequest: f.honoured,
    reasons,
  };
  if (!natPresent) reasons.portPreservation = 'no NAT';
  return { ...v, summary: summarise(v) };
}

function fmt(a: TransportAddress | null | undefined): string {
  return a ? formatAddress(a) : 'nowhere';
}
