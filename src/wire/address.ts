import { type Family, hostPort, ipFamily } from '../shared/address-text.js';

export type { Family } from '../shared/address-text.js';
export type { Transport } from '../shared/ice-url.js';

/** An IP address and port: what STUN calls a transport address (RFC 8489 §3). */
export interface TransportAddress {
  address: string;
  port: number;
  family: Family;
}

/**
 * Builds a transport address, deriving the family from the IP literal (`shared/address-text.ts`).
 * @throws TypeError when `address` is not an IPv4 or IPv6 literal or `port` is outside 0–65535.
 */
export function transportAddress(address: string, port: number): TransportAddress {
  const family = ipFamily(address);
  if (family === null) throw new TypeError(`not an IP address: ${address}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`not a port: ${port}`);
  return { address, port, family };
}

/** `ip:port` for IPv4, `[ip]:port` for IPv6 (`shared/address-text.ts` {@link hostPort}). */
export function formatAddress(a: Pick<TransportAddress, 'address' | 'port'>): string {
  return hostPort(a.address, a.port);
}

/** True when two transport addresses name the same IP and port. */
export function sameAddress(
  a: Pick<TransportAddress, 'address' | 'port'>,
  b: Pick<TransportAddress, 'address' | 'port'>,
): boolean {
  return a.port === b.port && a.address === b.address;
}
