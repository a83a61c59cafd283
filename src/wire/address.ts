import { isIP } from 'node:net';

/** Address family of a transport address, in Node's spelling. */
export type Family = 'IPv4' | 'IPv6';
/** Transport protocols a STUN/TURN URL can name (RFC 7064/7065). */
export type Transport = 'udp' | 'tcp' | 'tls';

/** An IP address and port: what STUN calls a transport address (RFC 8489 §3). */
export interface TransportAddress {
  address: string;
  port: number;
  family: Family;
}

/**
 * Builds a transport address, deriving the family from the IP literal.
 * @throws TypeError when `address` is not an IPv4 or IPv6 literal or `port` is outside 0–65535.
 */
export function transportAddress(address: string, port: number): TransportAddress {
  const v = isIP(address);
  if (v === 0) throw new TypeError(`not an IP address: ${address}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`not a port: ${port}`);
  return { address, port, family: v === 4 ? 'IPv4' : 'IPv6' };
}

/** `ip:port` for IPv4, `[ip]:port` for IPv6. */
export function formatAddress(a: Pick<TransportAddress, 'address' | 'port'>): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** True when two transport addresses name the same IP and port. */
export function sameAddress(
  a: Pick<TransportAddress, 'address' | 'port'>,
  b: Pick<TransportAddress, 'address' | 'port'>,
): boolean {
  return a.port === b.port && a.address === b.address;
}
