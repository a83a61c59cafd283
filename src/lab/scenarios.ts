import type { Behaviour, LegacyNatType } from '../report/schema.js';
import { nsRun, run } from './exec.js';
import { loadRuleset } from './guard.js';
import { applyCgnat } from './scenario-cgnat.js';
import { applyIpv6Scenario, resetIpv6 } from './scenario-ipv6.js';
import { applyMtuBlackHole, resetMtuBlackHole } from './scenario-mtu.js';
import { applyProxyOnly } from './scenario-proxy.js';
import { applyShortUdpTimeout, resetUdpTimeouts } from './scenario-udp-timeout.js';
import { IFACE, type Lab, type Site, type SiteAddresses } from './topology.js';

export type { Behaviour, LegacyNatType };

/** The router behaviours the lab can set up (see {@link applyScenario}). */
export const SCENARIOS = [
  'masquerade',
  'masquerade-random',
  'full-cone',
  'restricted-cone',
  'udp-dropped',
  'routed',
  'mtu-1280',
  'udp-timeout-20s',
  'ipv6-firewall',
  'nat66',
  'proxy-only',
  'cgnat',
] as const;

/** One of {@link SCENARIOS}. */
export type Scenario = (typeof SCENARIOS)[number];

/** The scenarios that need a lab created with topology options (`LAB_NATS` names them); the rest run in a plain lab. */
export const NEEDS_TOPOLOGY: ReadonlySet<Scenario> = new Set<Scenario>(['cgnat']);

/** {@link SCENARIOS} that run in a lab created without options. */
export const PLAIN_SCENARIOS: readonly Scenario[] = SCENARIOS.filter((s) => !NEEDS_TOPOLOGY.has(s));

/** The verdict fields a NAT probe must report, i.e. the subset of the `probe --json` contract the lab checks. */
export interface Verdict {
  /** Null where the probe cannot tell (proxy-only: nothing answers without the proxy). */
  udp: boolean | null;
  natPresent: boolean | null;
  mapping: Behaviour | null;
  filtering: Behaviour | null;
  legacyNatType: LegacyNatType | null;
}

const EIM: Behaviour = 'endpoint-independent';
const ADF: Behaviour = 'address-dependent';
const APD: Behaviour = 'address-and-port-dependent';

/** What a correct probe reports from lan, per scenario (RFC 4787 terms + RFC 3489 label). */
export const EXPECTED: Readonly<Record<Scenario, Verdict>> = {
  masquerade: {
    udp: true,
    natPresent: true,
    mapping: EIM,
    filtering: APD,
    legacyNatType: 'port-restricted-cone',
  },
  'masquerade-random': {
    udp: true,
    natPresent: true,
    mapping: APD,
    filtering: APD,
    legacyNatType: 'symmetric',
  },
  'full-cone': { udp: true, natPresent: true, mapping: EIM, filtering: EIM, legacyNatType: 'full-cone' },
  'restricted-cone': {
    udp: true,
    natPresent: true,
    mapping: EIM,
    filtering: ADF,
    legacyNatType: 'restricted-cone',
  },
  'udp-dropped': {
    udp: false,
    natPresent: null,
    mapping: null,
    filtering: null,
    legacyNatType: 'udp-blocked',
  },
  routed: { udp: true, natPresent: false, mapping: EIM, filtering: EIM, legacyNatType: 'open-internet' },
  'mtu-1280': {
    udp: true,
    natPresent: true,
    mapping: EIM,
    filtering: APD,
    legacyNatType: 'port-restricted-cone',
  },
  'udp-timeout-20s': {
    udp: true,
    natPresent: true,
    mapping: EIM,
    filtering: APD,
    legacyNatType: 'port-restricted-cone',
  },
  'ipv6-firewall': {
    udp: true,
    natPresent: true,
    mapping: EIM,
    filtering: APD,
    legacyNatType: 'port-restricted-cone',
  },
  nat66: { udp: true, natPresent: true, mapping: EIM, filtering: APD, legacyNatType: 'port-restricted-cone' },
  'proxy-only': { udp: false, natPresent: null, mapping: null, filtering: null, legacyNatType: null },
  cgnat: { udp: true, natPresent: true, mapping: EIM, filtering: APD, legacyNatType: 'port-restricted-cone' },
};

/**
 * What `ice-doctor probe` must report per scenario: the truth ({@link EXPECTED}, which the raw-socket lab
 * test and the tool bench also judge by) where one RFC 5780 server can prove it, null where it cannot.
 * masquerade-random: filtering null, because through an address-and-port-dependent mapping the
 * CHANGE-REQUEST control cannot show that the server answers CHANGE-REQUEST, so the silence of filtering
 * tests II/III does not prove the NAT's filtering; the label stays `symmetric` (it follows from the mapping).
 * proxy-only: udp null, because without the proxy nothing answers on any transport (a server that is down
 * looks the same); through the proxy the probe says `blocked` (test/natlab/proxy-only.lab.test.ts).
 */
export const PROBE_EXPECTED: Readonly<Record<Scenario, Verdict>> = {
  ...EXPECTED,
  'masquerade-random': { ...EXPECTED['masquerade-random'], filtering: null },
  'proxy-only': { ...EXPECTED['proxy-only'], udp: null },
};

/** nftables table owned by the scenarios in the router namespace (the guard's table is separate). */
const NAT_TABLE = 'idl_nat';

const masqueradeRule = (a: SiteAddresses): string =>
  `oifname "${IFACE.routerPub}" ip saddr ${a.lanNet} masquerade`;

