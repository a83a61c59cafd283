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

function withLength(head: Buffer, attrBytes: number): Buffer {
  const copy = Buffer.from(head);
  copy.writeUInt16BE(head.length - HEADER_BYTES + attrBytes, 2);
  return copy;
}

/**
 * Appends MESSAGE-INTEGRITY (or -SHA256) to an encoded message whose header length is correct, fixing the
 * header length first as RFC 8489 §14.5 requires. Must come before FINGERPRINT.
 * @returns a new buffer.
 */
export function appendIntegrity(msg: Buffer, key: Buffer, alg: IntegrityAlgorithm = 'sha1'): Buffer {
  const size = MI_BYTES[alg];
  const hmac = createHmac(alg, key)
    .update(withLength(msg, 4 + size))
    .digest();
  const attr = Buffer.alloc(4 + size);
  attr.writeUInt16BE(MI_TYPE[alg], 0);
  attr.writeUInt16BE(size, 2);
  hmac.copy(attr, 4);
  return withLength(Buffer.concat([msg, attr]), 0);
}

/** Appends FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to it, XOR 0x5354554e. Must be last. */
export function appendFingerprint(msg: Buffer): Buffer {
  const crc = (crc32(withLength(msg, 8)) ^ FINGERPRINT_XOR) >>> 0;
  const attr = Buffer.alloc(8);
  attr.writeUInt16BE(Attr.FINGERPRINT, 0);
  attr.writeUInt16BE(4, 2);
  attr.writeUInt32BE(crc, 4);
  return withLength(Buffer.concat([msg, attr]), 0);
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
