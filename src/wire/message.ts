import type { TransportAddress } from './address.js';
import { readPlainAddress, readXorAddressLenient } from './address-value.js';
import { attributeValuesProblem } from './attribute-checks.js';
import {
  Attr,
  classOf,
  HEADER_BYTES,
  MAGIC_COOKIE,
  methodOf,
  PLAIN_ADDRESS_TYPES,
  type StunClass,
  XOR_ADDRESS_TYPES,
} from './constants.js';
import { StunDecodeError } from './errors.js';

/** One attribute as it stands on the wire: its type, the offset of its 4-byte header, and its value. */
export interface RawAttribute {
  type: number;
  /** Offset in bytes of the attribute header from the start of the message. */
  offset: number;
  value: Buffer;
}

/**
 * A decoded STUN message (RFC 8489 §5): the header fields, every attribute in wire order, and the exact
 * bytes received, which MESSAGE-INTEGRITY and FINGERPRINT are checked against (never a re-encoding).
 * Attribute values are read from `attributes` when asked for: by each attribute's codec in `attributes/`,
 * which builds on the value-shape getters below (address, 32-bit, text, ERROR-CODE, UNKNOWN-ATTRIBUTES).
 */
export interface StunMessage {
  type: number;
  method: number;
  cls: StunClass;
  /** 12 bytes. */
  transactionId: Buffer;
  attributes: RawAttribute[];
  raw: Buffer;
}

/** ERROR-CODE value (RFC 8489 §14.8). */
export interface StunErrorCode {
  code: number;
  reason: string;
}

/** True when `buf` could be a STUN message: the two top bits are 0 and the magic cookie is present. */
export function looksLikeStun(buf: Buffer): boolean {
  return buf.length >= HEADER_BYTES && (buf[0]! & 0xc0) === 0 && buf.readUInt32BE(4) === MAGIC_COOKIE;
}

/**
 * Longest message decoded, in bytes. A STUN header can announce 65,532 bytes of attributes (65,552 in all,
 * reachable over TCP); ice-doctor has always refused messages past 65,535 bytes, as 'bad-attribute'.
 */
export const MAX_MESSAGE_BYTES = 65_535;

/**
 * Decodes one STUN message. Every length is validated before anything is read, then every attribute value
 * is checked for its type (see {@link attributeValuesProblem}); values are read later, from the raw
 * attributes, by the getters. Any failure is reported as a {@link StunDecodeError}, never another exception.
 * Implements the message structure checks of RFC 8489 §5 and §14 (attribute padding to 4 bytes).
 * Linear in the number of attributes.
 * @param buf exactly one message (a datagram, or one frame cut from a TCP stream).
 * @throws StunDecodeError when the bytes are not a well-formed STUN message.
 */
export function decodeMessage(buf: Buffer): StunMessage {
  if (buf.length < HEADER_BYTES)
    throw new StunDecodeError('short-header', `${buf.length} bytes is shorter than a STUN header`);
  if ((buf[0]! & 0xc0) !== 0)
    throw new StunDecodeError('not-stun', 'the two top bits of a STUN message must be 0');
  if (buf.readUInt32BE(4) !== MAGIC_COOKIE)
    throw new StunDecodeError('no-cookie', 'magic cookie missing (RFC 3489 message?)');
  const length = buf.readUInt16BE(2);
  if (length % 4 !== 0)
    throw new StunDecodeError('bad-length', `message length ${length} is not a multiple of 4`);
  if (length !== buf.length - HEADER_BYTES) {
    throw new StunDecodeError(
      'bad-length',
      `header says ${length} bytes of attributes, ${buf.length - HEADER_BYTES} arrived`,
    );
  }
  const attributes = walkAttributes(buf);
  if (buf.length > MAX_MESSAGE_BYTES)
    throw new StunDecodeError('bad-attribute', `${buf.length} bytes is longer than ${MAX_MESSAGE_BYTES}`);
  const problem = attributeValuesProblem(attributes);
  if (problem) throw new StunDecodeError('bad-attribute', problem);
  const type = buf.readUInt16BE(0);
  return {
    type,
    method: methodOf(type),
    cls: classOf(type),
    transactionId: Buffer.from(buf.subarray(8, HEADER_BYTES)),
    attributes,
    raw: buf,
  };
}

function walkAttributes(buf: Buffer): RawAttribute[] {
  const out: RawAttribute[] = [];
  let off = HEADER_BYTES;
  while (off < buf.length) {
    if (off + 4 > buf.length)
      throw new StunDecodeError('attribute-overrun', `attribute header at ${off} overruns the message`);
    const type = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    const end = off + 4 + len;
    if (end > buf.length)
      throw new StunDecodeError('attribute-overrun', `attribute 0x${type.toString(16)} overruns the message`);
    out.push({ type, offset: off, value: buf.subarray(off + 4, end) });
    off = end + ((4 - (len % 4)) % 4);
  }
  if (off !== buf.length)
    throw new StunDecodeError('attribute-overrun', 'last attribute padding overruns the message');
  return out;
}

/** The first attribute of `type`, or undefined. */
export function findAttribute(msg: StunMessage, type: number): RawAttribute | undefined {
  return msg.attributes.find((a) => a.type === type);
}

/**
 * An address attribute's value (the first of its type): MAPPED-ADDRESS, XOR-MAPPED-ADDRESS (un-XORed),
 * RESPONSE-ORIGIN, OTHER-ADDRESS, ALTERNATE-SERVER, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS (RFC 8489
 * §14.1–14.2, §14.15, RFC 5780 §7.3–7.4, RFC 8656 §18); undefined for other types or when absent.
 */
export function getAddress(msg: StunMessage, type: number): TransportAddress | undefined {
  const v = findAttribute(msg, type)?.value;
  if (!v) return undefined;
  if (XOR_ADDRESS_TYPES.has(type)) return readXorAddressLenient(v, msg.raw) ?? undefined;
  if (PLAIN_ADDRESS_TYPES.has(type)) return readPlainAddress(v) ?? undefined;
  return undefined;
}

/** A 32-bit attribute's value (CHANGE-REQUEST, LIFETIME, CHANNEL-NUMBER, FINGERPRINT ...), or undefined. */
export function getUint32(msg: StunMessage, type: number): number | undefined {
  const v = findAttribute(msg, type)?.value;
  return v && v.length >= 4 ? v.readUInt32BE(0) : undefined;
}

/** A UTF-8 string attribute (USERNAME, REALM, NONCE, SOFTWARE), or undefined. */
export function getString(msg: StunMessage, type: number): string | undefined {
  return findAttribute(msg, type)?.value.toString('utf8');
}

/** ERROR-CODE (RFC 8489 §14.8): class × 100 + number, and the reason phrase. */
export function getErrorCode(msg: StunMessage): StunErrorCode | undefined {
  const v = findAttribute(msg, Attr.ERROR_CODE)?.value;
  if (!v || v.length < 4) return undefined;
  return { code: (v[2]! & 0x07) * 100 + v[3]!, reason: v.subarray(4).toString('utf8') };
}

/** UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): the attribute types the peer did not understand ([] when absent). */
export function getUnknownAttributes(msg: StunMessage): number[] {
  const v = findAttribute(msg, Attr.UNKNOWN_ATTRIBUTES)?.value;
  const out: number[] = [];
  if (v) for (let i = 0; i + 2 <= v.length; i += 2) out.push(v.readUInt16BE(i));
  return out;
}