/**
 * Full cone (EIM + EIF): masquerade (Linux keeps the source port when it is free, so mapped port = lan
 * port), remember every UDP source port lan sends from, and DNAT any UDP arriving at the router's public
 * address on a remembered port to the lan host, whoever sends it.
 */
const fullCone = (a: SiteAddresses): string => `
table ip ${NAT_TABLE} {
  set outports {
    type inet_service; flags dynamic,timeout; timeout 120s;
  }
  chain track {
    type filter hook forward priority filter; policy accept;
    iifname "${IFACE.routerLan}" oifname "${IFACE.routerPub}" meta l4proto udp update @outports { udp sport }
  }
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "${IFACE.routerPub}" ip daddr ${a.routerPub} udp dport @outports dnat to ${a.lanHost}
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    ${masqueradeRule(a)}
  }
}
`;

/**
 * Restricted cone (EIM + address-dependent filtering): like {@link fullCone} but remembers
 * (lan source port, destination IP) pairs, and DNATs an incoming packet only when its (destination port,
 * source IP) pair is remembered, i.e. lan has sent to that IP (any port) from that port.
 */
const restrictedCone = (a: SiteAddresses): string => `
table ip ${NAT_TABLE} {
  set outpeers {
    type inet_service . ipv4_addr; flags dynamic,timeout; timeout 120s;
  }
  chain track {
    type filter hook forward priority filter; policy accept;
    iifname "${IFACE.routerLan}" oifname "${IFACE.routerPub}" meta l4proto udp update @outpeers { udp sport . ip daddr }
  }
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "${IFACE.routerPub}" ip daddr ${a.routerPub} udp dport . ip saddr @outpeers dnat to ${a.lanHost}
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    ${masqueradeRule(a)}
  }
}
`;

/**
 * Sets the router of `site` (default: site 0, `nat`) and pub's route back to its lan for `scenario`, after clearing every previous scenario's
 * rules and the conntrack table so no old mapping survives:
 * - `masquerade`: iptables MASQUERADE → EIM + address-and-port-dependent filtering (port-restricted cone).
 * - `masquerade-random`: MASQUERADE --random-fully → a fresh random port per destination (symmetric).
 * - `full-cone`, `restricted-cone`: nftables dynamic sets + DNAT, see {@link fullCone}, {@link restrictedCone}.
 * - `udp-dropped`: MASQUERADE, and every forwarded UDP packet dropped (TCP passes).
 * - `routed`: no NAT; pub gets a route to 100.64.0.0/24 via the router.
 * - `mtu-1280`: MASQUERADE behind an MTU black hole (scenario-mtu.ts).
 * - `udp-timeout-20s`: MASQUERADE with 20-s UDP conntrack timeouts (scenario-udp-timeout.ts).
 * - `ipv6-firewall`, `nat66`: MASQUERADE for IPv4 (dual stack), the IPv6 side from `scenario-ipv6.ts`.
 */
export async function applyScenario(lab: Lab, scenario: Scenario, site: Site = lab.sites[0]!): Promise<void> {
  await resetRouter(lab, site);
  const iptables = (args: readonly string[]) => nsRun(site.ns.nat, 'iptables', args);
  const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', IFACE.routerPub, '-j', 'MASQUERADE'];
  switch (scenario) {
    case 'masquerade':
      await iptables(masquerade);
      break;
    case 'masquerade-random':
      await iptables([...masquerade, '--random-fully']);
      break;
    case 'full-cone':
      await loadRuleset(site.ns.nat, fullCone(site.addr));
      break;
    case 'restricted-cone':
      await loadRuleset(site.ns.nat, restrictedCone(site.addr));
      break;
    case 'udp-dropped':
      await iptables(masquerade);
      await iptables(['-A', 'FORWARD', '-p', 'udp', '-j', 'DROP']);
      break;
    case 'routed':
      await run('ip', ['-n', lab.ns.pub, 'route', 'add', site.addr.lanNet, 'via', site.addr.routerPub]);
      break;
    case 'mtu-1280':
      await iptables(masquerade);
      await applyMtuBlackHole(lab, site);
      break;
    case 'udp-timeout-20s':
      await iptables(masquerade);
      await applyShortUdpTimeout(site);
      break;
    case 'ipv6-firewall':
    case 'nat66':
      await iptables(masquerade);
      await applyIpv6Scenario(lab, scenario, site);
      break;
    case 'proxy-only':
      await applyProxyOnly(lab, site);
      break;
    case 'cgnat':
      await applyCgnat(lab);
      break;
  }
}

async function resetRouter(lab: Lab, site: Site): Promise<void> {
  const { nat } = site.ns;
  const { pub } = lab.ns;
  await nsRun(nat, 'iptables', ['-t', 'nat', '-F']);
  await nsRun(nat, 'iptables', ['-F', 'FORWARD']);
  const tables = await nsRun(nat, 'nft', ['list', 'tables']);
  if (tables.stdout.includes(`table ip ${NAT_TABLE}`))
    await nsRun(nat, 'nft', ['delete', 'table', 'ip', NAT_TABLE]);
  const routes = await run('ip', ['-n', pub, 'route', 'show', site.addr.lanNet]);
  if (routes.stdout.trim() !== '') await run('ip', ['-n', pub, 'route', 'del', site.addr.lanNet]);
  await resetMtuBlackHole(lab, site);
  await resetUdpTimeouts(site);
  await resetIpv6(lab, site);
  await nsRun(nat, 'conntrack', ['-F']);
}
