import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Attr, FINGERPRINT_XOR, HEADER_BYTES } from './constants.js';
import { findAttribute, type StunMessage } from './message.js';

/** HMAC algorithm of a MESSAGE-INTEGRITY attribute: SHA-1 (RFC 8489 §14.5) or SHA-256 (§14.6). */
export type IntegrityAlgorithm = 'sha1' | 'sha256';

const MI_BYTES: Record<IntegrityAlgorithm, number> = { sha1: 20, sha256: 32 };
const MI_TYPE: Record<IntegrityAlgorithm, number> = {
  sha1: Attr.MESSAGE_INTEGRITY,
  sha256: Attr.MESSAGE_INTEGRITY_SHA256,
};

/** Short-term credential key (RFC 8489 §9.1.2): the password's UTF-8 bytes. */
export function shortTermKey(password: string): Buffer {
  return Buffer.from(password, 'utf8');
}

/**
 * Long-term credential key (RFC 8489 §9.2.2): MD5 or SHA-256 of `username ":" realm ":" password`.
 * OpaqueString (RFC 8265) preparation is not applied: ASCII credentials, the common case, are unaffected.
 * @returns 16 bytes (MD5) or 32 bytes (SHA-256).
 */
export function longTermKey(
  username: string,
  realm: string,
  password: string,
  hash: 'md5' | 'sha256' = 'md5',
): Buffer {
  return createHash(hash).update(`${username}:${realm}:${password}`, 'utf8').digest();
}

/** Bytes of a FINGERPRINT attribute: header and the 32-bit CRC (RFC 8489 §14.7). */
export const FINGERPRINT_ATTRIBUTE_BYTES = 8;

/** Bytes of a MESSAGE-INTEGRITY (24) or MESSAGE-INTEGRITY-SHA256 (36) attribute, header included. */
export function integrityAttributeBytes(alg: IntegrityAlgorithm): number {
  return 4 + MI_BYTES[alg];
}

/**
 * Writes MESSAGE-INTEGRITY (or -SHA256) at `offset` of `out`, a message whose bytes before `offset` are final:
 * the header length is set to end with this attribute, then the HMAC is taken over `out[0, offset)` (RFC 8489
 * §14.5–14.6). `out` must have {@link integrityAttributeBytes} bytes of room at `offset`.
 */
export function writeIntegrity(out: Buffer, offset: number, key: Buffer, alg: IntegrityAlgorithm): void {
  const size = MI_BYTES[alg];
  out.writeUInt16BE(offset - HEADER_BYTES + 4 + size, 2);
  const hmac = createHmac(alg, key).update(out.subarray(0, offset)).digest();
  out.writeUInt16BE(MI_TYPE[alg], offset);
  out.writeUInt16BE(size, offset + 2);
  hmac.copy(out, offset + 4);
}

/**
 * Writes FINGERPRINT at `offset` of `out`, the last attribute (RFC 8489 §14.7): the header length is set to
 * end with it, then the CRC-32 of `out[0, offset)` XOR 0x5354554e. `out` must have 8 bytes of room there.
 */
export function writeFingerprint(out: Buffer, offset: number): void {
  out.writeUInt16BE(offset - HEADER_BYTES + FINGERPRINT_ATTRIBUTE_BYTES, 2);
  const crc = (crc32(out.subarray(0, offset)) ^ FINGERPRINT_XOR) >>> 0;
  out.writeUInt16BE(Attr.FINGERPRINT, offset);
  out.writeUInt16BE(4, offset + 2);
  out.writeUInt32BE(crc, offset + 4);
}

/** `msg` copied into a buffer `extra` bytes longer. */
function withRoom(msg: Buffer, extra: number): Buffer {
  const out = Buffer.allocUnsafe(msg.length + extra);
  msg.copy(out, 0);
  return out;
}

/**
 * Appends MESSAGE-INTEGRITY (or -SHA256) to an encoded message, fixing the header length first as RFC 8489
 * §14.5 requires. Must come before FINGERPRINT.
 * @returns a new buffer.
 */
export function appendIntegrity(msg: Buffer, key: Buffer, alg: IntegrityAlgorithm = 'sha1'): Buffer {
  const out = withRoom(msg, integrityAttributeBytes(alg));
  writeIntegrity(out, msg.length, key, alg);
  return out;
}

/**
 * Appends FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to it, XOR 0x5354554e. Must be last.
 * @returns a new buffer.
 */
export function appendFingerprint(msg: Buffer): Buffer {
  const out = withRoom(msg, FINGERPRINT_ATTRIBUTE_BYTES);
  writeFingerprint(out, msg.length);
  return out;
}

/**
 * Checks MESSAGE-INTEGRITY (or -SHA256, which may be truncated to 16–32 bytes in steps of 4) over the bytes as
 * received (RFC 8489 §14.5–14.6); a value of any other length is `'invalid'`.
 * @returns `'absent'` when the message has no such attribute, else whether the HMAC matches.
 */
export function verifyIntegrity(
  msg: StunMessage,
  key: Buffer,
  alg: IntegrityAlgorithm = 'sha1',
): 'valid' | 'invalid' | 'absent' {
  const mi = findAttribute(msg, MI_TYPE[alg]);
  if (!mi) return 'absent';
  const expected = mi.value;
  const badLength =
    alg === 'sha1'
      ? expected.length !== 20
      : expected.length < 16 || expected.length > 32 || expected.length % 4 !== 0;
  if (badLength) return 'invalid';
  const head = Buffer.from(msg.raw.subarray(0, mi.offset));
  head.writeUInt16BE(mi.offset - HEADER_BYTES + 4 + expected.length, 2);
  const computed = createHmac(alg, key).update(head).digest().subarray(0, expected.length);
  return timingSafeEqual(computed, expected) ? 'valid' : 'invalid';
}

/**
 * Checks FINGERPRINT (RFC 8489 §14.7) over the bytes as received; it must be the last attribute.
 * @returns `'absent'` when there is none, else whether the CRC matches and it is last.
 */
export function verifyFingerprint(msg: StunMessage): 'valid' | 'invalid' | 'absent' {
  const fp = findAttribute(msg, Attr.FINGERPRINT);
  if (!fp) return 'absent';
  if (fp.value.length !== 4 || fp.offset + 8 !== msg.raw.length) return 'invalid';
  const crc = (crc32(msg.raw.subarray(0, fp.offset)) ^ FINGERPRINT_XOR) >>> 0;
  return crc === fp.value.readUInt32BE(0) ? 'valid' : 'invalid';
}
