import { Attr } from '../constants.js';
import { getUint32 } from '../message.js';
import type { FixedLengthCodec } from './codec.js';

/**
 * LIFETIME (RFC 8656 §18.2): an allocation's lifetime in seconds, a 32-bit number in a 4-byte value
 * (`buildMessage` throws TypeError for a number that is not a 32-bit unsigned integer). `decode` reads the
 * first 4 bytes; a longer value is caught by `hasWrongLength` (codec.ts) where the server refuses it.
 */
export const Lifetime: FixedLengthCodec<number> = {
  type: Attr.LIFETIME,
  bytes: 4,
  encode: (seconds) => ({ type: Attr.LIFETIME, uint32: seconds }),
  decode: (msg) => getUint32(msg, Attr.LIFETIME),
};
