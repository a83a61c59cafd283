import { nsRun, run } from './exec.js';
import { loadRuleset } from './guard.js';
import { IFACE, type Lab, type Site } from './topology.js';

/** The router's public link MTU of the `mtu-1280` scenario, bytes (the IPv6 minimum, RFC 8200 §5). */
export const BLACK_HOLE_MTU = 1280;
/** The MTU of every lab link otherwise, bytes (veth's default, Ethernet's). */
const DEFAULT_MTU = 1500;
/** nftables table of the scenario in the router namespace (the guard's and the NAT's tables are separate). */
const TABLE = 'idl_mtu';

/** Drops the router's own ICMP "fragmentation needed" (type 3 code 4), as a filtering ISP or VPN box does. */
const DROP_FRAG_NEEDED = `
table inet ${TABLE} {
  chain output_icmp {
    type filter hook output priority filter; policy accept;
    icmp type destination-unreachable icmp code frag-needed drop
  }
}
`;

/** pub's end of `site`'s public link (a port of pub's bridge). */
function pubEnd(lab: Lab, site: Site): string {
  return `eth${lab.sites.indexOf(site)}`;
}

async function setMtu(lab: Lab, site: Site, mtu: number): Promise<void> {
  await run('ip', ['-n', site.ns.nat, 'link', 'set', IFACE.routerPub, 'mtu', String(mtu)]);
  await run('ip', ['-n', lab.ns.pub, 'link', 'set', pubEnd(lab, site), 'mtu', String(mtu)]);
}

/**
 * An MTU black hole on `site`'s router (issue 16 §5): its public link (router `wan0` and pub's end of it)
 * gets MTU {@link BLACK_HOLE_MTU} and the router drops its own ICMP "fragmentation needed", so a datagram
 * over 1280 bytes sent from lan with DF set (Linux's default for UDP) vanishes without a word. The way back
 * is not a hole: pub's bridge follows its ports' smallest MTU, so the server fragments large answers itself
 * and the router reassembles them (conntrack) before forwarding to lan.
 */
export async function applyMtuBlackHole(lab: Lab, site: Site): Promise<void> {
  await setMtu(lab, site, BLACK_HOLE_MTU);
  await loadRuleset(site.ns.nat, DROP_FRAG_NEEDED);
}

/** Undoes {@link applyMtuBlackHole} when it is in place (MTU back to 1500, the ICMP table removed). */
export async function resetMtuBlackHole(lab: Lab, site: Site): Promise<void> {
  const tables = await nsRun(site.ns.nat, 'nft', ['list', 'tables']);
  if (!tables.stdout.includes(`table inet ${TABLE}`)) return;
  await nsRun(site.ns.nat, 'nft', ['delete', 'table', 'inet', TABLE]);
  await setMtu(lab, site, DEFAULT_MTU);
}
