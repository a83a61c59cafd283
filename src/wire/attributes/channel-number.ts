import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { FixedLengthCodec } from './codec.js';

/**
 * CHANNEL-NUMBER (RFC 8656 §18.1): the channel number in the first 16 bits of 4 bytes, then 16 RFFU zero
 * bits. `encode` takes the number (0–65535, else TypeError; the range a server accepts is the caller's business, see
 * `channel-data.ts`); `decode` reads the first 16 bits.
 */
export const ChannelNumber: FixedLengthCodec<number> = {
  type: Attr.CHANNEL_NUMBER,
  bytes: 4,
  encode: (channel) => {
    if (!Number.isInteger(channel) || channel < 0 || channel > 0xffff)
      throw new TypeError(`not a 16-bit channel number: ${channel}`);
    return { type: Attr.CHANNEL_NUMBER, uint32: (channel << 16) >>> 0 };
  },
  decode: (msg) => {
    const v = findAttribute(msg, Attr.CHANNEL_NUMBER)?.value;
    return v && v.length >= 2 ? v.readUInt16BE(0) : undefined;
  },
};
