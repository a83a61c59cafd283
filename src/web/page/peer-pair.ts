import type { CandidateType, SelectedPair } from '../../report/browser-schema.js';
import { hostPort } from './address.js';

/**
 * The two-peer call's view of its selected pair, corrected for trickle ICE (RFC 8838): a connectivity check
 * from the other browser can arrive before the signaling server delivered the candidate it came from, and
 * the browser then learns that address as a peer-reflexive remote candidate (RFC 8445 §7.3.1.3). Its stats
 * keep `prflx` even after the trickled copy arrives, so a host ↔ host call can read host ↔ prflx.
 */

/** The candidates the other browser trickled, by `address:port` (IPv6 bracketed), with their types. */
export type TrickledCandidates = ReadonlyMap<string, CandidateType>;

/** The key of a candidate's transport address in {@link TrickledCandidates}. */
export function candidateKey(address: string, port: number): string {
  return hostPort(address.toLowerCase(), port);
}

/**
 * `pair` with a `prflx` remote replaced by the type of the trickled candidate with the same address and
 * port, when there is one; otherwise unchanged (a real peer-reflexive address, e.g. from a NAT that maps a
 * new port per destination, matches no trickled candidate; nor does an mDNS host name).
 */
export function withTrickledType(pair: SelectedPair, trickled: TrickledCandidates): SelectedPair {
  if (pair.remoteType !== 'prflx' || pair.remoteAddress === null || pair.remotePort === null) return pair;
  const type = trickled.get(candidateKey(pair.remoteAddress, pair.remotePort));
  return type === undefined ? pair : { ...pair, remoteType: type };
}
