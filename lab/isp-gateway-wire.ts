import { NAT_PMP_OP, NAT_PMP_VERSION } from '../src/client/port-mapping/nat-pmp-codec.js';
import {
  decodePcpAddress,
  encodePcpAddress,
  PCP_MAP_LENGTH,
  PCP_OP_MAP,
  PCP_VERSION,
} from '../src/client/port-mapping/pcp-codec.js';

/**
 * The server side of NAT-PMP (RFC 6886) and PCP (RFC 6887) for the lab's stand-in ISP gateway
 * (`lab/isp-gateway.ts`): request decoders and response encoders. The client side (request encoders,
 * response decoders) is src/client/port-mapping; these reuse its constants and address codec.
 */

/** NAT-PMP opcode 2: map TCP (RFC 6886 §3.3). */
export const NAT_PMP_MAP_TCP = 2;

/** PCP ANNOUNCE opcode (RFC 6887 §14.1). */
export const PCP_OP_ANNOUNCE = 0;

/** A decoded NAT-PMP mapping request (RFC 6886 §3.3): `protocol` 17 (opcode 1) or 6 (opcode 2). */
export interface NatPmpMapRequest {
  readonly protocol: 6 | 17;
  readonly internalPort: number;
  readonly externalPort: number;
  readonly lifetimeS: number;
}

/** Seconds since the gateway's mapping table was initialised, as every response carries it. */
export type EpochS = number;

/** The 8-byte header of a NAT-PMP response: version 0, opcode + 128, result code, epoch (RFC 6886 §3.2). */
function natPmpHeader(length: number, opcode: number, resultCode: number, epochS: EpochS): Buffer {
  const b = Buffer.alloc(length);
  b.writeUInt8(NAT_PMP_VERSION, 0);
  b.writeUInt8(opcode + 128, 1);
  b.writeUInt16BE(resultCode, 2);
  b.writeUInt32BE(epochS, 4);
  return b;
}

/**
 * 12-byte external address response (RFC 6886 §3.2); `externalAddress` dotted IPv4 (0.0.0.0 with an error
 * result when the gateway has no WAN address).
 */
export function encodeNatPmpExternalAddress(
  resultCode: number,
  epochS: EpochS,
  externalAddress: string,
): Buffer {
  const b = natPmpHeader(12, NAT_PMP_OP.externalAddress, resultCode, epochS);
  Buffer.from(externalAddress.split('.').map(Number)).copy(b, 8);
  return b;
}

/** 16-byte mapping response (RFC 6886 §3.3): internal port, mapped external port, granted lifetime in s. */
export function encodeNatPmpMapResponse(
  opcode: number,
  resultCode: number,
  epochS: EpochS,
  mapping: { internalPort: number; externalPort: number; lifetimeS: number },
): Buffer {
  const b = natPmpHeader(16, opcode, resultCode, epochS);
  b.writeUInt16BE(mapping.internalPort, 8);
  b.writeUInt16BE(mapping.externalPort, 10);
  b.writeUInt32BE(mapping.lifetimeS, 12);
  return b;
}

/** The 8-byte answer to an opcode the gateway does not know, with result 5 Unsupported opcode (RFC 6886 §3.5). */
export function encodeNatPmpUnsupportedOpcode(opcode: number, epochS: EpochS): Buffer {
  return natPmpHeader(8, opcode & 0x7f, 5, epochS);
}

/** Decodes a 12-byte NAT-PMP map UDP/TCP request (opcode 1 or 2); null for anything else. */
export function decodeNatPmpMapRequest(b: Buffer): NatPmpMapRequest | null {
  if (b.length < 12 || b.readUInt8(0) !== NAT_PMP_VERSION) return null;
  const op = b.readUInt8(1);
  if (op !== NAT_PMP_OP.mapUdp && op !== NAT_PMP_MAP_TCP) return null;
  return {
    protocol: op === NAT_PMP_OP.mapUdp ? 17 : 6,
    internalPort: b.readUInt16BE(4),
    externalPort: b.readUInt16BE(6),
    lifetimeS: b.readUInt32BE(8),
  };
}

/** A decoded PCP request header (RFC 6887 §7.1) and, for MAP, its payload (§11.1). */
export interface PcpRequest {
  readonly version: number;
  readonly opcode: number;
  readonly lifetimeS: number;
  /** The client's address as it wrote it (dotted IPv4 for IPv4-mapped). */
  readonly clientIp: string;
  /** The request's opcode payload and options, echoed in the response (§7.2). */
  readonly payload: Buffer;
  readonly map: {
    readonly nonce: Buffer;
    readonly protocol: number;
    readonly internalPort: number;
    readonly externalPort: number;
  } | null;
}

/**
 * Decodes a PCP request: null when it must be dropped silently (shorter than 24 bytes, longer than 1100, not
 * a multiple of 4, or the R bit set — RFC 6887 §8.3).
 */
export function decodePcpRequest(b: Buffer): PcpRequest | null {
  if (b.length < 24 || b.length > 1100 || b.length % 4 !== 0) return null;
  const op = b.readUInt8(1);
  if ((op & 0x80) !== 0) return null;
  const map =
    op === PCP_OP_MAP && b.length >= PCP_MAP_LENGTH
      ? {
          nonce: Buffer.from(b.subarray(24, 36)),
          protocol: b.readUInt8(36),
          internalPort: b.readUInt16BE(40),
          externalPort: b.readUInt16BE(42),
        }
      : null;
  return {
    version: b.readUInt8(0),
    opcode: op,
    lifetimeS: b.readUInt32BE(4),
    clientIp: decodePcpAddress(b.subarray(8, 24)),
    payload: Buffer.from(b.subarray(24)),
    map,
  };
}

/**
 * A PCP response (RFC 6887 §7.2): version 2, R bit + opcode, result code, lifetime (s), epoch (s), 12 reserved
 * bytes, then the request's payload; for a MAP, the assigned external port and IPv4 address written over the
 * suggested ones (§11.1).
 */
export function encodePcpResponse(
  req: PcpRequest,
  resultCode: number,
  lifetimeS: number,
  epochS: EpochS,
  assigned: { externalPort: number; externalAddress: string } | null,
): Buffer {
  const b = Buffer.alloc(24 + req.payload.length);
  b.writeUInt8(PCP_VERSION, 0);
  b.writeUInt8(0x80 | req.opcode, 1);
  b.writeUInt8(resultCode, 3);
  b.writeUInt32BE(lifetimeS, 4);
  b.writeUInt32BE(epochS, 8);
  req.payload.copy(b, 24);
  if (assigned && req.map) {
    b.writeUInt16BE(assigned.externalPort, 42);
    encodePcpAddress(assigned.externalAddress).copy(b, 44);
  }
  return b;
}
