import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { FixedLengthCodec } from './codec.js';

/**
 * RESPONSE-PORT (RFC 5780 §7.5): the port the Binding response is to be sent to, as 16 bits followed by
 * 2 bytes of padding inside the 4-byte value; encoded `raw` (after the typed attributes of a message).
 * `encode` throws RangeError for a port outside 0–65535; `decode` reads the first 16 bits.
 */
export const ResponsePort: FixedLengthCodec<number> = {
  type: Attr.RESPONSE_PORT,
  bytes: 4,
  encode: (port) => {
    const value = Buffer.alloc(4);
    value.writeUInt16BE(port, 0);
    return { type: Attr.RESPONSE_PORT, raw: value };
  },
  decode: (msg) => {
    const v = findAttribute(msg, Attr.RESPONSE_PORT)?.value;
    return v && v.length >= 2 ? v.readUInt16BE(0) : undefined;
  },
};
