import { ErrorCode } from '../../wire/attributes/error-code.js';
import { UnknownAttributes } from '../../wire/attributes/unknown-attributes.js';
import type { AttributeSpec } from '../../wire/build.js';
import { isComprehensionRequired, StunClass } from '../../wire/constants.js';
import type { StunMessage } from '../../wire/message.js';
import { type Answered, encodeResponse } from './encode-response.js';
import type { Dialect } from './handler.js';

/** At most this many types are listed in UNKNOWN-ATTRIBUTES, which bounds the size of a 420 response. */
export const MAX_UNKNOWN_ATTRIBUTES = 16;

/**
 * The comprehension-required attribute types (RFC 8489 §14: 0x0000–0x7FFF) of `msg` that are not in
 * `known`, each once, in wire order, at most {@link MAX_UNKNOWN_ATTRIBUTES}.
 */
export function unknownComprehensionRequired(msg: StunMessage, known: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const a of msg.attributes) {
    if (out.length === MAX_UNKNOWN_ATTRIBUTES) break;
    if (isComprehensionRequired(a.type) && !known.has(a.type) && !out.includes(a.type)) out.push(a.type);
  }
  return out;
}

/**
 * The types an UNKNOWN-ATTRIBUTES lists for a client of `dialect` (RFC 8489 §14.13): `types` as they are;
 * for RFC 3489 clients the count is made even by repeating the last (RFC 3489 §11.2.10).
 */
function unknownListed(types: number[], dialect: Dialect): number[] {
  return dialect.kind === 'rfc3489' && types.length % 2 === 1 ? [...types, types.at(-1)!] : types;
}

/**
 * An error response (RFC 8489 §6.3.4): ERROR-CODE with the standard reason phrase, UNKNOWN-ATTRIBUTES
 * when `unknown` is given (420, RFC 8489 §14.9; RFC 3489 clients get an even count, §11.2.10), and
 * FINGERPRINT for RFC 5389 clients. No SOFTWARE (RFC 8489 §14.14 makes it optional): these answers go to
 * any source address, spoofed or not, and every byte more is a byte more of reflection.
 * @param code 400 (Bad Request) or 420 (Unknown Attribute).
 */
export function errorResponse(
  answered: Answered,
  dialect: Dialect,
  code: 400 | 420,
  unknown: number[] = [],
): Buffer {
  const attributes: AttributeSpec[] = [ErrorCode.encode(code)];
  if (unknown.length > 0) attributes.push(UnknownAttributes.encode(unknownListed(unknown, dialect)));
  return encodeResponse(dialect, answered, StunClass.errorResponse, attributes);
}
