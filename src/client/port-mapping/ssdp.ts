import { createSocket } from 'node:dgram';

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

/**
 * Searches for an IGD:1 or IGD:2 on `gateway`: M-SEARCH unicast to `gateway`:1900 (answered at once, UDA 2.0
 * §1.3.2) and multicast to the SSDP group from `localAddress`'s interface (a multicast search is answered after
 * a random delay of up to MX = 1 s, so alone it would often miss the 250-ms budget). Only answers from
 * `gateway` count: another device's IGD is not the router on the probed path. Resolves with the first
 * answer's LOCATION URL and the time to it (ms), or null after `budgetMs`. Never rejects: a send error is
 * silence.
 */
export async function discoverIgd(
  localAddress: string,
  gateway: string,
  budgetMs: number,
): Promise<{ location: string; rttMs: number } | null> {
  const socket = createSocket('udp4');
  socket.on('error', () => undefined);
  const bound = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(0, localAddress, () => resolve(true));
  });
  if (!bound) {
    socket.close();
    return null;
  }
  const started = performance.now();
  try {
    try {
      socket.setMulticastInterface(localAddress);
      socket.setMulticastTTL(2);
    } catch {
      // No multicast on this interface (EADDRNOTAVAIL, EINVAL): the unicast search still goes out.
    }
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), budgetMs);
      socket.on('message', (datagram, from) => {
        const location = from.address === gateway ? locationOf(datagram) : null;
        if (location === null) return;
        clearTimeout(timer);
        resolve({ location, rttMs: performance.now() - started });
      });
      for (const st of SEARCH_TARGETS) {
        socket.send(mSearch(st, `${gateway}:${SSDP_GROUP.port}`), SSDP_GROUP.port, gateway, () => undefined);
        socket.send(
          mSearch(st, `${SSDP_GROUP.address}:${SSDP_GROUP.port}`),
          SSDP_GROUP.port,
          SSDP_GROUP.address,
          () => undefined,
        );
      }
    });
  } finally {
    socket.close();
  }
}
