import { Attr } from '../constants.js';
import { getString } from '../message.js';
import type { AttributeCodec } from './codec.js';

/** A UTF-8 text attribute's codec: `encode` writes the text as it is, `decode` reads the whole value. */
function textCodec(type: number): AttributeCodec<string> {
  return { type, encode: (text) => ({ type, bytes: text }), decode: (msg) => getString(msg, type) };
}

/** USERNAME (RFC 8489 §14.3): the user of the long-term credential (or a TURN REST username). */
export const Username = textCodec(Attr.USERNAME);
/** REALM (RFC 8489 §14.9): the realm of the long-term credential. */
export const Realm = textCodec(Attr.REALM);
/** NONCE (RFC 8489 §14.10): the server's nonce, echoed in every authenticated request. */
export const Nonce = textCodec(Attr.NONCE);
/** SOFTWARE (RFC 8489 §14.14): the agent's name and version. */
export const Software = textCodec(Attr.SOFTWARE);
/**
 * ALTERNATE-DOMAIN (RFC 8489 §14.16): with a 300 Try Alternate over TLS, the name the alternate's
 * certificate is checked against (instead of the original server's).
 */
export const AlternateDomain = textCodec(Attr.ALTERNATE_DOMAIN);
