/**
 * NAT-PMP wire format (RFC 6886): requests a client sends to its default gateway's UDP port 5351 and the
 * responses it parses. All integers are big-endian (network order).
 */

/** NAT-PMP version number (RFC 6886 §3.2): always 0. */
export const NAT_PMP_VERSION = 0;

/** Opcode 0: external address request; opcode 1: map UDP (RFC 6886 §3.2, §3.3). */
export const NAT_PMP_OP = { externalAddress: 0, mapUdp: 1 } as const;

/** Result codes in words (RFC 6886 §3.5). */
export const NAT_PMP_RESULT: Readonly<Record<number, string>> = {
  0: 'Success',
  1: 'Unsupported Version',
  2: 'Not Authorized/Refused',
  3: 'Network Failure',
  4: 'Out of resources',
  5: 'Unsupported opcode',
};

/** The 2-byte external address request: version 0, opcode 0 (RFC 6886 §3.2). */
export function encodeExternalAddressRequest(): Buffer {
  return Buffer.from([NAT_PMP_VERSION, NAT_PMP_OP.externalAddress]);
}

/**
 * The 12-byte UDP mapping request (RFC 6886 §3.3): version, opcode 1, 2 reserved bytes, internal port,
 * suggested external port, requested lifetime in seconds. Lifetime 0 with external port 0 deletes the
 * mapping of `internalPort` (§3.4).
 * @throws RangeError when a port is outside 0..65535 or the lifetime outside 0..2^32-1.
 */
export function encodeMapUdpRequest(internalPort: number, externalPort: number, lifetimeS: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(NAT_PMP_VERSION, 0);
  b.writeUInt8(NAT_PMP_OP.mapUdp, 1);
  b.writeUInt16BE(internalPort, 4);
  b.writeUInt16BE(externalPort, 6);
  b.writeUInt32BE(lifetimeS, 8);
  return b;
}

/** Fields every NAT-PMP response starts with (RFC 6886 §3.2): the request opcode + 128, result, epoch (s). */
export interface NatPmpHeader {
  /** The opcode the response answers (the wire byte minus 128). */
  readonly opcode: number;
  readonly resultCode: number;
  /** Seconds since the gateway's port-mapping table was initialised. */
  readonly epochS: number;
}

/** External address response (RFC 6886 §3.2): 12 bytes; `externalAddress` dotted IPv4, null when cut short. */
export interface NatPmpExternalAddress extends NatPmpHeader {
  readonly externalAddress: string | null;
}

/** UDP mapping response (RFC 6886 §3.3): 16 bytes; ports and the granted lifetime in seconds. */
export interface NatPmpMapping extends NatPmpHeader {
  readonly internalPort: number;
  readonly externalPort: number;
  readonly lifetimeS: number;
}

/**
 * Parses a NAT-PMP response header: null when the datagram is not one (shorter than 4 bytes, version not 0,
 * or the response bit 128 unset). A gateway may answer an unsupported request with only these 4 bytes
 * and epoch (8 bytes) — RFC 6886 §3.5 — so the header needs 8 bytes, except the bare 4-byte header of
 * very old gateways, read with epoch 0.
 */
export function decodeNatPmpHeader(b: Buffer): NatPmpHeader | null {
  if (b.length < 4 || b.readUInt8(0) !== NAT_PMP_VERSION) return null;
  const op = b.readUInt8(1);
  if (op < 128) return null;
  return { opcode: op - 128, resultCode: b.readUInt16BE(2), epochS: b.length >= 8 ? b.readUInt32BE(4) : 0 };
}

/** Parses an external address response (opcode 128); null when it is not one or too short. */
export function decodeExternalAddressResponse(b: Buffer): NatPmpExternalAddress | null {
  const h = decodeNatPmpHeader(b);
  if (!h || h.opcode !== NAT_PMP_OP.externalAddress) return null;
  const externalAddress = b.length >= 12 ? [...b.subarray(8, 12)].join('.') : null;
  return { ...h, externalAddress };
}

/** Parses a UDP mapping response (opcode 129); null when it is not one. Short error answers read as 0s. */
export function decodeMapUdpResponse(b: Buffer): NatPmpMapping | null {
  const h = decodeNatPmpHeader(b);
  if (!h || h.opcode !== NAT_PMP_OP.mapUdp) return null;
  if (b.length < 16) return { ...h, internalPort: 0, externalPort: 0, lifetimeS: 0 };
  return {
    ...h,
    internalPort: b.readUInt16BE(8),
    externalPort: b.readUInt16BE(10),
    lifetimeS: b.readUInt32BE(12),
  };
}

/** `3 (Network Failure)` style text for a result code. */
export function natPmpResultText(code: number): string {
  return `${code} (${NAT_PMP_RESULT[code] ?? 'unknown result'})`;
}
