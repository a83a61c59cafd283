import { run } from './exec.js';
import type { Lab } from './topology.js';

/** The only destinations lab traffic may reach: the LAN range (RFC 6598) and TEST-NET-3 (RFC 5737). */
export const ALLOWED_NETS = ['100.64.0.0/10', '203.0.113.0/24'] as const;

/** The only IPv6 destinations: the documentation prefix (RFC 3849) and unique local addresses (RFC 4193). */
export const ALLOWED_NETS6 = ['2001:db8::/32', 'fd00::/8'] as const;

const NETS = `{ ${ALLOWED_NETS.join(', ')} }`;
const NETS6 = `{ ${ALLOWED_NETS6.join(', ')} }`;

/**
 * The output rules of every guard: out via loopback, to {@link ALLOWED_NETS} / {@link ALLOWED_NETS6},
 * link-local ICMPv6 (neighbour discovery), SSDP searches (239.255.255.250:1900).
 */
const EGRESS = `    oifname "lo" accept
    ip daddr ${NETS} accept
    ip6 daddr ${NETS6} accept
    ip6 daddr { fe80::/10, ff02::/16 } meta l4proto ipv6-icmp accept
    ip daddr 239.255.255.250 udp dport 1900 accept
`;

/**
 * nftables ruleset (table `inet idl_guard`) for the lan host: output is dropped unless it leaves via
 * loopback or goes to {@link ALLOWED_NETS} or {@link ALLOWED_NETS6} (or is an SSDP search, link-local
 * multicast 239.255.255.250:1900); link-local ICMPv6 (neighbour discovery) stays on the link.
 * Dropped UDP sends fail locally with EPERM.
 */
const LAN_GUARD = `
table inet idl_guard {
  chain output_guard {
    type filter hook output priority filter; policy drop;
${EGRESS}  }
}
`;

/**
 * nftables ruleset (table `inet idl_guard`) for the router: forwards only between {@link ALLOWED_NETS} (IPv6: {@link ALLOWED_NETS6});
 * unsolicited UDP addressed to the router itself from the public side is dropped silently (no ICMP), as a
 * home NAT does. What the router sends itself (squid, miniupnpd, ICMP errors; the carrier namespace of
 * cgnat loads this ruleset too) goes only where the lan host's may ({@link LAN_GUARD}'s rules), plus the
 * all-hosts link-local multicast of NAT-PMP/PCP announcements (224.0.0.1, ff02::1, UDP 5350/5351, RFC 6886
 * §3.2.1, RFC 6887 §14.1.3). The NAT scenarios add their own tables and never touch this one.
 */
export const ROUTER_GUARD = `
table inet idl_guard {
  chain forward_guard {
    type filter hook forward priority filter; policy drop;
    ip saddr ${NETS} ip daddr ${NETS} accept
    ip6 saddr ${NETS6} ip6 daddr ${NETS6} accept
  }
  chain input_guard {
    type filter hook input priority filter; policy accept;
    iifname "wan0" meta l4proto udp drop
  }
  chain output_guard {
    type filter hook output priority filter; policy drop;
${EGRESS}    ip daddr 224.0.0.1 udp dport { 5350, 5351 } accept
    ip6 daddr ff02::1 udp dport { 5350, 5351 } accept
  }
}
`;

/** Installs each site's lan egress guard and router guard (nftables tables `inet idl_guard`). */
export async function installGuards(lab: Lab): Promise<void> {
  for (const site of lab.sites) {
    await loadRuleset(site.ns.lan, LAN_GUARD);
    await loadRuleset(site.ns.nat, ROUTER_GUARD);
  }
}

/** Loads a multi-line nft ruleset text into namespace `ns`, passed as one `nft` argument (atomic). */
export async function loadRuleset(ns: string, ruleset: string): Promise<void> {
  await run('ip', ['netns', 'exec', ns, 'nft', ruleset]);
}
