import codec from '@msimerson/stun';
import { type TransportAddress, transportAddress } from './address.js';
import { Attr, HEADER_BYTES, messageType, type StunClass } from './constants.js';
import { appendFingerprint, appendIntegrity, type IntegrityAlgorithm } from './integrity.js';

/**
 * One attribute to encode. `address` is for MAPPED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS,
 * ALTERNATE-SERVER and the XOR-* types (the codec applies the XOR by type); `uint32`, `bytes`, `error`
 * are the codec's value kinds; `raw` is written verbatim by ice-doctor (types the codec lacks or encodes
 * differently from the RFC, e.g. RESPONSE-PORT, REQUESTED-ADDRESS-FAMILY).
 */
export type AttributeSpec =
  | { type: number; address: Pick<TransportAddress, 'address' | 'port'> }
  | { type: number; uint32: number }
  | { type: number; bytes: Buffer | string }
  | { type: number; error: { code: number; reason: string } }
  | { type: number; raw: Buffer };

/** What to build: method + class, a 12-byte transaction ID, attributes, and optional integrity/fingerprint. */
export interface BuildOptions {
  method: number;
  cls: StunClass;
  transactionId: Buffer;
  attributes?: AttributeSpec[];
  /** Key for MESSAGE-INTEGRITY (see `shortTermKey` / `longTermKey`). */
  integrityKey?: Buffer;
  integrityAlgorithm?: IntegrityAlgorithm;
  fingerprint?: boolean;
}

function rawAttribute(type: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const out = Buffer.alloc(4 + value.length + pad);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

/**
 * Encodes a STUN message (RFC 8489 §5): typed attributes through the codec, raw ones appended in order,
 * then MESSAGE-INTEGRITY and FINGERPRINT computed over the final bytes (§14.5, §14.7).
 * @throws TypeError when the transaction ID is not 12 bytes, an address is not an IP literal or its port is
 *   outside 0–65535, or the codec rejects an attribute value.
 */
export function buildMessage(opts: BuildOptions): Buffer {
  if (opts.transactionId.length !== 12) throw new TypeError('transaction ID must be 12 bytes');
  const type = messageType(opts.method, opts.cls);
  const msg = codec.createMessage(type, opts.transactionId);
  const parts: Buffer[] = [];
  let viaCodec = true;
  for (const a of opts.attributes ?? []) {
    if ('raw' in a) {
      viaCodec = false;
      parts.push(rawAttribute(a.type, a.raw));
      continue;
    }
    if (!viaCodec) throw new TypeError('typed attributes must come before raw ones');
    // The codec silently keeps port 0 for a bad port and fails later with a plain Error for a bad IP.
    if ('address' in a) transportAddress(a.address.address, a.address.port);
    const added =
      'address' in a
        ? msg.addAttribute(a.type, a.address.address, a.address.port)
        : 'uint32' in a
          ? msg.addAttribute(a.type, a.uint32)
          : 'bytes' in a
            ? msg.addAttribute(a.type, a.bytes)
            : msg.addAttribute(a.type, a.error.code, a.error.reason);
    if (!added) throw new TypeError(`attribute 0x${a.type.toString(16)} rejected (duplicate or bad value)`);
  }
  let out: Buffer = Buffer.concat([msg.toBuffer(), ...parts]);
  out.writeUInt16BE(out.length - HEADER_BYTES, 2);
  if (opts.integrityKey) out = appendIntegrity(out, opts.integrityKey, opts.integrityAlgorithm);
  if (opts.fingerprint) out = appendFingerprint(out);
  return out;
}

/** RESPONSE-PORT value bytes (RFC 5780 §7.5): the port, then 2 bytes of padding inside the value. */
export function responsePortValue(port: number): Buffer {
  const v = Buffer.alloc(4);
  v.writeUInt16BE(port, 0);
  return v;
}

/** CHANGE-REQUEST value (RFC 5780 §7.2) as the 32-bit number to encode. */
export function changeRequestValue(changeIp: boolean, changePort: boolean): number {
  return (changeIp ? 0x04 : 0) | (changePort ? 0x02 : 0);
}

/** A CHANGE-REQUEST attribute (RFC 5780 §7.2) asking the server to answer from its other IP and/or port. */
export function changeRequestAttribute(changeIp: boolean, changePort: boolean): AttributeSpec {
  return { type: Attr.CHANGE_REQUEST, uint32: changeRequestValue(changeIp, changePort) };
}

/** A RESPONSE-PORT attribute (RFC 5780 §7.5), written raw because the codec encodes it 2 bytes long. */
export function responsePortAttribute(port: number): AttributeSpec {
  return { type: Attr.RESPONSE_PORT, raw: responsePortValue(port) };
}
