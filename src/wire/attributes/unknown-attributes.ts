import { Attr } from '../constants.js';
import { findAttribute, getUnknownAttributes } from '../message.js';
import type { AttributeCodec } from './codec.js';

/**
 * UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): the attribute types a 420 response did not understand, 16 bits each,
 * encoded `raw` (after the typed attributes of a message). `encode` writes the list as given (an RFC 3489
 * client wants an even count, §11.2.10: the caller repeats the last type); `decode` gives the list.
 */
export const UnknownAttributes: AttributeCodec<readonly number[]> = {
  type: Attr.UNKNOWN_ATTRIBUTES,
  encode: (types) => {
    const value = Buffer.alloc(types.length * 2);
    for (const [i, t] of types.entries()) value.writeUInt16BE(t, i * 2);
    return { type: Attr.UNKNOWN_ATTRIBUTES, raw: value };
  },
  decode: (msg) => (findAttribute(msg, Attr.UNKNOWN_ATTRIBUTES) ? getUnknownAttributes(msg) : undefined),
};
