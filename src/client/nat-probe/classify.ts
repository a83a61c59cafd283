import type {
  Behaviour,
  LegacyNatType,
  NatVerdictField,
  ProbeReport,
  UdpStatus,
} from '../../report/schema.js';
import { formatAddress, sameAddress, type TransportAddress } from '../../wire/address.js';
import { answered } from './answers.js';
import { controlOutcome } from './change-request-control.js';
import type { BindingObservation, ProbeObservations, Rfc5780Run } from './observations.js';
import { chooseRfc5780, type Rfc5780Choice } from './rfc5780-trust.js';
import { judgeUdpUnanswered } from './udp-verdict.js';

/** The verdict fields of a probe report, as judged from observations alone. */
export type Verdicts = Pick<
  ProbeReport,
  | NatVerdictField
  | 'mappingMethod'
  | 'portPreservation'
  | 'bindingLifetime'
  | 'serverHonoursChangeRequest'
  | 'udpStatus'
  | 'rfc5780Server'
  | 'untrustedServers'
  | 'summary'
>;

interface MappingVerdict {
  mapping: Behaviour | null;
  method: ProbeReport['mappingMethod'];
  reason: string;
}

/** Why there is no RFC 5780 server to test against: none sent OTHER-ADDRESS, or each failed its checks. */
function noRfc5780Reason(choice: Rfc5780Choice): string {
  if (choice.untrusted.length === 0) return 'no server sent OTHER-ADDRESS (no RFC 5780)';
  return `no trusted RFC 5780 server (${choice.untrusted.map((u) => `${u.url}: ${u.reason}`).join('; ')})`;
}

