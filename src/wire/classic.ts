import type { TransportAddress } from './address.js';
import { addressValueBytes, writePlainAddress } from './address-value.js';
import { type BuildOptions, buildMessage } from './build.js';
import { HEADER_BYTES, MAGIC_COOKIE, messageType, StunClass, StunMethod } from './constants.js';
import { decodeMessage, type StunMessage } from './message.js';

/**
 * RFC 3489 ("classic STUN") attribute types that RFC 8489 retired but classic clients still use or expect
 * (RFC 3489 §11.2).
 */
export const ClassicAttr = {
  SOURCE_ADDRESS: 0x0004,
  CHANGED_ADDRESS: 0x0005,
} as const;

/**
 * A request from an RFC 3489 client. Such a client has no magic cookie: its 128-bit transaction ID covers
 * header bytes 4–19. `message` is decoded as if bytes 4–7 held the cookie, so `message.transactionId` is
 * the ID's last 12 bytes and `idPrefix` its first 4; `message.raw` is that patched copy.
 */
export interface ClassicMessage {
  message: StunMessage;
  /** Header bytes 4–7 as received, big-endian. */
  idPrefix: number;
}

/**
 * True when `buf` is shaped like an RFC 3489 Binding request (RFC 3489 §11.1): type 0x0001, no magic
 * cookie, and a header length that is a multiple of 4 and matches the bytes received.
 */
export function looksLikeClassicBindingRequest(buf: Buffer): boolean {
  return (
    buf.length >= HEADER_BYTES &&
    buf.readUInt16BE(0) === messageType(StunMethod.binding, StunClass.request) &&
    buf.readUInt32BE(4) !== MAGIC_COOKIE &&
    buf.readUInt16BE(2) === buf.length - HEADER_BYTES &&
    buf.length % 4 === 0
  );
}

/**
 * Decodes an RFC 3489 message with the same validation as {@link decodeMessage} (RFC 8489 §5, §14).
 * Attribute values that RFC 8489 XORs with the cookie are not meaningful here; RFC 3489 has none.
 * @throws StunDecodeError when the bytes are not a well-formed message.
 */
export function decodeClassicMessage(buf: Buffer): ClassicMessage {
  const patched = Buffer.from(buf);
  const idPrefix = buf.length >= 8 ? buf.readUInt32BE(4) : 0;
  if (patched.length >= 8) patched.writeUInt32BE(MAGIC_COOKIE, 4);
  return { message: decodeMessage(patched), idPrefix };
}

/**
 * The value bytes of a plain (non-XOR) address attribute (RFC 8489 §14.1, RFC 3489 §11.2.1): reserved
 * byte, family (1 = IPv4, 2 = IPv6), port, 4 or 16 address bytes. For SOURCE-ADDRESS and CHANGED-ADDRESS,
 * passed to `buildMessage` as `raw`.
 * @throws TypeError when the address is not an IP literal or the port is out of range.
 */
export function plainAddressValue(a: Pick<TransportAddress, 'address' | 'port'>): Buffer {
  const out = Buffer.allocUnsafe(addressValueBytes(a));
  writePlainAddress(out, 0, a);
  return out;
}

/**
 * Encodes a message for an RFC 3489 client (RFC 8489 §11): {@link buildMessage} without FINGERPRINT, then
 * header bytes 4–7 set to the request's `idPrefix` so the client sees its whole 128-bit ID echoed.
 * Only plain address attributes make sense here (XOR-* values would be XORed with the wrong bytes).
 * @throws TypeError as {@link buildMessage} does.
 */
export function buildClassicMessage(opts: Omit<BuildOptions, 'fingerprint'>, idPrefix: number): Buffer {
  const out = buildMessage({ ...opts, fingerprint: false });
  out.writeUInt32BE(idPrefix >>> 0, 4);
  return out;
}
