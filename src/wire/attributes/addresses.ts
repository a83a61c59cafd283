import type { TransportAddress } from '../address.js';
import { readPlainAddress } from '../address-value.js';
import { ClassicAttr, plainAddressValue } from '../classic.js';
import { Attr } from '../constants.js';
import { findAttribute, getAddress } from '../message.js';
import type { AttributeCodec } from './codec.js';

/** An address attribute's codec: encodes an IP literal and port, decodes to a transport address. */
export type AddressCodec = AttributeCodec<Pick<TransportAddress, 'address' | 'port'>, TransportAddress>;

/**
 * The codec of an address attribute that `buildMessage` and `getAddress` know: plain (RFC 8489 §14.1) or
 * XORed by type (§14.2). `encode` throws TypeError for an address that is not an IP literal or a port
 * outside 0–65535; `decode` is as lenient as `getAddress` (undefined for a malformed value).
 */
function addressCodec(type: number): AddressCodec {
  return { type, encode: (address) => ({ type, address }), decode: (msg) => getAddress(msg, type) };
}

/**
 * The codec of an RFC 3489 address attribute (RFC 3489 §11.2.1), plain and encoded `raw` (after the
 * typed attributes of a message): `getAddress` does not know these types.
 */
function classicAddressCodec(type: number): AddressCodec {
  return {
    type,
    encode: (address) => ({ type, raw: plainAddressValue(address) }),
    decode: (msg) => {
      const v = findAttribute(msg, type)?.value;
      return v ? (readPlainAddress(v) ?? undefined) : undefined;
    },
  };
}

/** MAPPED-ADDRESS (RFC 8489 §14.1): the client's reflexive transport address, plain (RFC 3489 servers). */
export const MappedAddress = addressCodec(Attr.MAPPED_ADDRESS);
/** XOR-MAPPED-ADDRESS (RFC 8489 §14.2): the client's reflexive transport address, XORed. */
export const XorMappedAddress = addressCodec(Attr.XOR_MAPPED_ADDRESS);
/** XOR-RELAYED-ADDRESS (RFC 8656 §18.5): the relayed transport address of an allocation, XORed. */
export const XorRelayedAddress = addressCodec(Attr.XOR_RELAYED_ADDRESS);
/** RESPONSE-ORIGIN (RFC 5780 §7.3): the transport address a Binding response was sent from. */
export const ResponseOrigin = addressCodec(Attr.RESPONSE_ORIGIN);
/** OTHER-ADDRESS (RFC 5780 §7.4): the server's transport address differing in both IP and port. */
export const OtherAddress = addressCodec(Attr.OTHER_ADDRESS);
/** ALTERNATE-SERVER (RFC 8489 §14.15): where a 300 (Try Alternate) sends the client. */
export const AlternateServer = addressCodec(Attr.ALTERNATE_SERVER);
/** SOURCE-ADDRESS (RFC 3489 §11.2.5): the transport address a classic Binding response was sent from. */
export const SourceAddress = classicAddressCodec(ClassicAttr.SOURCE_ADDRESS);
/** CHANGED-ADDRESS (RFC 3489 §11.2.4): the classic server's transport address differing in IP and port. */
export const ChangedAddress = classicAddressCodec(ClassicAttr.CHANGED_ADDRESS);
