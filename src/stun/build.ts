import type { TransportAddress } from './address.js';
import { addressValueBytes, writeAddressValue } from './address-value.js';
import { Attr, HEADER_BYTES, MAGIC_COOKIE, messageType, type StunClass } from './constants.js';
import {
  FINGERPRINT_ATTRIBUTE_BYTES,
  type IntegrityAlgorithm,
  integrityAttributeBytes,
  writeFingerprint,
  writeIntegrity,
} from './integrity.js';

/**
 * One attribute to encode. `address` is for MAPPED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS,
 * ALTERNATE-SERVER and the XOR-* types (XORed by type, RFC 8489 §14.2); `uint32` a 32-bit number; `bytes` a
 * byte string or UTF-8 text (USERNAME, REALM, NONCE, SOFTWARE, DATA ...); `error` an ERROR-CODE (§14.8);
 * `raw` value bytes written as they are (RESPONSE-PORT, REQUESTED-ADDRESS-FAMILY, UNKNOWN-ATTRIBUTES ...).
 * Typed attributes come first, each type at most once; raw ones follow, in order.
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

/** Most bytes of attributes a message can carry: the 16-bit header length, a multiple of 4 (RFC 8489 §5). */
export const MAX_ATTRIBUTES_BYTES = 0xfffc;

/** Longest ERROR-CODE reason phrase, in characters, plus one (RFC 8489 §14.8: fewer than 128). */
const MAX_REASON_CHARS = 128;

function isXorAddressType(type: number): boolean {
  return (
    type === Attr.XOR_MAPPED_ADDRESS || type === Attr.XOR_PEER_ADDRESS || type === Attr.XOR_RELAYED_ADDRESS
  );
}

/**
 * The value length of one attribute, after checking it can be encoded.
 * @throws TypeError for a bad address or port, a number that is not a 32-bit unsigned integer, an error code
 *   outside 300–699 or a reason of 128 characters or more, a value longer than 65,535 bytes.
 */
function valueBytes(a: AttributeSpec): number {
  let n: number;
  if ('raw' in a) n = a.raw.length;
  else if ('address' in a) n = addressValueBytes(a.address);
  else if ('uint32' in a) {
    if (!Number.isInteger(a.uint32) || a.uint32 < 0 || a.uint32 > 0xffffffff)
      throw new TypeError(`attribute 0x${a.type.toString(16)}: ${a.uint32} is not a 32-bit unsigned integer`);
    n = 4;
  } else if ('bytes' in a)
    n = typeof a.bytes === 'string' ? Buffer.byteLength(a.bytes, 'utf8') : a.bytes.length;
  else {
    const { code, reason } = a.error;
    if (!Number.isInteger(code) || code < 300 || code > 699)
      throw new TypeError(`error code ${code} is not 300–699`);
    if (reason.length >= MAX_REASON_CHARS) throw new TypeError('reason phrase of 128 characters or more');
    n = 4 + Buffer.byteLength(reason, 'utf8');
  }
  if (n > 0xffff) throw new TypeError(`attribute 0x${a.type.toString(16)} value longer than 65,535 bytes`);
  return n;
}

/** Writes one attribute's value (whose length `valueBytes` gave) at `offset`; the header must be in place. */
function writeValue(out: Buffer, offset: number, a: AttributeSpec): void {
  if ('raw' in a) a.raw.copy(out, offset);
  else if ('address' in a) writeAddressValue(out, offset, a.address, isXorAddressType(a.type));
  else if ('uint32' in a) out.writeUInt32BE(a.uint32, offset);
  else if ('bytes' in a) {
    if (typeof a.bytes === 'string') out.write(a.bytes, offset, 'utf8');
    else a.bytes.copy(out, offset);
  } else {
    const { code, reason } = a.error;
    out[offset] = 0;
    out[offset + 1] = 0;
    out[offset + 2] = Math.trunc(code / 100);
    out[offset + 3] = code % 100;
    out.write(reason, offset + 4, 'utf8');
  }
}

/** Checks the order rules: typed attributes before raw ones, each typed type once. */
function checkOrder(attributes: readonly AttributeSpec[]): void {
  let raw = false;
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i]!;
    if ('raw' in a) {
      raw = true;
      continue;
    }
    if (raw) throw new TypeError('typed attributes must come before raw ones');
    for (let j = 0; j < i; j++)
      if (attributes[j]!.type === a.type)
        throw new TypeError(`attribute 0x${a.type.toString(16)} rejected (duplicate)`);
  }
}

/**
 * Encodes a STUN message (RFC 8489 §5) into one buffer: the header, each attribute as type, length, value
 * and zero padding to a multiple of 4 bytes (§14), then MESSAGE-INTEGRITY (or -SHA256) and FINGERPRINT, each
 * computed over the bytes before it with the header length counting it (§14.5–14.7). Every byte is written.
 * @throws TypeError when the transaction ID is not 12 bytes, an address is not an IP literal or its port is
 *   outside 0–65535, a value cannot be encoded (see the attribute kinds of {@link AttributeSpec}), a typed
 *   attribute follows a raw one or repeats a type, or the attributes exceed {@link MAX_ATTRIBUTES_BYTES}.
 */
export function buildMessage(opts: BuildOptions): Buffer {
  const { transactionId, integrityKey, integrityAlgorithm = 'sha1' } = opts;
  if (transactionId.length !== 12) throw new TypeError('transaction ID must be 12 bytes');
  const attributes = opts.attributes ?? [];
  checkOrder(attributes);
  const lengths: number[] = [];
  let body = 0;
  for (const a of attributes) {
    const n = valueBytes(a);
    lengths.push(n);
    body += 4 + n + ((4 - (n % 4)) % 4);
  }
  const integrityAt = HEADER_BYTES + body;
  if (integrityKey) body += integrityAttributeBytes(integrityAlgorithm);
  const fingerprintAt = HEADER_BYTES + body;
  if (opts.fingerprint) body += FINGERPRINT_ATTRIBUTE_BYTES;
  if (body > MAX_ATTRIBUTES_BYTES) throw new TypeError(`${body} bytes of attributes is too many`);

  const out = Buffer.allocUnsafe(HEADER_BYTES + body);
  out.writeUInt16BE(messageType(opts.method, opts.cls), 0);
  out.writeUInt16BE(body, 2);
  out.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(out, 8);
  let off = HEADER_BYTES;
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i]!;
    const n = lengths[i]!;
    out.writeUInt16BE(a.type, off);
    out.writeUInt16BE(n, off + 2);
    writeValue(out, off + 4, a);
    off += 4 + n;
    while (off % 4 !== 0) out[off++] = 0;
  }
  if (integrityKey) writeIntegrity(out, integrityAt, integrityKey, integrityAlgorithm);
  if (opts.fingerprint) writeFingerprint(out, fingerprintAt);
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

/** A RESPONSE-PORT attribute (RFC 5780 §7.5): raw, as its 4-byte value holds a 16-bit port and padding. */
export function responsePortAttribute(port: number): AttributeSpec {
  return { type: Attr.RESPONSE_PORT, raw: responsePortValue(port) };
}
