import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { FixedLengthCodec } from './codec.js';

/** REQUESTED-TRANSPORT protocol number for UDP (RFC 8656 §18.8: IANA protocol 17), the only one relayed. */
export const UDP_PROTOCOL = 17;

/**
 * REQUESTED-TRANSPORT (RFC 8656 §18.8): the IANA protocol number of the relayed transport in the first of
 * 4 bytes, then 3 RFFU zero bytes. `decode` gives the protocol number (the first byte), undefined when absent
 * or empty. `encode` throws TypeError for a number outside 0–255.
 */
export const RequestedTransport: FixedLengthCodec<number> = {
  type: Attr.REQUESTED_TRANSPORT,
  bytes: 4,
  encode: (protocol) => {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 0xff)
      throw new TypeError(`not a protocol number: ${protocol}`);
    return { type: Attr.REQUESTED_TRANSPORT, uint32: (protocol << 24) >>> 0 };
  },
  decode: (msg) => findAttribute(msg, Attr.REQUESTED_TRANSPORT)?.value[0],
};
