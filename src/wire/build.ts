import type { TransportAddress } from './address.js';
import { addressValueBytes, writeAddressValue } from './address-value.js';
import { HEADER_BYTES, MAGIC_COOKIE, messageType, type StunClass, XOR_ADDRESS_TYPES } from './constants.js';
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
 * `raw` value bytes written as they are (RESPONSE-PORT, UNKNOWN-ATTRIBUTES, RESERVATION-TOKEN ...).
 * Typed attributes come first, each type at most once; raw ones follow, in order. Each attribute's spec is
 * made by its codec's `encode` in `attributes/` (the one place that knows its value); tests write
 * malformed values as `raw`.
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
  attributes?: readonly AttributeSpec[];
  /** Key for MESSAGE-INTEGRITY (see `shortTermKey` / `longTermKey`). */
  integrityKey?: Buffer;
  integrityAlgorithm?: IntegrityAlgorithm;
  fingerprint?: boolean;
}

/** Most bytes of attributes a message can carry: the 16-bit header length, a multiple of 4 (RFC 8489 §5). */
export const MAX_ATTRIBUTES_BYTES = 0xfffc;

/** Longest ERROR-CODE reason phrase, in characters, plus one (RFC 8489 §14.8: fewer than 128). */
const MAX_REASON_CHARS = 128;

type RawSpec = Extract<AttributeSpec, { raw: Buffer }>;
type AddressSpec = Extract<AttributeSpec, { address: unknown }>;
type Uint32Spec = Extract<AttributeSpec, { uint32: number }>;
type BytesSpec = Extract<AttributeSpec, { bytes: unknown }>;
type ErrorSpec = Extract<AttributeSpec, { error: unknown }>;

/** Which kind of {@link AttributeSpec} an attribute is, told once per attribute (their shapes differ). */
const Kind = { raw: 0, address: 1, uint32: 2, bytes: 3, error: 4 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

function kindOf(a: AttributeSpec): Kind {
  if ('raw' in a) return Kind.raw;
  if ('address' in a) return Kind.address;
  if ('uint32' in a) return Kind.uint32;
  return 'bytes' in a ? Kind.bytes : Kind.error;
}

/**
 * The value length of one attribute, after checking it can be encoded.
 * @throws TypeError for a bad address or port, a number that is not a 32-bit unsigned integer, an error code
 *   outside 300–699 or a reason of 128 characters or more, a value longer than 65,535 bytes.
 */
function valueBytes(a: AttributeSpec, kind: Kind): number {
  let n: number;
  if (kind === Kind.raw) n = (a as RawSpec).raw.length;
  else if (kind === Kind.address) n = addressValueBytes((a as AddressSpec).address);
  else if (kind === Kind.uint32) {
    const v = (a as Uint32Spec).uint32;
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      throw new TypeError(`attribute 0x${a.type.toString(16)}: ${v} is not a 32-bit unsigned integer`);
    n = 4;
  } else if (kind === Kind.bytes) {
    const v = (a as BytesSpec).bytes;
    n = typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
  } else {
    const { code, reason } = (a as ErrorSpec).error;
    if (!Number.isInteger(code) || code < 300 || code > 699)
      throw new TypeError(`error code ${code} is not 300–699`);
    if (reason.length >= MAX_REASON_CHARS) throw new TypeError('reason phrase of 128 characters or more');
    n = 4 + Buffer.byteLength(reason, 'utf8');
  }
  if (n > 0xffff) throw new TypeError(`attribute 0x${a.type.toString(16)} value longer than 65,535 bytes`);
  return n;
}

/** Writes one attribute's value (whose length `valueBytes` gave) at `offset`; the header must be in place. */
function writeValue(out: Buffer, offset: number, a: AttributeSpec, kind: Kind): void {
  if (kind === Kind.raw) (a as RawSpec).raw.copy(out, offset);
  else if (kind === Kind.address)
    writeAddressValue(out, offset, (a as AddressSpec).address, XOR_ADDRESS_TYPES.has(a.type));
  else if (kind === Kind.uint32) out.writeUInt32BE((a as Uint32Spec).uint32, offset);
  else if (kind === Kind.bytes) {
    const v = (a as BytesSpec).bytes;
    if (typeof v === 'string') out.write(v, offset, 'utf8');
    else v.copy(out, offset);
  } else {
    const { code, reason } = (a as ErrorSpec).error;
    out[offset] = 0;
    out[offset + 1] = 0;
    out[offset + 2] = Math.trunc(code / 100);
    out[offset + 3] = code % 100;
    out.write(reason, offset + 4, 'utf8');
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
  const count = attributes.length;
  const types: number[] = [];
  const kinds: Kind[] = [];
  const lengths: number[] = [];
  let body = 0;
  let rawSeen = false;
  for (let i = 0; i < count; i++) {
    const a = attributes[i]!;
    const type = a.type;
    const kind = kindOf(a);
    if (kind === Kind.raw) rawSeen = true;
    else if (rawSeen) throw new TypeError('typed attributes must come before raw ones');
    else if (types.includes(type))
      throw new TypeError(`attribute 0x${type.toString(16)} rejected (duplicate)`);
    const n = valueBytes(a, kind);
    types.push(type);
    kinds.push(kind);
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
  for (let i = 0; i < count; i++) {
    const n = lengths[i]!;
    out.writeUInt16BE(types[i]!, off);
    out.writeUInt16BE(n, off + 2);
    writeValue(out, off + 4, attributes[i]!, kinds[i]!);
    off += 4 + n;
    while (off % 4 !== 0) out[off++] = 0;
  }
  if (integrityKey) writeIntegrity(out, integrityAt, integrityKey, integrityAlgorithm);
  if (opts.fingerprint) writeFingerprint(out, fingerprintAt);
  return out;
}