function judgeRfc5780Mapping(run: Rfc5780Run): MappingVerdict {
  const base = run.testI.mapped!;
  const { II, III } = run;
  if (sameAddress(II.mapped!, base)) {
    return {
      mapping: 'endpoint-independent',
      method: 'rfc5780',
      reason: "the same mapped address towards the server's two IP addresses (RFC 5780 §4.3 test II)",
    };
  }
  return sameAddress(III.mapped!, II.mapped!)
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

/**
 * Mapping from test I to several servers on one socket (every answered test I is a valid binding, a
 * distrusted server's too). Only destinations with different IPs count: two ports of one IP keep one
 * mapping under address-dependent mapping, so they cannot show endpoint independence.
 */
function judgeMultiServerMapping(
  obs: ProbeObservations,
  first: BindingObservation,
  why: string,
): MappingVerdict {
  const seen = obs.mappingTestI.filter((o) => answered(o));
  const ips = new Set(seen.map((o) => o.target.address));
  if (ips.size < 2) {
    return {
      mapping: null,
      method: 'none',
      reason: `${why}, and fewer than two servers with different IPs answered to compare mappings`,
    };
  }
  if (seen.every((o) => sameAddress(o.mapped!, first.mapped!))) {
    return {
      mapping: 'endpoint-independent',
      method: 'multi-server',
      reason: `the same mapped address towards ${ips.size} server IPs (${why}: compared servers)`,
    };
  }
  return {
    mapping: null,
    method: 'multi-server',
    reason:
      'mapping varies by destination (address-dependent or address-and-port-dependent: servers differ in IP and port, so the two cannot be told apart without an RFC 5780 server)',
  };
}

function judgeMapping(
  obs: ProbeObservations,
  first: BindingObservation,
  natPresent: boolean,
  choice: Rfc5780Choice,
): MappingVerdict {
  if (!natPresent) {
    return {
      mapping: 'endpoint-independent',
      method: 'local-address',
      reason: "no NAT: the mapped address is this host's own address",
    };
  }
  if (choice.used) return judgeRfc5780Mapping(choice.used);
  return judgeMultiServerMapping(obs, first, noRfc5780Reason(choice));
}

interface FilteringVerdict {
  filtering: Behaviour | null;
  honoured: boolean | null;
  reason: string;
}

/**
 * A silent filtering test II or III shows the NAT's filtering only when the CHANGE-REQUEST control proved
 * the server answers that CHANGE-REQUEST: null with the reason when it did not.
 */
function unprovenSilence(run: Rfc5780Run, which: 'II' | 'III'): FilteringVerdict | null {
  const c = controlOutcome(run.control, which);
  if (c.kind === 'honoured') return null;
  const reason =
    c.kind === 'unverifiable'
      ? c.why
      : `filtering test ${which} was silent, but ${run.server}: ${c.why}, so the silence does not show the NAT's filtering`;
  return { filtering: null, honoured: c.kind === 'dropped' ? false : null, reason };
}

function judgeFiltering(choice: Rfc5780Choice): FilteringVerdict {
  if (!choice.used)
    return {
      filtering: null,
      honoured: choice.untrusted.some((u) => u.changeRequestFailed) ? false : null,
      reason: `${noRfc5780Reason(choice)}: filtering not tested`,
    };
  const f = choice.used.filtering;
  if (!answered(f.I))
    return {
      filtering: null,
      honoured: null,
      reason: `filtering test I got no answer (${f.I.failure ?? `error ${f.I.errorCode}`})`,
    };
  if (answered(f.II))
    return {
      filtering: 'endpoint-independent',
      honoured: true,
      reason: "a reply from the server's other IP and port got through (test II)",
    };
  const silentII = unprovenSilence(choice.used, 'II');
  if (silentII) return silentII;
  if (answered(f.III))
    return {
      filtering: 'address-dependent',
      honoured: true,
      reason:
        'replies from another IP are dropped; from another port of the same IP they get through (test III), while the server answered CHANGE-REQUEST from its other IP and port on a control socket',
    };
  return (
    unprovenSilence(choice.used, 'III') ?? {
      filtering: 'address-and-port-dependent',
      honoured: true,
      reason:
        'only replies from the exact IP and port sent to get through (tests II and III silent, while the server answered both CHANGE-REQUESTs on a control socket)',
    }
  );
}

/**
 * RFC 3489 §5 label from RFC 4787 behaviours (the classic mapping of terms), when UDP works; `udp-blocked`
 * is set by `classify` only when UDP is known to be blocked.
 */
export function legacyLabel(
  natPresent: boolean | null,
  mapping: Behaviour | null,
  mappingVaries: boolean,
  filtering: Behaviour | null,
): LegacyNatType | null {
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

/** The plain-language line when no UDP Binding was answered, one per {@link UdpStatus}. */
const UNANSWERED_SUMMARY: Record<Exclude<UdpStatus, 'works'>, string> = {
  blocked: 'UDP blocked: only TURN over TCP/TLS can work.',
  'server-unreachable':
    'Server unreachable: no STUN server answered on any transport, so nothing is known about UDP or the NAT.',
  'not-tested': 'UDP not tested (only TCP/TLS URLs given): NAT behaviour unknown.',
  'dns-failed': 'DNS failed: no server name resolved, so nothing was tested.',
  deadline: 'Deadline reached before any UDP reply: nothing is known about UDP (raise --timeout).',
};

/** The reason given to every verdict that needs a mapped address, when no UDP reply carried one. */
const UNANSWERED_WHY: Record<UdpStatus, string> = {
  works: 'no UDP reply carried a mapped address',
  blocked: 'UDP blocked',
  'server-unreachable': 'no server answered',
  'not-tested': 'UDP not tested',
  'dns-failed': 'DNS failed',
  deadline: 'deadline reached before any UDP reply',
};

function summarise(v: Omit<Verdicts, 'summary'>): string {
  if (v.udpStatus !== 'works') return UNANSWERED_SUMMARY[v.udpStatus];
  if (v.publicAddress === null)
    return 'UDP works, but no server said which address it sees; see the reasons below.';
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
 * and one plain-language line. The RFC 5780 tests count only from the first candidate run that earned
 * trust (`chooseRfc5780`); the others are listed in `untrustedServers`. Pure: no sockets, no clock. A null
 * verdict always gets a reason.
 */
export function classify(obs: ProbeObservations): Verdicts {
  const reasons: Record<string, string> = {};
  const first = obs.mappingTestI.find((o) => answered(o)) ?? null;
  const choice = chooseRfc5780(obs.rfc5780Runs);
  const base = {
    hairpinning: obs.hairpin ? obs.hairpin.received : null,
    bindingLifetime: obs.lifetime ? { minS: obs.lifetime.minS, maxS: obs.lifetime.maxS } : null,
    rfc5780Server: choice.used?.server ?? null,
    untrustedServers: choice.untrusted.map(({ url, reason }) => ({ url, reason })),
  };
  if (!obs.hairpin) reasons.hairpinning = 'not tested (use --hairpin)';
  if (!obs.lifetime) reasons.bindingLifetime = 'not measured (use --lifetime)';
  if (!first) {
    const udp = judgeUdpUnanswered(obs);
    reasons.udp = udp.reason;
    const why = UNANSWERED_WHY[udp.status];
    for (const k of ['publicAddress', 'natPresent', 'mapping', 'filtering', 'portPreservation'])
      reasons[k] = why;
    if (udp.status !== 'blocked') reasons.legacyNatType = why;
    const v = {
      ...base,
      udp: udp.status === 'works' ? true : udp.status === 'blocked' ? false : null,
      udpStatus: udp.status,
      publicAddress: null,
      natPresent: null,
      mapping: null,
      mappingMethod: 'none' as const,
      filtering: null,
      legacyNatType: udp.status === 'blocked' ? ('udp-blocked' as const) : null,
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
  const m = judgeMapping(obs, first, natPresent, choice);
  reasons.mapping = m.reason;
  const f = judgeFiltering(choice);
  reasons.filtering = f.reason;
  if (f.honoured === null)
    reasons.serverHonoursChangeRequest = choice.used
      ? 'no CHANGE-REQUEST was answered'
      : 'no trusted RFC 5780 server';
  const mappingVaries = m.mapping === null && m.method === 'multi-server';
  const legacyNatType = legacyLabel(natPresent, m.mapping, mappingVaries, f.filtering);
  if (legacyNatType === null) reasons.legacyNatType = 'mapping or filtering unknown';
  const v = {
    ...base,
    udp: true,
    udpStatus: 'works' as const,
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
