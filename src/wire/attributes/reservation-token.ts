import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { FixedLengthCodec } from './codec.js';

/**
 * RESERVATION-TOKEN (RFC 8656 §18.10): 8 opaque bytes naming a relay port the server holds for a later
 * Allocate. Encoded `raw` (after the typed attributes of a message, see `buildMessage`); `decode` gives the
 * value as it arrived (a view into the message).
 */
export const ReservationToken: FixedLengthCodec<Buffer> = {
  type: Attr.RESERVATION_TOKEN,
  bytes: 8,
  encode: (token) => ({ type: Attr.RESERVATION_TOKEN, raw: token }),
  decode: (msg) => findAttribute(msg, Attr.RESERVATION_TOKEN)?.value,
};
