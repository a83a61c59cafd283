import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { relaySendError } from './udp-exchange.js';

/** The SSDP multicast group and port (UPnP Device Architecture 1.1 §1.3.2). */
export const SSDP_GROUP = { address: '239.255.255.250', port: 1900 } as const;

/** The device types searched for: an Internet Gateway Device, version 1 or 2. */
const SEARCH_TARGETS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
] as const;

/** One M-SEARCH request (UDA 1.1 §1.3.2) for device type `st` to `host` (the group, or a device's `ip:1900`). */
export function mSearch(st: string, host: string): Buffer {
  return Buffer.from(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${host}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${st}\r\n\r\n`,
  );
}

/** The LOCATION header of an SSDP search response (`HTTP/1.1 200 OK`), or null when it is not one. */
export function locationOf(datagram: Buffer): string | null {
  const text = datagram.toString('latin1');
  if (!/^HTTP\/1\.[01] 200/i.test(text)) return null;
  const match = /^location:[ \t]*(\S+)[ \t]*$/im.exec(text);
  return match?.[1] ?? null;
}

/** What {@link discoverIgd} found: an IGD's LOCATION and the time to it, or why there is none. */
export type IgdDiscovery =
  | { readonly location: string; readonly rttMs: number }
  | { readonly location: null; readonly refused: boolean };

/** A UDP socket bound to `address` (port 0), connected to `to` when given; null when it cannot be. */
async function udpSocket(address: string, to?: { address: string; port: number }): Promise<Socket | null> {
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  const ready = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(0, address, () => {
      if (to === undefined) resolve(true);
      else socket.connect(to.port, to.address, () => resolve(true));
    });
  });
  if (ready) return socket;
  socket.close();
  return null;
}

/**
 * Searches for an IGD:1 or IGD:2 on `gateway`: one M-SEARCH for IGD:1 unicast to `gateway`:1900 from a socket
 * connected to it (answered at once, UDA 2.0 §1.3.2) and multicast to the SSDP group from `localAddress`'s interface (a
 * multicast search is answered after a random delay of up to MX = 1 s, so alone it would often miss the
 * 250-ms budget). Only answers from `gateway` count: another device's IGD is not the router on the probed
 * path. Ends at once with `refused: true` when the gateway refuses the unicast search (ICMP port unreachable
 * on the connected socket: nothing listens on its port 1900 — no SSDP there, or one that listens only on the
 * group address, which UDA 2.0 does not allow); otherwise resolves with the first answer's LOCATION URL and
 * the time to it (ms), or `refused: false` after `budgetMs`. Never rejects: a send error is silence.
 */
export async function discoverIgd(
  localAddress: string,
  gateway: string,
  budgetMs: number,
): Promise<IgdDiscovery> {
  const unicast = await udpSocket(localAddress, { address: gateway, port: SSDP_GROUP.port });
  const multicast = await udpSocket(localAddress);
  const started = performance.now();
  try {
    try {
      multicast?.setMulticastInterface(localAddress);
      multicast?.setMulticastTTL(2);
    } catch {
      // No multicast on this interface (EADDRNOTAVAIL, EINVAL): the unicast search still goes out.
    }
    return await new Promise<IgdDiscovery>((resolve) => {
      const timer = setTimeout(() => resolve({ location: null, refused: false }), budgetMs);
      const onMessage = (datagram: Buffer, from: RemoteInfo): void => {
        const location = from.address === gateway ? locationOf(datagram) : null;
        if (location === null) return;
        clearTimeout(timer);
        resolve({ location, rttMs: performance.now() - started });
      };
      unicast?.on('message', onMessage);
      unicast?.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ECONNREFUSED') return;
        clearTimeout(timer);
        resolve({ location: null, refused: true });
      });
      multicast?.on('message', onMessage);
      // One unicast search, IGD:1: a device MUST answer searches for every version it supports (UDA 1.1
      // §1.3.2), so an IGD:2 answers it too — and a refusing gateway is asked for one ICMP, not two (its
      // kernel sends 6 at once, then 1 per second).
      if (unicast)
        unicast.send(mSearch(SEARCH_TARGETS[0], `${gateway}:${SSDP_GROUP.port}`), relaySendError(unicast));
      for (const st of SEARCH_TARGETS) {
        multicast?.send(
          mSearch(st, `${SSDP_GROUP.address}:${SSDP_GROUP.port}`),
          SSDP_GROUP.port,
          SSDP_GROUP.address,
          () => undefined,
        );
      }
    });
  } finally {
    unicast?.close();
    multicast?.close();
  }
}
