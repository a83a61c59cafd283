import { nsRun } from './exec.js';
import { IFACE, type Lab } from './topology.js';
import { CGNAT_IFACE } from './topology-cgnat.js';

/**
 * The `cgnat` scenario (NAT444): both NATs are Linux MASQUERADE — endpoint-independent mapping with
 * address-and-port-dependent filtering. The home router translates 100.64.0.2 to its carrier-assigned
 * 100.64.100.2; the carrier NAT translates that to 203.0.113.1. The carrier keeps endpoint-independent
 * mapping as RFC 6888 REQ-1 asks, so the combined path is EIM / APDF (port-restricted cone) — the same
 * verdict as one home NAT: the NAT tests cannot see that there are two, only the port-mapping comparison
 * can. Clears the carrier's NAT rules and conntrack first (the home router is reset by `applyScenario`).
 * @throws Error when the lab was created without `cgnat: true`.
 */
export async function applyCgnat(lab: Lab): Promise<void> {
  const cgn = lab.ns.cgn;
  if (cgn === undefined) throw new Error('the cgnat scenario needs a lab created with { cgnat: true }');
  await nsRun(cgn, 'iptables', ['-t', 'nat', '-F']);
  await nsRun(cgn, 'conntrack', ['-F']);
  const masquerade = (out: string) => ['-t', 'nat', '-A', 'POSTROUTING', '-o', out, '-j', 'MASQUERADE'];
  await nsRun(lab.ns.nat, 'iptables', masquerade(IFACE.routerPub));
  await nsRun(cgn, 'iptables', masquerade(CGNAT_IFACE.outside));
}
