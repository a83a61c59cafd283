import type { Family } from '../address.js';
import { AddressFamily } from '../address-value.js';
import { Attr } from '../constants.js';
import { findAttribute } from '../message.js';
import type { FixedLengthCodec } from './codec.js';

/**
 * REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): 0x01 (IPv4) or 0x02 (IPv6) in the first of 4 bytes, then 3 RFFU
 * zero bytes. `decode` gives the family, `null` when the first byte names none (or the value is empty: 440 in
 * an Allocate, 443 in a Refresh), undefined when absent.
 */
export const RequestedAddressFamily: FixedLengthCodec<Family, Family | null> = {
  type: Attr.REQUESTED_ADDRESS_FAMILY,
  bytes: 4,
  encode: (family) => ({
    type: Attr.REQUESTED_ADDRESS_FAMILY,
    uint32: ((family === 'IPv6' ? AddressFamily.ipv6 : AddressFamily.ipv4) << 24) >>> 0,
  }),
  decode: (msg) => {
    const v = findAttribute(msg, Attr.REQUESTED_ADDRESS_FAMILY)?.value;
    if (!v) return undefined;
    return v[0] === AddressFamily.ipv4 ? 'IPv4' : v[0] === AddressFamily.ipv6 ? 'IPv6' : null;
  },
};
