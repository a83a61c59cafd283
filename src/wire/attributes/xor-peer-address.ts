import type { TransportAddress } from '../address.js';
import { Attr } from '../constants.js';
import { getAddress, type StunMessage } from '../message.js';
import { readXorAddress } from '../xor-address.js';
import type { AddressCodec } from './addresses.js';

/**
 * XOR-PEER-ADDRESS (RFC 8656 §18.3): a peer's transport address, XORed as XOR-MAPPED-ADDRESS is (RFC 8489
 * §14.2). `decode` reads the first one as leniently as `getAddress`; {@link peerAddresses} reads them all.
 */
export const XorPeerAddress: AddressCodec = {
  type: Attr.XOR_PEER_ADDRESS,
  encode: (address) => ({ type: Attr.XOR_PEER_ADDRESS, address }),
  decode: (msg) => getAddress(msg, Attr.XOR_PEER_ADDRESS),
};

/**
 * Every XOR-PEER-ADDRESS of a message, in order (CreatePermission may carry several, RFC 8656 §9.1), or
 * `null` when one of them is malformed: a length other than 8 (IPv4) or 20 (IPv6), or an unknown family.
 */
export function peerAddresses(msg: StunMessage): TransportAddress[] | null {
  const out: TransportAddress[] = [];
  for (const a of msg.attributes) {
    if (a.type !== Attr.XOR_PEER_ADDRESS) continue;
    const peer = readXorAddress(a.value, msg.raw);
    if (!peer) return null;
    out.push(peer);
  }
  return out;
}
