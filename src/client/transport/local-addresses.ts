import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { TransportAddress } from '../../wire/address.js';

/** Every IP address configured on this host's interfaces (IPv4 and IPv6), to recognise "no NAT". */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address);
}

/**
 * The local IP the kernel would use to reach `to` (a connected UDP socket's address; nothing is sent).
 * @returns null when there is no route.
 */
export async function localAddressToward(to: TransportAddress): Promise<string | null> {
  const socket = createSocket(to.family === 'IPv6' ? 'udp6' : 'udp4');
  try {
    return await new Promise<string | null>((resolve) => {
      socket.once('error', () => resolve(null));
      socket.connect(to.port, to.address, () => resolve(socket.address().address));
    });
  } finally {
    socket.close();
  }
}
