import { nsRun } from '../src/lab/exec.js';
import type { LabProcess } from '../src/lab/processes.js';
import type { Behaviour } from '../src/lab/scenarios.js';
import { ADDR, type Lab } from '../src/lab/topology.js';
import { agentArgs } from './paths.js';

/** UDP ports the pub reflector binds on both pub addresses (the first one also on TCP, primary only). */
export const REFLECTOR_PORTS = [4000, 4001] as const;

/**
 * What raw sockets in lan observe through the router (printed by `udp-agent.ts observe`). Endpoints are
 * `"ip:port"` strings.
 */
export interface NatObservation {
  /** Local UDP port of the socket used for the mapping check. */
  mappingLocalPort: number;
  /**
   * Per destination (primary:4000, primary:4001, secondary:4000), the source endpoint pub saw for packets
   * from that one lan socket, i.e. the mapping; `null` when no reply came back.
   */
  mapped: Record<string, string | null>;
  /**
   * A second lan socket sends only to primary:4000; which pub sockets' replies then reach it: the one it
   * sent to, same IP other port, other IP same port, other IP other port.
   */
  filtering: {
    sameEndpoint: boolean;
    otherPort: boolean;
    otherAddress: boolean;
    otherAddressAndPort: boolean;
  };
  /** Source endpoint pub saw for a TCP connection from lan to primary:4000; `null` when it failed. */
  tcpSeen: string | null;
  /** True when lan's egress guard refused a UDP send to 198.51.100.53 (outside the allowed ranges). */
  guardBlocked: boolean;
}

/** Starts the reflector (`udp-agent.ts reflect`) in pub and waits until it prints `ready` (max 10 s). */
export async function startReflector(lab: Lab): Promise<LabProcess> {
  const proc = lab.start('pub', 'reflector', process.execPath, agentArgs('reflect'));
  await proc.waitForLine((line) => line === 'ready', 10_000);
  return proc;
}

/** Runs `udp-agent.ts observe` in lan (reflector must be running) and returns its observation. */
export async function observeNat(lab: Lab): Promise<NatObservation> {
  const result = await nsRun(lab.ns.lan, process.execPath, agentArgs('observe'), { timeoutMs: 15_000 });
  return JSON.parse(result.stdout.trim()) as NatObservation;
}

/** RFC 4787 summary of a {@link NatObservation}, computed from raw socket results only. */
export interface ObservedBehaviour {
  /** Any UDP reply reached lan. */
  udp: boolean;
  /** The mapped address differs from lan's own address; `null` without UDP. */
  natPresent: boolean | null;
  mapping: Behaviour | null;
  filtering: Behaviour | null;
  /** Every mapped port equals the local port (the NAT preserved the source port). */
  portPreserved: boolean;
  /** Number of distinct mapped endpoints over the three destinations. */
  distinctMappings: number;
}

/**
 * Classifies raw observations in RFC 4787 terms: mapping from how many distinct mapped endpoints the
 * three destinations saw (one → EIM; same for same-IP destinations → address-dependent; else APDM);
 * filtering from which unsolicited sources got through (other IP → EIF; other port only → ADF; else APDF).
 */
export function summarizeObservation(obs: NatObservation): ObservedBehaviour {
  const [p0, p1] = REFLECTOR_PORTS;
  const a = obs.mapped[`${ADDR.pubPrimary}:${p0}`] ?? null;
  const b = obs.mapped[`${ADDR.pubPrimary}:${p1}`] ?? null;
  const c = obs.mapped[`${ADDR.pubSecondary}:${p0}`] ?? null;
  const seen = [a, b, c].filter((x): x is string => x !== null);
  const udp = seen.length > 0;
  const distinct = new Set(seen).size;
  let mapping: Behaviour | null = null;
  if (seen.length === 3) {
    if (distinct === 1) mapping = 'endpoint-independent';
    else if (a === b) mapping = 'address-dependent';
    else mapping = 'address-and-port-dependent';
  }
  let filtering: Behaviour | null = null;
  if (obs.filtering.sameEndpoint) {
    if (obs.filtering.otherAddress && obs.filtering.otherAddressAndPort) filtering = 'endpoint-independent';
    else if (obs.filtering.otherPort) filtering = 'address-dependent';
    else filtering = 'address-and-port-dependent';
  }
  return {
    udp,
    natPresent: udp ? !seen.every((s) => s.startsWith(`${ADDR.lanHost}:`)) : null,
    mapping,
    filtering,
    portPreserved: udp && seen.every((s) => s.endsWith(`:${obs.mappingLocalPort}`)),
    distinctMappings: distinct,
  };
}
