import { isIPv4, isIPv6 } from 'node:net';
import type { TransportAddress } from './address.js';
import { MAGIC_COOKIE } from './constants.js';

/** Writes the 4 bytes of a dotted-quad IPv4 literal (already validated) at `offset`. */
export function writeIPv4(text: string, out: Buffer, offset: number): void {
  let octet = 0;
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      out[at++] = octet;
      octet = 0;
    } else octet = octet * 10 + (c - 0x30);
  }
  out[at] = octet;
}

/** The 16-bit groups of one side of an IPv6 literal's `::` (a trailing dotted IPv4 counts as two). */
function ipv6Groups(part: string): number[] {
  if (part === '') return [];
  const groups: number[] = [];
  for (const g of part.split(':')) {
    if (g.includes('.')) {
      const v4 = Buffer.alloc(4);
      writeIPv4(g, v4, 0);
      groups.push(v4.readUInt16BE(0), v4.readUInt16BE(2));
    } else groups.push(Number.parseInt(g, 16));
  }
  return groups;
}

/**
 * The 4 or 16 bytes of an IP literal, or `null` when it is not one. IPv6 in any textual form (compressed,
 * embedded dotted IPv4) is accepted; an IPv6 literal with a zone (`fe80::1%eth0`) has no XOR-ADDRESS form
 * and is `null` too. Parsed by hand after `node:net`'s validation (no URL parser: this runs on the relay's
 * Data-indication path).
 */
export function ipBytes(address: string): Buffer | null {
  if (isIPv4(address)) {
    const out = Buffer.allocUnsafe(4);
    writeIPv4(address, out, 0);
    return out;
  }
  if (!isIPv6(address) || address.includes('%')) return null;
  const gap = address.indexOf('::');
  const left = ipv6Groups(gap >= 0 ? address.slice(0, gap) : address);
  const right = gap >= 0 ? ipv6Groups(address.slice(gap + 2)) : [];
  const out = Buffer.alloc(16);
  left.forEach((g, i) => {
    out.writeUInt16BE(g, i * 2);
  });
  right.forEach((g, i) => {
    out.writeUInt16BE(g, 16 - (right.length - i) * 2);
  });
  return out;
}

/**
 * The text of an IPv6 address given as 8 groups, as the WHATWG URL serializer writes it (which is what
 * ice-doctor has always printed): lowercase hex without leading zeros, the first longest run of two or more
 * zero groups written `::`, no dotted IPv4 part (RFC 5952 §4.2 without its §5 mixed notation).
 */
export function ipv6Text(groups: readonly number[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      text += i === 0 ? '::' : ':';
      i += bestLength - 1;
      continue;
    }
    text += groups[i]!.toString(16);
    if (i !== 7) text += ':';
  }
  return text;
}

/**
 * Writes an XOR-*-ADDRESS value (RFC 8489 §14.2) at `offset` of `message`, whose header (cookie and
 * transaction ID, bytes 4–19) must already be in place: family, port XOR the cookie's top 16 bits, address
 * XOR the cookie (IPv4) or cookie + transaction ID (IPv6). An IPv4 address is written straight into the
 * message (no intermediate buffer: this runs once per Data indication).
 * @returns the value's length: 8 (IPv4) or 20 (IPv6).
 * @throws TypeError when `address` is not an IP literal (nothing is written then).
 */
export function writeXorAddress(
  message: Buffer,
  offset: number,
  peer: Pick<TransportAddress, 'address' | 'port'>,
): number {
  const v4 = isIPv4(peer.address);
  const ip = v4 ? null : ipBytes(peer.address);
  if (!v4 && !ip) throw new TypeError(`not an IP address: ${peer.address}`);
  if (ip) ip.copy(message, offset + 4);
  else writeIPv4(peer.address, message, offset + 4);
  const size = v4 ? 4 : 16;
  message[offset] = 0;
  message[offset + 1] = v4 ? 0x01 : 0x02;
  message.writeUInt16BE(peer.port ^ (MAGIC_COOKIE >>> 16), offset + 2);
  for (let i = 0; i < size; i++) message[offset + 4 + i] = message[offset + 4 + i]! ^ message[4 + i]!;
  return 4 + size;
}

/**
 * Reads an XOR-*-ADDRESS value (RFC 8489 §14.2) given the message header it came in (bytes 0–19).
 * @returns `null` when the value is malformed: a length other than 8 (IPv4) or 20 (IPv6), or an unknown family.
 */
export function readXorAddress(value: Buffer, header: Buffer): TransportAddress | null {
  const family = value.length >= 2 ? value[1] : undefined;
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (size === 0 || value.length !== 4 + size) return null;
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  if (size === 4) {
    const b = (i: number): number => value[4 + i]! ^ header[4 + i]!;
    return { address: `${b(0)}.${b(1)}.${b(2)}.${b(3)}`, port, family: 'IPv4' };
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(((value[4 + i]! ^ header[4 + i]!) << 8) | (value[5 + i]! ^ header[5 + i]!));
  }
  return { address: ipv6Text(groups), port, family: 'IPv6' };
}
