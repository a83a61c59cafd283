import type { AttributeSpec } from '../stun/build.js';
import { buildMessage } from '../stun/build.js';
import { Attr, ERROR_REASONS, StunClass } from '../stun/constants.js';
import type { StunMessage } from '../stun/message.js';
import type { Authenticated } from './auth.js';

/** The error codes a TURN server sends (see {@link ERROR_REASONS}). */
export type TurnErrorCode = 400 | 401 | 403 | 420 | 437 | 438 | 440 | 441 | 442 | 443 | 486 | 508;

function typedFirst(attrs: AttributeSpec[]): AttributeSpec[] {
  return [...attrs.filter((a) => !('raw' in a)), ...attrs.filter((a) => 'raw' in a)];
}

/**
 * Encodes a TURN success response: `attrs`, SOFTWARE, then MESSAGE-INTEGRITY (or -SHA256, as the request
 * used) with the requester's long-term key (RFC 8489 §9.2.4: every response to an authenticated request
 * carries it; libwebrtc discards one without), then FINGERPRINT.
 */
export function turnSuccess(
  request: StunMessage,
  auth: Authenticated,
  attrs: AttributeSpec[],
  software: string,
): Buffer {
  const all = software ? [...attrs, { type: Attr.SOFTWARE, bytes: software }] : attrs;
  return buildMessage({
    method: request.method,
    cls: StunClass.successResponse,
    transactionId: request.transactionId,
    attributes: typedFirst(all),
    integrityKey: auth.key,
    integrityAlgorithm: auth.integrity,
    fingerprint: true,
  });
}

/**
 * Encodes a TURN error response: ERROR-CODE with its reason phrase, `attrs` (e.g. REALM and NONCE of a 401,
 * UNKNOWN-ATTRIBUTES of a 420), SOFTWARE, MESSAGE-INTEGRITY when the request was authenticated (`auth`), and
 * FINGERPRINT (RFC 8489 §6.3.4, §9.2.4).
 */
export function turnError(
  request: StunMessage,
  code: TurnErrorCode,
  auth: Authenticated | null,
  attrs: AttributeSpec[],
  software: string,
): Buffer {
  const all: AttributeSpec[] = [
    { type: Attr.ERROR_CODE, error: { code, reason: ERROR_REASONS.get(code)! } },
    ...attrs,
  ];
  if (software) all.push({ type: Attr.SOFTWARE, bytes: software });
  return buildMessage({
    method: request.method,
    cls: StunClass.errorResponse,
    transactionId: request.transactionId,
    attributes: typedFirst(all),
    ...(auth && { integrityKey: auth.key, integrityAlgorithm: auth.integrity }),
    fingerprint: true,
  });
}
