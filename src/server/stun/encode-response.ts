import type { AttributeSpec } from '../../wire/build.js';
import { buildMessage } from '../../wire/build.js';
import { buildClassicMessage } from '../../wire/classic.js';
import type { StunClass } from '../../wire/constants.js';
import type { IntegrityAlgorithm } from '../../wire/integrity.js';
import type { Dialect } from './handler.js';

/** The method and transaction ID a response answers. */
export interface Answered {
  method: number;
  /** 12 bytes. */
  transactionId: Buffer;
}

/** The long-term key and algorithm a response's MESSAGE-INTEGRITY is computed with (RFC 8489 §9.2.4). */
export interface ResponseSigner {
  key: Buffer;
  integrity: IntegrityAlgorithm;
}

/** The dialect of every TURN response: TURN clients use the magic cookie (RFC 8656 §2). */
export const RFC5389: Dialect = Object.freeze({ kind: 'rfc5389' });

/**
 * Encodes a success or error response, the one encoder of the STUN and TURN servers' responses: in the
 * client's dialect, with MESSAGE-INTEGRITY (or -SHA256) when `signer` is given (an authenticated TURN
 * request, RFC 8489 §9.2.4). RFC 5389/8489 responses end with FINGERPRINT (RFC 8489 §14.7); RFC 3489
 * responses carry none and echo the client's whole 128-bit transaction ID (RFC 8489 §11).
 * @throws TypeError when an attribute value cannot be encoded (a defect, not a client error).
 */
export function encodeResponse(
  dialect: Dialect,
  answered: Answered,
  cls: typeof StunClass.successResponse | typeof StunClass.errorResponse,
  attributes: readonly AttributeSpec[],
  signer?: ResponseSigner,
): Buffer {
  const { method, transactionId } = answered;
  const integrity = signer && { integrityKey: signer.key, integrityAlgorithm: signer.integrity };
  return dialect.kind === 'rfc3489'
    ? buildClassicMessage({ method, cls, transactionId, attributes, ...integrity }, dialect.idPrefix)
    : buildMessage({ method, cls, transactionId, attributes, ...integrity, fingerprint: true });
}
