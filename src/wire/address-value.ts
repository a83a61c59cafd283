import { isIP, isIPv4 } from 'node:net';
import type { TransportAddress } from './address.js';
import { ipBytes, ipv6Text, readXorAddress, writeIPv4, writeXorAddress } from './xor-address.js';

/** Address family numbers of an address attribute's value (RFC 8489 §14.1). */
export const AddressFamily = { ipv4: 0x01, ipv6: 0x02 } as const;

/**
 * The value length of an address attribute (RFC 8489 §14.1–14.2) for `a`: 8 bytes for IPv4, 20 for IPv6.
 * @throws TypeError when `a.address` is not an IPv4 or IPv6 literal (an IPv6 zone, `fe80::1%eth0`, has no
 *   wire form) or `a.port` is not an integer in 0–65535.
 */
export function addressValueBytes(a: Pick<TransportAddress, 'address' | 'port'>): 8 | 20 {
  const { address, port } = a;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`not a port: ${port}`);
  const v = isIP(address);
  if (v === 4) return 8;
  if (v === 6 && !address.includes('%')) return 20;
  throw new TypeError(`not an IP address: ${address}`);
}

/**
 * Writes a plain (non-XOR) address value at `offset` (RFC 8489 §14.1, RFC 3489 §11.2.1): a zero byte, the
 * family, the port, 4 or 16 address bytes. `a` must have passed {@link addressValueBytes}.
 * @returns the value's length: 8 or 20.
 */
export function writePlainAddress(
  out: Buffer,
  offset: number,
  a: Pick<TransportAddress, 'address' | 'port'>,
): number {
  out[offset] = 0;
  out.writeUInt16BE(a.port, offset + 2);
  if (isIPv4(a.address)) {
    out[offset + 1] = AddressFamily.ipv4;
    writeIPv4(a.address, out, offset + 4);
    return 8;
  }
  const ip = ipBytes(a.address);
  if (!ip) throw new TypeError(`not an IP address: ${a.address}`);
  out[offset + 1] = AddressFamily.ipv6;
  ip.copy(out, offset + 4);
  return 20;
}

/**
 * Writes an address value at `offset` of `message`, XORed (RFC 8489 §14.2) when `xor`, whose header must
 * then already be in place. `a` must have passed {@link addressValueBytes}.
 * @returns the value's length: 8 or 20.
 */
export function writeAddressValue(
  message: Buffer,
  offset: number,
  a: Pick<TransportAddress, 'address' | 'port'>,
  xor: boolean,
): number {
  return xor ? writeXorAddress(message, offset, a) : writePlainAddress(message, offset, a);
}

/**
 * Reads a plain address value (RFC 8489 §14.1) as leniently as ice-doctor always has: family 1 is IPv4 from
 * the 4 bytes after the port, any other family is IPv6 from the 16 after it; bytes beyond those are ignored.
 * @returns `null` when the value is too short for its family (8 bytes for IPv4, 20 otherwise).
 */
export function readPlainAddress(value: Buffer): TransportAddress | null {
  if (value.length < 8) return null;
  const port = value.readUInt16BE(2);
  if (value[1] === AddressFamily.ipv4)
    return { address: `${value[4]}.${value[5]}.${value[6]}.${value[7]}`, port, family: 'IPv4' };
  if (value.length < 20) return null;
  const groups: number[] = [];
  for (let i = 4; i < 20; i += 2) groups.push((value[i]! << 8) | value[i + 1]!);
  return { address: ipv6Text(groups), port, family: 'IPv6' };
}

/**
 * Reads an XOR-*-ADDRESS value (RFC 8489 §14.2) given the message header it came in (bytes 0–19): an IPv4
 * value may carry bytes beyond its 8, which are ignored; an IPv6 one must be exactly 20 bytes of family 2.
 * @returns `null` when the value is malformed.
 */
export function readXorAddressLenient(value: Buffer, header: Buffer): TransportAddress | null {
  if (value.length > 8 && value[1] === AddressFamily.ipv4)
    return readXorAddress(value.subarray(0, 8), header);
  return readXorAddress(value, header);
}
