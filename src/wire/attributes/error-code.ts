import { Attr, ERROR_REASONS } from '../constants.js';
import { getErrorCode, type StunErrorCode } from '../message.js';
import type { AttributeCodec } from './codec.js';

/**
 * ERROR-CODE (RFC 8489 §14.8): `encode` takes a code ice-doctor sends and writes it with its standard reason
 * phrase ({@link ERROR_REASONS}), throwing TypeError for a code without one; `decode` gives the code (class ×
 * 100 + number) and the reason as sent.
 */
export const ErrorCode: AttributeCodec<number, StunErrorCode> = {
  type: Attr.ERROR_CODE,
  encode: (code) => {
    const reason = ERROR_REASONS.get(code);
    if (reason === undefined) throw new TypeError(`no reason phrase for error code ${code}`);
    return { type: Attr.ERROR_CODE, error: { code, reason } };
  },
  decode: getErrorCode,
};
