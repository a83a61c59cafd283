import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { FixedLengthCodec } from './codec.js';

/** The R bit of EVEN-PORT: reserve the next higher port too (RFC 8656 §18.7). */
const RESERVE_NEXT = 0x80;

/**
 * EVEN-PORT (RFC 8656 §18.7): one byte whose top bit R asks the server to reserve the next higher port as
 * well. The value is 1 byte (padded to 4 on the wire). `encode` takes R; `decode` gives R, read from the
 * first byte (false for an empty value, which `hasWrongLength` (codec.ts) refuses).
 */
export const EvenPort: FixedLengthCodec<boolean> = {
  type: Attr.EVEN_PORT,
  bytes: 1,
  encode: (reserveNext) => ({ type: Attr.EVEN_PORT, raw: Buffer.from([reserveNext ? RESERVE_NEXT : 0]) }),
  decode: (msg) => {
    const v = findAttribute(msg, Attr.EVEN_PORT)?.value;
    return v ? ((v[0] ?? 0) & RESERVE_NEXT) !== 0 : undefined;
  },
};
