import type { TransportAddress } from './address.js';
import { Attr, HEADER_BYTES, MAGIC_COOKIE, messageType, StunClass, StunMethod } from './constants.js';
import { newTransactionId } from './transaction-id.js';
import { writeXorAddress } from './xor-address.js';

/**
 * The most data a Data indication can carry for a peer of each family, in bytes: a STUN message body is at
 * most 65,532 bytes (a 16-bit length that is a multiple of 4, RFC 8489 §5), less XOR-PEER-ADDRESS (12 or
 * 24 bytes) and the DATA attribute's header (4). A UDP datagram over IPv6 can be longer (65,527 bytes):
 * such data can only be relayed on a channel.
 */
export const MAX_DATA_INDICATION_BYTES: Readonly<Record<'IPv4' | 'IPv6', number>> = {
  IPv4: 65_532 - 12 - 4,
  IPv6: 65_532 - 24 - 4,
};

/**
 * Encodes a Data indication (RFC 8656 §11.4): XOR-PEER-ADDRESS and DATA, no MESSAGE-INTEGRITY (indications
 * are not authenticated), a fresh transaction ID. Written directly, without buildMessage, into an unzeroed
 * buffer whose every byte is written (padding included): this is the relay's hot path for peers without a
 * channel.
 * @param data at most {@link MAX_DATA_INDICATION_BYTES} for the peer's family.
 * @throws TypeError when `peer.address` is not an IP literal; RangeError when `data` is longer than that.
 */
export function encodeDataIndication(peer: Pick<TransportAddress, 'address' | 'port'>, data: Buffer): Buffer {
  const addrValue = peer.address.includes(':') ? 20 : 8;
  const pad = (4 - (data.length % 4)) % 4;
  const length = 4 + addrValue + 4 + data.length + pad;
  if (length > 65_532) throw new RangeError(`${data.length} bytes do not fit in a Data indication`);
  const out = Buffer.allocUnsafe(HEADER_BYTES + length);
  out.writeUInt16BE(messageType(StunMethod.data, StunClass.indication), 0);
  out.writeUInt16BE(length, 2);
  out.writeUInt32BE(MAGIC_COOKIE, 4);
  newTransactionId().copy(out, 8);
  let off = HEADER_BYTES;
  out.writeUInt16BE(Attr.XOR_PEER_ADDRESS, off);
  out.writeUInt16BE(addrValue, off + 2);
  writeXorAddress(out, off + 4, peer);
  off += 4 + addrValue;
  out.writeUInt16BE(Attr.DATA, off);
  out.writeUInt16BE(data.length, off + 2);
  data.copy(out, off + 4);
  if (pad > 0) out.fill(0, off + 4 + data.length);
  return out;
}
