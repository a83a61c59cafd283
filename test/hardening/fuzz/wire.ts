import type { TransportAddress } from '../../../src/wire/address.js';
import { HEADER_BYTES, MAGIC_COOKIE, messageType, StunClass } from '../../../src/wire/constants.js';
import { writeXorAddress } from '../../../src/wire/xor-address.js';

/**
 * One attribute TLV as it goes on the wire (RFC 8489 §14): type, length, value, then zero padding to a
 * multiple of 4 bytes unless `padded` is false. `length` overrides the length field (a lie, for fuzzing).
 */
export function attribute(
  type: number,
  value: Buffer,
  opts: { padded?: boolean; length?: number } = {},
): Buffer {
  const pad = opts.padded === false ? 0 : (4 - (value.length % 4)) % 4;
  const out = Buffer.alloc(4 + value.length + pad);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(opts.length ?? value.length, 2);
  value.copy(out, 4);
  return out;
}

/**
 * A STUN message (RFC 8489 §5): the 20-byte header then `body`. The header's length field is the body's
 * size unless `length` says otherwise (a lie); `cookie` replaces the magic cookie (RFC 3489 clients have
 * none).
 * @param tid 12 bytes.
 */
export function stunMessage(
  type: number,
  tid: Buffer,
  body: Buffer,
  opts: { length?: number; cookie?: number } = {},
): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + body.length);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(opts.length ?? body.length, 2);
  out.writeUInt32BE((opts.cookie ?? MAGIC_COOKIE) >>> 0, 4);
  tid.copy(out, 8);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** The message type of a request of `method` (RFC 8489 §5). */
export function requestType(method: number): number {
  return messageType(method, StunClass.request);
}

/** A ChannelData message (RFC 8656 §12.4) with any channel number and length field, unpadded. */
export function channelDataBytes(channel: number, data: Buffer, length = data.length): Buffer {
  const out = Buffer.alloc(4 + data.length);
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(length, 2);
  data.copy(out, 4);
  return out;
}

/** Sets the header length field of `msg` to the bytes after its header (attributes appended by hand). */
export function fixLength(msg: Buffer): Buffer {
  msg.writeUInt16BE(msg.length - HEADER_BYTES, 2);
  return msg;
}

/** The value of an XOR-PEER-ADDRESS (RFC 8489 §14.2) for `peer` in a message with transaction ID `tid`. */
export function xorAddressValue(peer: Pick<TransportAddress, 'address' | 'port'>, tid: Buffer): Buffer {
  const scratch = stunMessage(0, tid, Buffer.alloc(20));
  const length = writeXorAddress(scratch, HEADER_BYTES, peer);
  return scratch.subarray(HEADER_BYTES, HEADER_BYTES + length);
}
