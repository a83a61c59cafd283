import { isIPv4, isIPv6 } from 'node:net';
import type { TransportAddress } from './address.js';
import { MAGIC_COOKIE } from './constants.js';

/**
 * The 4 or 16 bytes of an IP literal, or `null` when it is not one. IPv6 in any textual form (compressed,
 * embedded dotted IPv4) is accepted.
 */
export function ipBytes(address: string): Buffer | null {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!isIPv6(address)) return null;
  const text = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return out;
}

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/**
 * Writes an XOR-*-ADDRESS value (RFC 8489 §14.2) at `offset` of `message`, whose header (cookie and
 * transaction ID, bytes 4–19) must already be in place: family, port XOR the cookie's top 16 bits, address
 * XOR the cookie (IPv4) or cookie + transaction ID (IPv6).
 * @returns the value's length: 8 (IPv4) or 20 (IPv6).
 * @throws TypeError when `address` is not an IP literal.
 */
export function writeXorAddress(
  message: Buffer,
  offset: number,
  peer: Pick<TransportAddress, 'address' | 'port'>,
): number {
  const ip = ipBytes(peer.address);
  if (!ip) throw new TypeError(`not an IP address: ${peer.address}`);
  message.writeUInt8(0, offset);
  message.writeUInt8(ip.length === 4 ? 0x01 : 0x02, offset + 1);
  message.writeUInt16BE(peer.port ^ (MAGIC_COOKIE >>> 16), offset + 2);
  for (let i = 0; i < ip.length; i++) message[offset + 4 + i] = ip[i]! ^ message[4 + i]!;
  return 4 + ip.length;
}

/**
 * Reads an XOR-*-ADDRESS value (RFC 8489 §14.2) given the message header it came in (bytes 0–19).
 * @returns `null` when the value is malformed: a length other than 8 (IPv4) or 20 (IPv6), or an unknown family.
 */
export function readXorAddress(value: Buffer, header: Buffer): TransportAddress | null {
  const family = value.length >= 2 ? value[1] : undefined;
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (size === 0 || value.length !== 4 + size) return null;
  const ip = Buffer.alloc(size);
  for (let i = 0; i < size; i++) ip[i] = value[4 + i]! ^ header[4 + i]!;
  return {
    address: ipText(ip),
    port: value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16),
    family: size === 4 ? 'IPv4' : 'IPv6',
  };
}
