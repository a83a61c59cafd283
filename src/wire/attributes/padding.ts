import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { AttributeCodec } from './codec.js';

/**
 * PADDING (RFC 5780 §7.6): zero bytes that make a Binding request (and, asked so, its response) larger,
 * encoded `raw` (after the typed attributes of a message). `encode` takes the number of bytes; `decode`
 * gives the length of the value received.
 */
export const Padding: AttributeCodec<number> = {
  type: Attr.PADDING,
  encode: (bytes) => ({ type: Attr.PADDING, raw: Buffer.alloc(bytes) }),
  decode: (msg) => findAttribute(msg, Attr.PADDING)?.value.length,
};
