import { fileURLToPath } from 'node:url';
import type { LabProcess } from '../src/lab/processes.js';
import { IFACE, type Lab } from '../src/lab/topology.js';

/** The nftables table (family ip) holding the stand-in ISP gateway's DNAT rules, in the router namespace. */
export const ISP_GATEWAY_TABLE = 'idl_ispgw';

/** The stand-in gateway script, run as `node --import tsx lab/isp-gateway.ts LAN_IP WAN_IFACE`. */
const GATEWAY_PATH = fileURLToPath(new URL('./isp-gateway.ts', import.meta.url));

/**
 * Starts the stand-in ISP gateway (lab/isp-gateway.ts: NAT-PMP + PCP on the router's LAN address port 5351,
 * reporting its `wan0` address, mapping by nftables DNAT) in site 0's router namespace, by PID (teardown kills
 * it), and waits for its `ready` line (max 10 s).
 * @throws Error when it exits or does not get ready in time (with its output).
 */
export async function startIspGateway(lab: Lab): Promise<LabProcess> {
  const proc = lab.start('nat', 'isp-gateway', process.execPath, [
    '--import',
    'tsx',
    GATEWAY_PATH,
    lab.sites[0]!.addr.routerLan,
    IFACE.routerPub,
  ]);
  await proc.waitForLine((line) => line === 'ready', 10_000);
  return proc;
}
