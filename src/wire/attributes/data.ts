import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { AttributeCodec } from './codec.js';

/**
 * DATA (RFC 8656 §18.4): the application payload of a Send or Data indication, as it is. `decode` gives a
 * view into the message, not a copy. (The relay's Data indications are written in one pass by
 * `data-indication.ts`.)
 */
export const Data: AttributeCodec<Buffer> = {
  type: Attr.DATA,
  encode: (payload) => ({ type: Attr.DATA, bytes: payload }),
  decode: (msg) => findAttribute(msg, Attr.DATA)?.value,
};
