import { ErrorCode } from '../../wire/attributes/error-code.js';
import { Software } from '../../wire/attributes/texts.js';
import type { AttributeSpec } from '../../wire/build.js';
import { buildMessage } from '../../wire/build.js';
import { StunClass } from '../../wire/constants.js';
import { FINGERPRINT_ATTRIBUTE_BYTES, writeFingerprint } from '../../wire/integrity.js';
import type { StunMessage } from '../../wire/message.js';
import { encodeResponse, RFC5389 } from '../stun/encode-response.js';
import type { Authenticated } from './auth/authenticate.js';

/** The error codes a TURN server sends (each has its reason phrase in ERROR_REASONS, constants.ts). */
export type TurnErrorCode = 300 | 400 | 401 | 403 | 420 | 437 | 438 | 440 | 441 | 442 | 443 | 486 | 508;

/**
 * `attrs` then SOFTWARE (when not ''), typed attributes before raw ones (the order `buildMessage` takes),
 * each group in the order given.
 */
function withSoftware(attrs: readonly AttributeSpec[], software: string): AttributeSpec[] {
  const typed: AttributeSpec[] = [];
  const raw: AttributeSpec[] = [];
  for (const a of attrs) ('raw' in a ? raw : typed).push(a);
  if (software) typed.push(Software.encode(software));
  return typed.concat(raw);
}

/**
 * Encodes a TURN success response: `attrs`, SOFTWARE, then MESSAGE-INTEGRITY (or -SHA256, as the request
 * used) with the requester's long-term key (RFC 8489 §9.2.4: every response to an authenticated request
 * carries it; libwebrtc discards one without), then FINGERPRINT.
 */
export function turnSuccess(
  request: StunMessage,
  auth: Authenticated,
  attrs: readonly AttributeSpec[],
  software: string,
): Buffer {
  return encodeResponse(RFC5389, request, StunClass.successResponse, withSoftware(attrs, software), auth);
}

/** ERROR-CODE with its reason phrase, then `attrs` and SOFTWARE (when not ''): an error response's attributes. */
function errorAttributes(
  code: TurnErrorCode,
  attrs: readonly AttributeSpec[],
  software: string,
): AttributeSpec[] {
  return withSoftware([ErrorCode.encode(code), ...attrs], software);
}

const ZERO_TRANSACTION_ID = Buffer.alloc(12);

/**
 * Unauthenticated error responses already encoded, without their transaction ID and FINGERPRINT: by
 * attribute list, for frozen lists only (immutable, so the list itself identifies its encoding: the
 * authenticator hands out one frozen challenge per nonce), then by method and code. An entry lives as long
 * as its list.
 */
const unauthenticated = new WeakMap<readonly AttributeSpec[], Map<string, Buffer>>();

/** The encoding of an unauthenticated error response with a zero transaction ID and no FINGERPRINT. */
function unauthenticatedTemplate(
  method: number,
  code: TurnErrorCode,
  attrs: readonly AttributeSpec[],
): Buffer {
  let byReply = unauthenticated.get(attrs);
  if (!byReply) {
    byReply = new Map();
    unauthenticated.set(attrs, byReply);
  }
  const key = `${method} ${code}`;
  let template = byReply.get(key);
  if (!template) {
    const encoded = buildMessage({
      method,
      cls: StunClass.errorResponse,
      transactionId: ZERO_TRANSACTION_ID,
      attributes: errorAttributes(code, attrs, ''),
    });
    // Memory of its own: a slice of the shared buffer pool would keep a whole 8 KiB pool chunk alive.
    template = Buffer.allocUnsafeSlow(encoded.length);
    encoded.copy(template);
    byReply.set(key, template);
  }
  return template;
}

/**
 * Encodes a TURN error response: ERROR-CODE with its reason phrase, `attrs` (e.g. REALM and NONCE of a 401,
 * UNKNOWN-ATTRIBUTES of a 420), then, when the request was authenticated (`auth`), SOFTWARE and
 * MESSAGE-INTEGRITY, and FINGERPRINT (RFC 8489 §6.3.4, §9.2.4). An unauthenticated error response (401,
 * 438, and any other sent before authentication) carries no SOFTWARE: anyone can ask for it from a spoofed
 * source, and SOFTWARE would only raise its reflection factor (coturn's `--no-software-attribute`). Without
 * `auth` and with a frozen `attrs` (the authenticator's 401 and 438 challenges), the response is copied
 * from an encoding kept for that list, with the request's transaction ID and a new FINGERPRINT: the same
 * bytes, without encoding REALM, NONCE and the rest again.
 * @param software SOFTWARE value ('' for none), sent only with `auth`.
 */
export function turnError(
  request: StunMessage,
  code: TurnErrorCode,
  auth: Authenticated | null,
  attrs: readonly AttributeSpec[],
  software: string,
): Buffer {
  if (!auth && Object.isFrozen(attrs)) {
    const template = unauthenticatedTemplate(request.method, code, attrs);
    const out = Buffer.allocUnsafe(template.length + FINGERPRINT_ATTRIBUTE_BYTES);
    template.copy(out);
    request.transactionId.copy(out, 8);
    writeFingerprint(out, template.length);
    return out;
  }
  const attributes = errorAttributes(code, attrs, auth ? software : '');
  return encodeResponse(RFC5389, request, StunClass.errorResponse, attributes, auth ?? undefined);
}
