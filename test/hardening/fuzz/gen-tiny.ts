import type { Prng } from './prng.js';

/**
 * Who sends a 0–3-byte datagram, and where:
 * - `channel-peer`: the peer bound to the allocation's channel, to the relay port (relayed to the client as
 *   ChannelData, RFC 8656 §12.7);
 * - `permitted-peer`: another port on the permitted IP, to the relay port (relayed as a Data indication,
 *   §11.3);
 * - `stranger`: a peer on an IP without a permission, to the relay port (discarded, §9);
 * - `client`: the allocation's client, to the server port (too short for STUN or ChannelData: discarded);
 * - `fresh`: a socket without an allocation, to the server port (discarded).
 */
export type TinySender = 'channel-peer' | 'permitted-peer' | 'stranger' | 'client' | 'fresh';

/** One 0–3-byte datagram and its sender. */
export interface TinyDatagram {
  from: TinySender;
  bytes: Buffer;
}

const SENDERS: readonly TinySender[] = [
  'channel-peer',
  'channel-peer',
  'permitted-peer',
  'stranger',
  'client',
  'client',
  'fresh',
];

/** A 0–3-byte datagram (a quarter of each length), first byte often 0x40–0x7F (ChannelData's first bits). */
export function tinyDatagram(rng: Prng): TinyDatagram {
  const bytes = rng.bytes(rng.int(0, 3));
  if (bytes.length > 0 && rng.chance(0.5)) bytes[0] = 0x40 | (bytes[0]! & 0x3f);
  return { from: rng.pick(SENDERS), bytes };
}
