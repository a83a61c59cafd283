import type { CandidateType } from '../../report/browser-schema.js';

/**
 * Why the two-peer call (this browser ↔ the invited one, `iceTransportPolicy: 'all'`) did not connect, in
 * plain words, from what each side gathered (RFC 8445 §5.1.1 candidate types) and how far the connection
 * got (W3C WebRTC §4.3.3 `RTCIceConnectionState`, §4.3.4 `RTCPeerConnectionState`).
 */

/** What this page knows about a call that did not connect. */
export interface PeerFailureFacts {
  /** The connection deadline that passed, in ms, or null when ICE reported `failed` first. */
  deadlineMs: number | null;
  /** Whether the other side's offer or answer arrived. */
  remoteDescription: boolean;
  /** Candidate types this browser gathered, and the ones the other browser sent. */
  localTypes: ReadonlySet<CandidateType>;
  remoteTypes: ReadonlySet<CandidateType>;
  iceConnectionState: string;
  connectionState: string;
}

/** Which side(s) have a candidate of type `t`, as a sentence subject, or null for neither. */
function whoHas(f: PeerFailureFacts, t: CandidateType): 'both' | 'this browser' | 'the other browser' | null {
  const here = f.localTypes.has(t);
  const there = f.remoteTypes.has(t);
  if (here && there) return 'both';
  if (here) return 'this browser';
  return there ? 'the other browser' : null;
}

/** The side that is not `side`. */
function opposite(side: 'this browser' | 'the other browser'): string {
  return side === 'this browser' ? 'the other browser' : 'this browser';
}

/**
 * The reason, tried in this order: no offer/answer; no candidates on one side; ICE connected but DTLS or
 * the data channel did not; then by the candidate types: relay on both sides (the relay itself did not
 * forward), on one side, server-reflexive on both (NATs that change the port per destination, no relay),
 * on one side, host only.
 */
export function explainPeerFailure(f: PeerFailureFacts): string {
  const within = f.deadlineMs === null ? '' : ` within ${f.deadlineMs / 1000} s`;
  if (!f.remoteDescription)
    return `the other browser sent no offer or answer${within}: its page may have been closed, or it cannot run WebRTC`;
  if (f.remoteTypes.size === 0)
    return `the other browser sent no ICE candidates${within}: it could not gather a single address`;
  if (f.localTypes.size === 0)
    return `this browser gathered no ICE candidates${within}: WebRTC may be blocked here`;
  if (f.iceConnectionState === 'connected' || f.iceConnectionState === 'completed')
    return f.connectionState === 'connected'
      ? `the connection was set up but the data channel did not open${within}`
      : `ICE found a path but the DTLS handshake did not finish${within}: something on the path drops larger UDP packets`;
  const none = 'no candidate pair worked';
  const relay = whoHas(f, 'relay');
  if (relay === 'both')
    return `${none}, not even relay to relay: both browsers had a TURN relay, so a relay did not forward the packets (its peer policy may refuse the other relay's address)`;
  if (relay !== null)
    return `${none}: only ${relay} got a TURN relay, and ${opposite(relay)}'s network did not exchange packets with it`;
  const srflx = whoHas(f, 'srflx');
  if (srflx === 'both')
    return `${none}: both sides are behind NATs that change the port per destination (or drop unsolicited packets) and no TURN relay was reachable`;
  if (srflx !== null)
    return `${none}: ${opposite(srflx)} reached no STUN or TURN server, and the two are not on the same network`;
  return `${none}: neither browser reached a STUN or TURN server, and their local addresses cannot reach each other`;
}
