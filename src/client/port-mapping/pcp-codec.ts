import { isIPv4 } from 'node:net';

/**
 * PCP wire format (RFC 6887): the common request/response headers (§7.1, §7.2) and the MAP opcode (§11.1).
 * Clients send to the default gateway's UDP port 5351; integers are big-endian; IPv4 addresses travel as
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`, §5).
 */

/** PCP version (RFC 6887 §7.1). */
export const PCP_VERSION = 2;

/** MAP opcode (RFC 6887 §11.1). */
export const PCP_OP_MAP = 1;

/** IANA protocol number of UDP, the protocol of the test mapping. */
export const IPPROTO_UDP = 17;

/** Result codes in words (RFC 6887 §7.4). */
export const PCP_RESULT: Readonly<Record<number, string>> = {
  0: 'SUCCESS',
  1: 'UNSUPP_VERSION',
  2: 'NOT_AUTHORIZED',
  3: 'MALFORMED_REQUEST',
  4: 'UNSUPP_OPCODE',
  5: 'UNSUPP_OPTION',
  6: 'MALFORMED_OPTION',
  7: 'NETWORK_FAILURE',
  8: 'NO_RESOURCES',
  9: 'UNSUPP_PROTOCOL',
  10: 'USER_EX_QUOTA',
  11: 'CANNOT_PROVIDE_EXTERNAL',
  12: 'ADDRESS_MISMATCH',
  13: 'EXCESSIVE_REMOTE_PEERS',
};

/** Length of a MAP request and of a MAP response without options: 24-byte header + 36-byte payload. */
export const PCP_MAP_LENGTH = 60;

/**
 * The 16-byte address field of an IPv4 address: IPv4-mapped IPv6 `::ffff:a.b.c.d` (RFC 6887 §5). The probe
 * discovers only IPv4 gateways (`/proc/net/route`), so only IPv4 is encoded.
 * @throws TypeError when `ip` is not an IPv4 address.
 */
export function encodePcpAddress(ip: string): Buffer {
  if (!isIPv4(ip)) throw new TypeError(`not an IPv4 address: ${ip}`);
  const b = Buffer.alloc(16);
  b.writeUInt16BE(0xffff, 10);
  Buffer.from(ip.split('.').map(Number)).copy(b, 12);
  return b;
}

/** The address field in text: dotted IPv4 for an IPv4-mapped address, else the 8 IPv6 groups in hex (uncompressed). */
export function decodePcpAddress(b: Buffer): string {
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b.readUInt16BE(10) === 0xffff;
  if (mapped) return [...b.subarray(12, 16)].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** What a MAP request asks for (RFC 6887 §11.1). */
export interface PcpMapRequest {
  /** 12 random bytes; the response must echo them, and a delete must repeat them (§11.1, §15). */
  readonly nonce: Buffer;
  /** The client's own IPv4 address as the gateway should see it. */
  readonly clientIp: string;
  readonly internalPort: number;
  /** Suggested external port; 0 = any. */
  readonly externalPort: number;
  /** Requested lifetime in seconds; 0 deletes the mapping (§15). */
  readonly lifetimeS: number;
  /** Suggested external IP; `0.0.0.0` = any (sent as `::ffff:0.0.0.0`). */
  readonly externalIp?: string;
}

/**
 * Encodes a 60-byte MAP request for UDP (RFC 6887 §7.1 header: version 2, R=0 + opcode 1, 2 reserved,
 * lifetime, client IP; §11.1 payload: nonce, protocol 17, 3 reserved, internal port, suggested external
 * port, suggested external IP).
 * @throws RangeError when the nonce is not 12 bytes or a number is out of range.
 */
export function encodeMapRequest(r: PcpMapRequest): Buffer {
  if (r.nonce.length !== 12) throw new RangeError('PCP nonce must be 12 bytes');
  const b = Buffer.alloc(PCP_MAP_LENGTH);
  b.writeUInt8(PCP_VERSION, 0);
  b.writeUInt8(PCP_OP_MAP, 1);
  b.writeUInt32BE(r.lifetimeS, 4);
  encodePcpAddress(r.clientIp).copy(b, 8);
  r.nonce.copy(b, 24);
  b.writeUInt8(IPPROTO_UDP, 36);
  b.writeUInt16BE(r.internalPort, 40);
  b.writeUInt16BE(r.externalPort, 42);
  encodePcpAddress(r.externalIp ?? '0.0.0.0').copy(b, 44);
  return b;
}

/** A decoded PCP response (RFC 6887 §7.2) with the MAP payload when present and complete. */
export interface PcpResponse {
  readonly opcode: number;
  readonly resultCode: number;
  /** Granted lifetime in seconds (on errors: how long the error is valid). */
  readonly lifetimeS: number;
  /** Server epoch in seconds. */
  readonly epochS: number;
  readonly map: {
    readonly nonce: Buffer;
    readonly protocol: number;
    readonly internalPort: number;
    readonly externalPort: number;
    readonly externalAddress: string;
  } | null;
}

/**
 * Decodes a PCP response: null when the datagram is not a version-2 response (R bit unset, shorter than the
 * 24-byte header). A NAT-PMP-only gateway answers version 2 with a version-0 UNSUPP_VERSION packet: that
 * is not a PCP response (see {@link isNatPmpUnsupportedVersion}).
 */
export function decodePcpResponse(b: Buffer): PcpResponse | null {
  if (b.length < 24 || b.readUInt8(0) !== PCP_VERSION) return null;
  const op = b.readUInt8(1);
  if ((op & 0x80) === 0) return null;
  const opcode = op & 0x7f;
  const map =
    opcode === PCP_OP_MAP && b.length >= PCP_MAP_LENGTH
      ? {
          nonce: Buffer.from(b.subarray(24, 36)),
          protocol: b.readUInt8(36),
          internalPort: b.readUInt16BE(40),
          externalPort: b.readUInt16BE(42),
          externalAddress: decodePcpAddress(b.subarray(44, 60)),
        }
      : null;
  return { opcode, resultCode: b.readUInt8(3), lifetimeS: b.readUInt32BE(4), epochS: b.readUInt32BE(8), map };
}

/**
 * True for the answer of a NAT-PMP-only gateway to a PCP request (RFC 6887 §9): version 0, response bit set,
 * result code 1 (Unsupported Version).
 */
export function isNatPmpUnsupportedVersion(b: Buffer): boolean {
  return b.length >= 4 && b.readUInt8(0) === 0 && (b.readUInt8(1) & 0x80) !== 0 && b.readUInt16BE(2) === 1;
}

/** `7 (NETWORK_FAILURE)` style text for a result code. */
export function pcpResultText(code: number): string {
  return `${code} (${PCP_RESULT[code] ?? 'unknown result'})`;
}
