import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsRun, sleep } from './exec.js';
import { squidConfig } from './squid-config.js';
import { IFACE, type Lab, type Site } from './topology.js';

/** TCP port of the lab's office proxy (squid's customary port). */
export const LAB_PROXY_PORT = 3128;

/**
 * The office proxy's URL for a site's lan host: squid on the router's LAN address, e.g.
 * `http://100.64.0.1:3128` for site 0. What `HTTPS_PROXY` (or `--proxy`, or Chromium's `--proxy-server`)
 * is set to in the `proxy-only` network.
 */
export function labProxyUrl(site: Site): string {
  return `http://${site.addr.routerLan}:${LAB_PROXY_PORT}`;
}

/** How long squid may take to listen, in ms. */
const SQUID_READY_MS = 15_000;

/** True when a TCP socket listens on `address:port` in namespace `ns` (`ss -ltnH`). */
async function listening(ns: string, address: string, port: number): Promise<boolean> {
  const out = await nsRun(ns, 'ss', ['-ltnH'], { check: false });
  return out.stdout.split('\n').some((l) => l.includes(`${address}:${port} `));
}

/**
 * The `proxy-only` office (issue 16 §4): the router forwards nothing from its lan (no UDP, no direct TCP:
 * every forwarded packet from the lan interface is dropped, as an office firewall does), and Debian's
 * squid runs in the router namespace on the router's LAN address, port {@link LAB_PROXY_PORT}, allowing
 * CONNECT from the lan to port 443 only (403 for any other port) and no plain HTTP. Its config is written to
 * the lab's temp dir; it is started with `-N` by PID (teardown kills it) and awaited until it listens.
 * Idempotent: a squid already listening there is kept.
 * @throws Error when squid exits or does not listen within 15 s (with its last output lines).
 */
export async function applyProxyOnly(lab: Lab, site: Site): Promise<void> {
  await nsRun(site.ns.nat, 'iptables', ['-A', 'FORWARD', '-i', IFACE.routerLan, '-j', 'DROP']);
  const { routerLan, lanNet } = site.addr;
  if (await listening(site.ns.nat, routerLan, LAB_PROXY_PORT)) return;
  const config = join(lab.tmpDir, `squid-${site.ns.nat}.conf`);
  writeFileSync(
    config,
    squidConfig({ listen: routerLan, port: LAB_PROXY_PORT, clients: [lanNet], connectPorts: [443] }),
  );
  const role = site === lab.sites[0] ? 'nat' : 'nat2';
  const proc = lab.start(role, 'squid', '/usr/sbin/squid', ['-N', '-d', '1', '-f', config]);
  const deadline = Date.now() + SQUID_READY_MS;
  while (Date.now() < deadline) {
    if (!proc.isRunning()) break;
    if (await listening(site.ns.nat, routerLan, LAB_PROXY_PORT)) return;
    await sleep(100);
  }
  await proc.stop();
  throw new Error(
    `squid did not listen on ${routerLan}:${LAB_PROXY_PORT}:\n${proc.lines.slice(-20).join('\n')}`,
  );
}
