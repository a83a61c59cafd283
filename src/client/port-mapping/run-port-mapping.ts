import { networkInterfaces } from 'node:os';
import type { PortMapping, PortMappingProtocol } from '../../report/port-mapping-schema.js';
import { localAddressToward } from '../transport/local-addresses.js';
import { DEFAULT_MAPPING_BUDGET, type MappingBudget } from './budget.js';
import type { RouterLiveness } from './first-answer.js';
import { defaultGateway } from './gateway.js';
import { tryNatPmp } from './nat-pmp.js';
import { tryPcp } from './pcp.js';
import { unanswered } from './protocol-result.js';
import { tryUpnpIgd } from './upnp-igd.js';
import { judgeUpstreamNat } from './upstream-nat.js';

/** Options of {@link startPortMapping}. */
export interface PortMappingOptions {
  /** The gateway to ask (IPv4); default: the default route's gateway (`/proc/net/route`). */
  readonly gateway?: string;
  readonly budget?: MappingBudget;
}

/** What the three protocols found, before the STUN comparison. */
export interface PortMappingRun {
  readonly gateway: string | null;
  readonly localTowardGateway: string | null;
  readonly protocols: PortMappingProtocol[];
}

const notTried = (protocol: PortMappingProtocol['protocol'], error: string): PortMappingProtocol =>
  unanswered(protocol, null, error);

/**
 * Runs UPnP IGD, NAT-PMP and PCP against the gateway in parallel (issue 16 §3); a silent gateway costs
 * `budget.firstMs` (250 ms) in all; one that answers a protocol gives the others more time (`firstAnswer`). Without a gateway (no default route, not Linux) every protocol is
 * reported as not tried. Never rejects.
 */
export async function startPortMapping(opts: PortMappingOptions = {}): Promise<PortMappingRun> {
  const budget = opts.budget ?? DEFAULT_MAPPING_BUDGET;
  const gateway = opts.gateway ?? (await defaultGateway());
  if (gateway === null) {
    const why = 'no IPv4 default gateway (none in /proc/net/route; give one with --gateway)';
    return {
      gateway,
      localTowardGateway: null,
      protocols: [notTried('upnp-igd', why), notTried('nat-pmp', why), notTried('pcp', why)],
    };
  }
  const local = await localAddressToward({ address: gateway, port: 5351, family: 'IPv4' });
  const live: RouterLiveness = { answered: false };
  const protocols = await Promise.all([
    local === null
      ? Promise.resolve(notTried('upnp-igd', `no route to the gateway ${gateway}`))
      : tryUpnpIgd(local, gateway, budget, live),
    tryNatPmp(gateway, budget, live),
    tryPcp(gateway, budget, live),
  ]);
  return { gateway, localTowardGateway: local, protocols };
}

/** This host's IPv4 subnets as `address/prefix` (from `os.networkInterfaces()`'s cidr). */
function localSubnets(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .flatMap((i) => (i.family === 'IPv4' && i.cidr ? [i.cidr] : []));
}

/**
 * The report's `portMapping` block: the protocols and the upstream-NAT verdict against the STUN-mapped
 * IPv4 address (`stunMapped`) seen from local address `localTowardStun` (the probe's `localAddress`).
 */
export function portMappingReport(
  run: PortMappingRun,
  stunMapped: string | null,
  localTowardStun: string | null,
): PortMapping {
  const verdict = judgeUpstreamNat({
    protocols: run.protocols,
    stunMapped,
    gateway: run.gateway,
    localSubnets: localSubnets(),
    localTowardGateway: run.localTowardGateway,
    localTowardStun,
  });
  return {
    protocols: run.protocols,
    upstreamNat: verdict.upstreamNat,
    reasons: { upstreamNat: verdict.reason },
  };
}
