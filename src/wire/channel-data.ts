/** Lowest and highest channel numbers a client should bind (RFC 8656 §12). */
export const MIN_CHANNEL = 0x4000;
export const MAX_CHANNEL = 0x4fff;
/**
 * Highest channel number accepted from clients: RFC 5766 §11 allowed 0x4000–0x7FFF, and RFC 5766 clients
 * (coturn's turnutils_uclient, restund) still pick from that range; RFC 8656 reserved 0x5000–0x7FFF for
 * future use without any conflicting assignment, so a server that refused them would break those clients.
 */
export const MAX_CHANNEL_ACCEPTED = 0x7fff;

/** Size of the ChannelData header: channel number and length, 2 bytes each (RFC 8656 §12.4). */
export const CHANNEL_DATA_HEADER_BYTES = 4;

/** A ChannelData message's channel number and application data (a view into the message, not a copy). */
export interface ChannelData {
  channel: number;
  data: Buffer;
}

/**
 * Reads a ChannelData message (RFC 8656 §12.4). Over UDP the datagram may be longer than 4 + length (trailing
 * padding is allowed and ignored); a length that overruns the bytes, or a channel outside 0x4000–0x7FFF
 * ({@link MAX_CHANNEL_ACCEPTED}), is malformed.
 * @returns `null` for a malformed message (to be discarded, §12.6).
 */
export function readChannelData(bytes: Buffer): ChannelData | null {
  if (bytes.length < CHANNEL_DATA_HEADER_BYTES) return null;
  const channel = bytes.readUInt16BE(0);
  const length = bytes.readUInt16BE(2);
  if (channel < MIN_CHANNEL || channel > MAX_CHANNEL_ACCEPTED) return null;
  if (CHANNEL_DATA_HEADER_BYTES + length > bytes.length) return null;
  return { channel, data: bytes.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + length) };
}

/**
 * Encodes a ChannelData message (RFC 8656 §12.4). Over TCP/TLS (`padded`) it is padded to a multiple of 4
 * bytes (§12.5); over UDP it is not.
 * @param data at most 65535 bytes.
 * @throws RangeError when `data` is longer than 65535 bytes or `channel` is outside 0x4000–0x7FFF.
 */
export function encodeChannelData(channel: number, data: Buffer, padded: boolean): Buffer {
  if (channel < MIN_CHANNEL || channel > MAX_CHANNEL_ACCEPTED)
    throw new RangeError(`channel 0x${channel.toString(16)}`);
  if (data.length > 0xffff) throw new RangeError('ChannelData longer than 65535 bytes');
  const pad = padded ? (4 - (data.length % 4)) % 4 : 0;
  const out = Buffer.allocUnsafe(CHANNEL_DATA_HEADER_BYTES + data.length + pad);
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(data.length, 2);
  data.copy(out, CHANNEL_DATA_HEADER_BYTES);
  if (pad > 0) out.fill(0, CHANNEL_DATA_HEADER_BYTES + data.length);
  return out;
}
