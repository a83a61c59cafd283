import type { AttributeSpec } from '../../wire/build.js';
import { buildMessage } from '../../wire/build.js';
import { buildClassicMessage } from '../../wire/classic.js';
import type { StunClass } from '../../wire/constants.js';
import type { Dialect } from './handler.js';

/** The method and transaction ID a response answers. */
export interface Answered {
  method: number;
  /** 12 bytes. */
  transactionId: Buffer;
}

/**
 * Encodes a success or error response in the client's dialect: RFC 5389/8489 responses end with
 * FINGERPRINT (RFC 8489 §14.7); RFC 3489 responses carry none and echo the client's whole 128-bit
 * transaction ID (RFC 8489 §11).
 * @throws TypeError when an attribute value cannot be encoded (a defect, not a client error).
 */
export function encodeResponse(
  dialect: Dialect,
  answered: Answered,
  cls: typeof StunClass.successResponse | typeof StunClass.errorResponse,
  attributes: readonly AttributeSpec[],
): Buffer {
  const { method, transactionId } = answered;
  return dialect.kind === 'rfc3489'
    ? buildClassicMessage({ method, cls, transactionId, attributes }, dialect.idPrefix)
    : buildMessage({ method, cls, transactionId, attributes, fingerprint: true });
}
