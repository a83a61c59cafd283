import { AddressFamily } from './address-value.js';
import { Attr, PLAIN_ADDRESS_TYPES } from './constants.js';
import type { RawAttribute } from './message.js';

/**
 * Attribute types whose value is a 32-bit number: FINGERPRINT (RFC 8489 §14.7), CHANNEL-NUMBER, LIFETIME,
 * REQUESTED-TRANSPORT (RFC 8656 §18), CHANGE-REQUEST (RFC 5780 §7.2), and the ICE types
 * PRIORITY 0x0024 (RFC 8445 §16.1), NOMINATION 0xC001, NETWORK-INFO 0xC057 and an old draft's
 * RETRANSMIT-COUNT 0xFF00. A value shorter than 4 bytes is malformed.
 */
const UINT32_TYPES: ReadonlySet<number> = new Set([
  Attr.FINGERPRINT,
  Attr.CHANNEL_NUMBER,
  Attr.LIFETIME,
  Attr.REQUESTED_TRANSPORT,
  Attr.CHANGE_REQUEST,
  0x0024,
  0xff00,
  0xc001,
  0xc057,
]);

/**
 * A bit per XOR address attribute type (RFC 8489 §14.2, RFC 8656 §18), to tell the first of each
 * type; 0 for every other type.
 */
function xorAddressBit(type: number): number {
  if (type === Attr.XOR_MAPPED_ADDRESS) return 1;
  if (type === Attr.XOR_PEER_ADDRESS) return 2;
  return type === Attr.XOR_RELAYED_ADDRESS ? 4 : 0;
}

/** Length an address value needs for its family byte: 8 bytes for IPv4 (1), 20 for anything else. */
function addressTooShort(value: Buffer): boolean {
  return value.length < 8 || (value[1] !== AddressFamily.ipv4 && value.length < 20);
}

/** Why an XOR address value is malformed (see {@link attributeValuesProblem}), or `null`. */
function xorAddressProblem(value: Buffer, firstOfType: boolean): string | null {
  if (addressTooShort(value)) return 'address value too short for its family';
  const family = value[1];
  if (firstOfType && family !== AddressFamily.ipv4 && (family !== AddressFamily.ipv6 || value.length !== 20))
    return 'XOR address is neither IPv4 nor 20 bytes of IPv6';
  return null;
}

/** Why a value of another type is malformed (see {@link attributeValuesProblem}), or `null`. */
function valueProblem(type: number, value: Buffer): string | null {
  if (PLAIN_ADDRESS_TYPES.has(type)) {
    if (addressTooShort(value)) return 'address value too short for its family';
    return value.readUInt16BE(2) === 0 ? 'address with port 0' : null;
  }
  if (UINT32_TYPES.has(type) || type === Attr.ERROR_CODE || type === Attr.PASSWORD_ALGORITHM)
    return value.length < 4 ? 'value shorter than 4 bytes' : null;
  if (type === Attr.UNKNOWN_ATTRIBUTES)
    return value.length % 2 !== 0 ? 'odd UNKNOWN-ATTRIBUTES length' : null;
  if (type === Attr.RESPONSE_PORT) return value.length < 2 ? 'RESPONSE-PORT shorter than 2 bytes' : null;
  return null;
}

/**
 * The first malformed attribute value of a message, described, or `null` when every value is acceptable.
 * These are the rules ice-doctor's decoder has always applied (RFC 8489 §14: a malformed attribute makes the
 * message malformed); values are otherwise read lazily by the getters of `message.ts`.
 * - address attributes: at least 8 bytes for family 1, 20 otherwise; a plain one must not have port 0; the
 *   first XOR address of each type must also be exactly IPv4 (family 1) or 20 bytes of IPv6 (family 2),
 *   which is what `getAddress` reads;
 * - 32-bit attributes ({@link UINT32_TYPES}), ERROR-CODE, PASSWORD-ALGORITHM: at least 4 bytes;
 * - UNKNOWN-ATTRIBUTES: a whole number of 16-bit types; RESPONSE-PORT: at least 2 bytes.
 * Every other type, known or not, accepts any value. Linear in the number of attributes.
 */
export function attributeValuesProblem(attributes: readonly RawAttribute[]): string | null {
  let xorSeen = 0;
  for (const { type, value } of attributes) {
    const bit = xorAddressBit(type);
    const problem = bit !== 0 ? xorAddressProblem(value, (xorSeen & bit) === 0) : valueProblem(type, value);
    xorSeen |= bit;
    if (problem) return `attribute 0x${type.toString(16).padStart(4, '0')}: ${problem}`;
  }
  return null;
}
