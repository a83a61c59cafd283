import type { AttributeSpec } from '../../wire/build.js';
import { Attr, ERROR_REASONS, isComprehensionRequired, StunClass } from '../../wire/constants.js';
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
 * The UNKNOWN-ATTRIBUTES value (RFC 8489 §14.9): each type as 16 bits; for RFC 3489 clients the count is
 * made even by repeating the last (RFC 3489 §11.2.10).
 */
export function unknownAttributesValue(types: number[], dialect: Dialect): Buffer {
  const list = dialect.kind === 'rfc3489' && types.length % 2 === 1 ? [...types, types.at(-1)!] : types;
  const value = Buffer.alloc(list.length * 2);
  for (const [i, t] of list.entries()) value.writeUInt16BE(t, i * 2);
  return value;
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
  const typed: AttributeSpec[] = [
    { type: Attr.ERROR_CODE, error: { code, reason: ERROR_REASONS.get(code)! } },
  ];
  if (unknown.length > 0)
    typed.push({ type: Attr.UNKNOWN_ATTRIBUTES, raw: unknownAttributesValue(unknown, dialect) });
  return encodeResponse(dialect, answered, StunClass.errorResponse, typed);
}
