import { labAvailable } from './available.js';

/**
 * Why the lab cannot run here, in one line for the user, or null when it can: it needs Linux, root (it
 * creates network namespaces, veth links and nftables rules) and working `ip netns`, `iptables`, `nft` and
 * `conntrack` ({@link labAvailable}). The cheap checks (platform, user id) come first so a refusal is quick.
 */
export async function labRefusal(): Promise<string | null> {
  if (process.platform !== 'linux')
    return `the lab needs Linux network namespaces; this system is ${process.platform}`;
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  if (uid !== 0)
    return 'the lab needs root: it creates network namespaces, links and firewall rules (try: sudo ice-doctor lab …)';
  if (!(await labAvailable()))
    return "the lab needs 'ip netns', iptables, nft and conntrack, and one of them does not work here (Debian: apt-get install iproute2 iptables nftables conntrack)";
  return null;
}
