import { nsRun, run } from './exec.js';
import { IFACE, type Lab } from './topology.js';

/**
 * IPv6 addresses of the lab (documentation prefix 2001:db8::/32, RFC 3849, and ULA fd00::/8, RFC 4193,
 * only): pub's two addresses for an RFC 5780 server on 2001:db8:ff::/64 (the "internet" segment), the
 * router's public address there, and per site a routed global lan prefix (a firewall without NAT) and a
 * ULA lan prefix (behind NAT66). Site `i` uses `…:ff::1+i`, `2001:db8:1+i::/64` and `fd00:64:i::/64`.
 */
export const ADDR6 = {
  pubNet: '2001:db8:ff::/64',
  pubPrimary: '2001:db8:ff::10',
  pubSecondary: '2001:db8:ff::11',
  routerPub: '2001:db8:ff::1',
  lanGlobalNet: '2001:db8:1::/64',
  lanGlobalHost: '2001:db8:1::2',
  routerLanGlobal: '2001:db8:1::1',
  lanUlaNet: 'fd00:64::/64',
  lanUlaHost: 'fd00:64::2',
  routerLanUla: 'fd00:64::1',
  /** Prefix length of every IPv6 link. */
  prefix: 64,
} as const;

/** One site's IPv6 addresses (site 0 is {@link ADDR6}'s). */
export interface SiteAddresses6 {
  readonly routerPub: string;
  readonly lanGlobalNet: string;
  readonly lanGlobalHost: string;
  readonly routerLanGlobal: string;
  readonly lanUlaNet: string;
  readonly lanUlaHost: string;
  readonly routerLanUla: string;
}

/** The IPv6 addresses of site `index` (0 or 1). */
export function siteAddresses6(index: number): SiteAddresses6 {
  if (index === 0) return ADDR6;
  const g = `2001:db8:${1 + index}::`;
  const u = `fd00:64:${index}::`;
  return {
    routerPub: `2001:db8:ff::${1 + index}`,
    lanGlobalNet: `${g}/64`,
    lanGlobalHost: `${g}2`,
    routerLanGlobal: `${g}1`,
    lanUlaNet: `${u}/64`,
    lanUlaHost: `${u}2`,
    routerLanUla: `${u}1`,
  };
}

/** Adds an IPv6 address usable at once: `nodad` skips duplicate address detection (a fresh link has none). */
async function addAddress(ns: string, dev: string, address: string): Promise<void> {
  await run('ip', ['-n', ns, '-6', 'addr', 'add', `${address}/${ADDR6.prefix}`, 'dev', dev, 'nodad']);
}

/**
 * Makes the lab dual stack (LabOptions `ipv6`): pub's two IPv6 addresses on its bridge, each router's public
 * IPv6 address and both its lan prefixes' router addresses, IPv6 forwarding on the routers. The lan hosts
 * get their address (global or ULA) from the scenario (`scenario-ipv6.ts`), which knows which one it needs.
 */
export async function buildIpv6(lab: Lab): Promise<void> {
  for (const address of [ADDR6.pubPrimary, ADDR6.pubSecondary])
    await addAddress(lab.ns.pub, IFACE.pubBridge, address);
  for (const [index, site] of lab.sites.entries()) {
    const a = siteAddresses6(index);
    await addAddress(site.ns.nat, IFACE.routerPub, a.routerPub);
    await addAddress(site.ns.nat, IFACE.routerLan, a.routerLanGlobal);
    await addAddress(site.ns.nat, IFACE.routerLan, a.routerLanUla);
    await nsRun(site.ns.nat, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
  }
}

/** True when `lab` was created dual stack (pub holds its IPv6 addresses: {@link buildIpv6} ran). */
export async function labHasIpv6(lab: Lab): Promise<boolean> {
  const shown = await run('ip', ['-n', lab.ns.pub, '-6', 'addr', 'show', 'dev', IFACE.pubBridge]);
  return shown.stdout.includes(ADDR6.pubPrimary);
}
