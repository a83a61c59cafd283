import { nsRun, run } from './exec.js';
import { loadRuleset, ROUTER_GUARD } from './guard.js';
import { IFACE, type Lab } from './topology.js';

/**
 * Addresses of the carrier-grade NAT (NAT444, RFC 6598) lab: the home router's WAN gets a carrier-assigned
 * shared address, the carrier NAT's inside is its gateway, and the carrier NAT's outside takes the public
 * address the home router has in the plain lab (`ADDR.routerPub`, 203.0.113.1), so STUN sees the same address.
 */
export const CGNAT_ADDR = {
  homeWan: '100.64.100.2',
  carrierInside: '100.64.100.1',
  carrierOutside: '203.0.113.1',
  /** Prefix length of the home ↔ carrier link. */
  prefix: 24,
} as const;

/** Interface names in the carrier namespace: `in0` toward the home router, `wan0` on pub's bridge (the name the routers' guard drops unsolicited UDP on). */
export const CGNAT_IFACE = { inside: 'in0', outside: 'wan0' } as const;

/** pub's end of the carrier's outside link (pub's `eth0` belongs to the home router in the plain lab). */
const PUB_END = 'ethc';

/**
 * Puts a carrier NAT namespace (`lab.ns.cgn`) between site 0's router and pub: pub's end of the router's
 * `wan0` link moves into the carrier as `in0` (100.64.100.1/24), the router's `wan0` gets 100.64.100.2/24
 * and a default route via the carrier, and a new link joins the carrier's `wan0` (203.0.113.1/24) to pub's
 * bridge. The carrier forwards (ip_forward=1) behind the routers' guard (its outside is `wan0` too); its NAT
 * is set by the `cgnat` scenario.
 * @throws Error when the lab was not created with `cgnat: true` or a command fails.
 */
export async function buildCarrier(lab: Lab): Promise<void> {
  const cgn = lab.ns.cgn;
  if (cgn === undefined) throw new Error('buildCarrier: the lab has no carrier namespace');
  const { nat, pub } = lab.ns;
  await run('ip', ['netns', 'add', cgn]);
  await run('ip', ['-n', cgn, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', nat, 'addr', 'flush', 'dev', IFACE.routerPub]);
  await run('ip', ['-n', pub, 'link', 'set', 'eth0', 'netns', cgn]);
  await run('ip', ['-n', cgn, 'link', 'set', 'eth0', 'name', CGNAT_IFACE.inside]);
  await run('ip', [
    '-n',
    cgn,
    'link',
    'add',
    CGNAT_IFACE.outside,
    'type',
    'veth',
    'peer',
    'name',
    PUB_END,
    'netns',
    pub,
  ]);
  await run('ip', ['-n', pub, 'link', 'set', PUB_END, 'master', IFACE.pubBridge]);
  const addrs: [string, string, string][] = [
    [nat, IFACE.routerPub, CGNAT_ADDR.homeWan],
    [cgn, CGNAT_IFACE.inside, CGNAT_ADDR.carrierInside],
    [cgn, CGNAT_IFACE.outside, CGNAT_ADDR.carrierOutside],
  ];
  for (const [ns, dev, address] of addrs)
    await run('ip', ['-n', ns, 'addr', 'add', `${address}/${CGNAT_ADDR.prefix}`, 'dev', dev]);
  for (const [ns, dev] of [
    [cgn, CGNAT_IFACE.inside],
    [cgn, CGNAT_IFACE.outside],
    [pub, PUB_END],
    [nat, IFACE.routerPub],
  ] as const)
    await run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  await run('ip', ['-n', nat, 'route', 'replace', 'default', 'via', CGNAT_ADDR.carrierInside]);
  await nsRun(cgn, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  await loadRuleset(cgn, ROUTER_GUARD);
}
