import { nsRun, run } from './exec.js';
import { loadRuleset } from './guard.js';
import { IFACE, type Lab, type Site } from './topology.js';
import { ADDR6, labHasIpv6, type SiteAddresses6, siteAddresses6 } from './topology-ipv6.js';

/** nftables table of the IPv6 scenarios in the router namespace (apart from the guard's and the IPv4 NAT's). */
const V6_TABLE = 'idl_v6';

/**
 * A stateful IPv6 firewall without NAT, as RFC 6092 asks of home routers (REC-11/REC-17): replies to what
 * the lan sent (conntrack established/related, ICMPv6 errors included) come in, every other packet from
 * the public side to the lan is dropped silently.
 */
const statefulFirewall = `
table ip6 ${V6_TABLE} {
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "${IFACE.routerPub}" ct state established,related accept
    iifname "${IFACE.routerPub}" drop
  }
}
`;

/**
 * NAT66: the ULA lan is masqueraded to the router's public IPv6 address (Linux keeps the source port when
 * it is free: endpoint-independent mapping; conntrack lets in only replies: address-and-port-dependent
 * filtering), as `ip6 nat` masquerade does on a router that got one global address.
 */
const nat66 = (a: SiteAddresses6): string => `
table ip6 ${V6_TABLE} {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${IFACE.routerPub}" ip6 saddr ${a.lanUlaNet} masquerade
  }
}
`;

/** Which IPv6 network the lan is on: a routed global prefix behind a firewall, or ULA behind NAT66. */
export type Ipv6Scenario = 'ipv6-firewall' | 'nat66';

/**
 * Sets the IPv6 side of `site` for `scenario` (the IPv4 side, a MASQUERADE, is set by `applyScenario`):
 * - `ipv6-firewall`: the lan gets 2001:db8:1::2 (global, routed: pub routes 2001:db8:1::/64 via the
 *   router) and the router a stateful filter ({@link statefulFirewall}): no NAT but filtering.
 * - `nat66`: the lan gets fd00:64::2 (ULA) and the router masquerades it ({@link nat66}).
 * In a lab created without `ipv6` there is no IPv6 side: nothing is done (the scenario is then its IPv4
 * masquerade alone, which the IPv4 loops over PLAIN_SCENARIOS test; `openUserLab` refuses a dual-stack
 * plan whose lab has no IPv6, so `ice-doctor lab` never gets this silently). Expects {@link resetIpv6} to have run (applyScenario does).
 */
export async function applyIpv6Scenario(lab: Lab, scenario: Ipv6Scenario, site: Site): Promise<void> {
  if (!(await labHasIpv6(lab))) return;
  const a = siteAddresses6(lab.sites.indexOf(site));
  const global = scenario === 'ipv6-firewall';
  const [host, gateway] = global ? [a.lanGlobalHost, a.routerLanGlobal] : [a.lanUlaHost, a.routerLanUla];
  await run('ip', [
    '-n',
    site.ns.lan,
    '-6',
    'addr',
    'add',
    `${host}/${ADDR6.prefix}`,
    'dev',
    IFACE.lan,
    'nodad',
  ]);
  await run('ip', ['-n', site.ns.lan, '-6', 'route', 'replace', 'default', 'via', gateway]);
  if (global) {
    await run('ip', ['-n', lab.ns.pub, '-6', 'route', 'replace', a.lanGlobalNet, 'via', a.routerPub]);
    await loadRuleset(site.ns.nat, statefulFirewall);
  } else {
    await loadRuleset(site.ns.nat, nat66(a));
  }
}

/**
 * Undoes every IPv6 scenario on `site` (harmless on an IPv4-only lab): the router's IPv6 table, the lan's
 * global and ULA addresses and default route, pub's route to the lan prefix.
 */
export async function resetIpv6(lab: Lab, site: Site): Promise<void> {
  const a = siteAddresses6(lab.sites.indexOf(site));
  const tables = await nsRun(site.ns.nat, 'nft', ['list', 'tables']);
  if (tables.stdout.includes(`table ip6 ${V6_TABLE}`))
    await nsRun(site.ns.nat, 'nft', ['delete', 'table', 'ip6', V6_TABLE]);
  await run('ip', ['-n', site.ns.lan, '-6', 'addr', 'flush', 'dev', IFACE.lan, 'scope', 'global']);
  await run('ip', ['-n', site.ns.lan, '-6', 'route', 'del', 'default'], { check: false });
  await run('ip', ['-n', lab.ns.pub, '-6', 'route', 'del', a.lanGlobalNet], { check: false });
}
