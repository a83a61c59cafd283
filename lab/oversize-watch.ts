import { nsRun } from '../src/lab/exec.js';
import { loadRuleset } from '../src/lab/guard.js';

/** nftables table of the watch in the router namespace (the scenarios' and the guard's tables are separate). */
const TABLE = 'idl_oversize_watch';

/**
 * Starts counting, in router namespace `ns`, the UDP datagrams arriving on interface `iface` whose IP packet
 * is longer than `maxBytes` (IP header included). The count is taken at prerouting, before the forwarding
 * path drops a packet too large for the outgoing link, so a datagram the `mtu-1280` black hole swallows is
 * counted too. Read it with {@link oversizeCount}.
 * @throws Error when nft rejects the table (e.g. it exists already).
 */
export async function watchOversizeUdp(ns: string, iface: string, maxBytes: number): Promise<void> {
  await loadRuleset(
    ns,
    `table inet ${TABLE} {
  chain pre {
    type filter hook prerouting priority raw; policy accept;
    iifname "${iface}" meta nfproto ipv4 meta l4proto udp ip length > ${maxBytes} counter
  }
}
`,
  );
}

/**
 * How many datagrams {@link watchOversizeUdp} has counted in `ns` so far.
 * @throws Error when the watch is not in place or nft's JSON has no counter.
 */
export async function oversizeCount(ns: string): Promise<number> {
  const listed = await nsRun(ns, 'nft', ['-j', 'list', 'table', 'inet', TABLE]);
  const rules = (JSON.parse(listed.stdout) as { nftables: { rule?: { expr: unknown[] } }[] }).nftables;
  for (const entry of rules)
    for (const expr of entry.rule?.expr ?? []) {
      const counter = (expr as { counter?: { packets: number } }).counter;
      if (counter) return counter.packets;
    }
  throw new Error(`no counter in nft table ${TABLE} of ${ns}`);
}
