import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsRun, sleep } from './exec.js';
import { ALLOWED_NETS, loadRuleset } from './guard.js';
import type { LabProcess } from './processes.js';
import { IFACE, type Lab } from './topology.js';

/** The lab's public segment (TEST-NET-3), where the STUN servers live. */
const PUB_NET = ALLOWED_NETS[1];

/** nftables table (family inet) holding miniupnpd's chains in the router namespace. */
export const UPNP_TABLE = 'idl_upnp';

/**
 * The chains miniupnpd 2.3.1's nftables backend adds its rules to (its `nft_init.sh` layout, in
 * {@link UPNP_TABLE} for both `upnp_table_name` and `upnp_nat_table_name`): a forward filter chain jumping
 * to `miniupnpd` (policy accept: the lab's guard table does the filtering), and prerouting/postrouting
 * NAT chains jumping to `prerouting_miniupnpd` (its DNATs) and `postrouting_miniupnpd`.
 */
const UPNP_CHAINS = `
table inet ${UPNP_TABLE} {
  chain forward { type filter hook forward priority filter; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; jump postrouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
`;

/** Options of {@link startMiniupnpd}. */
export interface MiniupnpdOptions {
  /**
   * `ext_perform_stun` against this STUN server (`ip:port`): miniupnpd refuses every mapping while its WAN
   * address is private or reserved — and the lab's public addresses are documentation ranges, reserved in
   * its eyes — unless it has learned a public address by STUN.
   */
  readonly stun?: { readonly host: string; readonly port: number };
}

/**
 * miniupnpd.conf for the lab router: WAN `wan0`, listening on `lan0`, UPnP IGD + NAT-PMP/PCP on, secure
 * mode (a client may map only to itself), mappings for the 100.64.0.0/10 LAN only, lease file and pid in
 * the lab's temp dir, nft table {@link UPNP_TABLE}.
 */
export function miniupnpdConfig(dir: string, opts: MiniupnpdOptions = {}): string {
  const lines = [
    `ext_ifname=${IFACE.routerPub}`,
    `listening_ip=${IFACE.routerLan}`,
    'http_port=0',
    'enable_natpmp=yes',
    'enable_upnp=yes',
    'secure_mode=yes',
    'system_uptime=yes',
    `lease_file=${join(dir, 'miniupnpd.leases')}`,
    `upnp_table_name=${UPNP_TABLE}`,
    `upnp_nat_table_name=${UPNP_TABLE}`,
    'upnp_forward_chain=miniupnpd',
    'upnp_nat_chain=prerouting_miniupnpd',
    'upnp_nat_postrouting_chain=postrouting_miniupnpd',
    'uuid=6c2b8f1e-16a0-4f7e-9d1c-1ce0d0c70016',
    ...(opts.stun
      ? ['ext_perform_stun=yes', `ext_stun_host=${opts.stun.host}`, `ext_stun_port=${opts.stun.port}`]
      : []),
    'allow 1024-65535 100.64.0.0/10 1024-65535',
    'deny 0-65535 0.0.0.0/0 0-65535',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Lets the STUN server's answers (from its primary and alternate port, any address in pub's 203.0.113.0/24: miniupnpd's own
 * RFC 5780 filtering check) reach the router itself: the lab's router guard drops all UDP arriving on `wan0`
 * for the router, as a home NAT does. One rule inserted before that drop in the guard's `input_guard`.
 */
async function allowStunReplies(lab: Lab, port: number): Promise<void> {
  const rule = `ip saddr ${PUB_NET} udp sport { ${port}, ${port + 1} } accept`;
  await nsRun(lab.ns.nat, 'nft', ['insert', 'rule', 'inet', 'idl_guard', 'input_guard', ...rule.split(' ')]);
}

/** Longest wait for miniupnpd's "Listening for NAT-PMP/PCP" log line, in ms. */
const READY_MS = 10_000;

/**
 * Starts Debian's miniupnpd in the lab router (`nat`) by PID: creates its nftables chains, writes its
 * config to the lab's temp dir, runs it in the foreground (`-d`, logs on stderr) and resolves once it
 * listens for NAT-PMP/PCP. Teardown kills it by PID.
 * @throws Error when it exits or is not ready within 10 s (with its output).
 */
export async function startMiniupnpd(lab: Lab, opts: MiniupnpdOptions = {}): Promise<LabProcess> {
  await loadRuleset(lab.ns.nat, UPNP_CHAINS);
  if (opts.stun) await allowStunReplies(lab, opts.stun.port);
  const config = join(lab.tmpDir, 'miniupnpd.conf');
  writeFileSync(config, miniupnpdConfig(lab.tmpDir, opts));
  const proc = lab.start('nat', 'miniupnpd', 'miniupnpd', [
    '-f',
    config,
    '-d',
    '-P',
    join(lab.tmpDir, 'miniupnpd.pid'),
  ]);
  const deadline = Date.now() + READY_MS;
  while (!proc.lines.some((l) => l.includes('Listening for NAT-PMP/PCP'))) {
    if (!proc.isRunning() || Date.now() > deadline)
      throw new Error(`miniupnpd not ready:\n${proc.lines.join('\n')}`);
    await sleep(25);
  }
  return proc;
}
