import type { Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import type { TransportAddress } from '../../wire/address.js';

/**
 * The visitor's transport address as the report server's own socket saw the connection: the remote
 * address and port of `socket`, with an IPv4-mapped IPv6 prefix (`::ffff:`, RFC 4291 §2.5.5.2) stripped.
 * No proxy header (`X-Forwarded-For`, `Forwarded`) is read: a page behind a proxy shows the proxy.
 * A socket already closed (no remote address) gives `0.0.0.0:0`.
 */
export function visitorAddress(socket: Pick<Socket, 'remoteAddress' | 'remotePort'>): TransportAddress {
  const raw = socket.remoteAddress ?? '0.0.0.0';
  const address = raw.toLowerCase().startsWith('::ffff:') && raw.includes('.') ? raw.slice(7) : raw;
  return { address, port: socket.remotePort ?? 0, family: isIPv6(address) ? 'IPv6' : 'IPv4' };
}
