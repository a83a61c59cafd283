import { profile } from '../profile.js';

/**
 * Each input class's share of `profile.fuzzMessages` (60,000 short, 1,000,000 long), over UDP and TCP
 * together. Cheap datagrams get the most; classes whose inputs are large (hundreds of attributes) or cost a
 * TCP connection each get less. The shares add up to 1.
 */
export const SHARES = {
  udpRandom: 0.14,
  udpTruncated: 0.08,
  udpLyingLength: 0.1,
  udpOverrun: 0.1,
  udpIntegrityFlood: 0.06,
  udpUnknownRequired: 0.08,
  tinyDatagrams: 0.08,
  udpChannelData: 0.08,
  tcpChannelData: 0.06,
  tcpBadFrames: 0.1,
  tcpMidFrame: 0.04,
  validThenMalformed: 0.08,
} as const;

/** Messages a class sends in this profile. */
export function countOf(cls: keyof typeof SHARES): number {
  return Math.round(profile.fuzzMessages * SHARES[cls]);
}
