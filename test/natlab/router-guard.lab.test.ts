import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labAvailable } from '../../src/lab/available.js';
import { nsRun, run } from '../../src/lab/exec.js';
import { createLab, destroyLab, IFACE, type Lab, SITE_ADDR } from '../../src/lab/topology.js';
import { CGNAT_ADDR } from '../../src/lab/topology-cgnat.js';

// The routers' egress guard (src/lab/guard.ts ROUTER_GUARD, output chain): what the home router and the
// carrier (cgnat) send themselves — squid, miniupnpd, ICMP — reaches only the lab's ranges. A route to
// TEST-NET-1 (192.0.2.0/24, outside the allowlist) is added so that only the guard can stop the packet:
// the send fails locally with EPERM. A send to an allowed destination next to it must still leave.
const available = await labAvailable();

/** Outside every allowed range (RFC 5737 TEST-NET-1), routed out of wan0 for the test. */
const FORBIDDEN = '192.0.2.1';
const FORBIDDEN_NET = '192.0.2.0/24';

/** Sends one UDP datagram from namespace `ns` to `address`:9 and prints `sent` or the send's error code. */
const SEND_ONE = `const s = require('node:dgram').createSocket('udp4');
s.send('x', 9, process.argv[1], (e) => { console.log(e ? e.code : 'sent'); s.close(); });`;

/** What one UDP send from `ns` to `address` gave: `sent`, or an errno code such as `EPERM`. */
async function sendOne(ns: string, address: string): Promise<string> {
  const r = await nsRun(ns, process.execPath, ['-e', SEND_ONE, address]);
  return r.stdout.trim();
}

describe.skipIf(!available)('natlab: the routers send only to the lab ranges', { timeout: 60_000 }, () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await createLab({ cgnat: true });
  });
  afterAll(async () => {
    if (lab) await destroyLab(lab);
  });

  it('home router: a send to the lan host leaves; a send to 192.0.2.1 is refused locally (EPERM)', async () => {
    expect(await sendOne(lab.ns.nat, SITE_ADDR[0].lanHost)).toBe('sent');
    await run('ip', ['-n', lab.ns.nat, 'route', 'replace', FORBIDDEN_NET, 'dev', IFACE.routerPub]);
    expect(await sendOne(lab.ns.nat, FORBIDDEN)).toBe('EPERM');
  });

  it('carrier (cgn): a send to the home router leaves; a send to 192.0.2.1 is refused locally (EPERM)', async () => {
    const cgn = lab.ns.cgn as string;
    expect(await sendOne(cgn, CGNAT_ADDR.homeWan)).toBe('sent');
    await run('ip', ['-n', cgn, 'route', 'replace', FORBIDDEN_NET, 'dev', IFACE.routerPub]);
    expect(await sendOne(cgn, FORBIDDEN)).toBe('EPERM');
  });
});
