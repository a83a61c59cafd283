import { nsRun } from './exec.js';
import type { Site } from './topology.js';

/** The router's UDP conntrack timeouts of the `udp-timeout-20s` scenario, s (both: unreplied and stream). */
export const SHORT_UDP_TIMEOUT_S = 20;
/** Linux's defaults (net/netfilter/nf_conntrack_proto_udp.c): 30 s unreplied, 120 s for a stream. */
const LINUX_UDP_TIMEOUTS_S = { unreplied: 30, stream: 120 } as const;

async function setTimeouts(site: Site, unreplied: number, stream: number): Promise<void> {
  await nsRun(site.ns.nat, 'sysctl', [
    '-q',
    '-w',
    `net.netfilter.nf_conntrack_udp_timeout=${unreplied}`,
    `net.netfilter.nf_conntrack_udp_timeout_stream=${stream}`,
  ]);
}

/**
 * A router that forgets UDP mappings after {@link SHORT_UDP_TIMEOUT_S} s of silence (issue 16 §6), as many
 * mobile and cheap home routers do: both UDP conntrack timeouts of `site`'s router namespace (they are per
 * network namespace) set to 20 s, so a binding dies 20 s after its last packet whether or not it was answered.
 */
export async function applyShortUdpTimeout(site: Site): Promise<void> {
  await setTimeouts(site, SHORT_UDP_TIMEOUT_S, SHORT_UDP_TIMEOUT_S);
}

/** Puts Linux's default UDP conntrack timeouts back in `site`'s router namespace. */
export async function resetUdpTimeouts(site: Site): Promise<void> {
  await setTimeouts(site, LINUX_UDP_TIMEOUTS_S.unreplied, LINUX_UDP_TIMEOUTS_S.stream);
}
