import type { BrowserCandidate, CandidateErrorRow } from '../../../report/browser-schema.js';
import { explainCandidateError } from '../candidate-errors.js';
import { toBrowserCandidate } from '../candidates.js';
import type { RunClock } from './timing.js';

/**
 * A peer connection's `icecandidate` and `icecandidateerror` events (W3C WebRTC §4.8.1, §4.8.2) as report
 * rows: decoded candidates (candidates.ts) and errors in plain words (candidate-errors.ts).
 */

/** Where the rows of one or more peer connections go. */
export interface IceSink {
  candidate(row: BrowserCandidate): void;
  candidateError(row: CandidateErrorRow): void;
}

/** `RTCIceCandidate` with the members TypeScript's DOM types lack (W3C WebRTC §4.8.1: `url`, `relayProtocol`). */
type CandidateWithUrl = RTCIceCandidate & { url?: string | null; relayProtocol?: string | null };
/** The deprecated `RTCPeerConnectionIceEvent.url`, the fallback when the candidate has no `url`. */
type IceEventWithUrl = RTCPeerConnectionIceEvent & { url?: string | null };

/**
 * Sends every candidate and candidate error of `pc` to `sink` as rows of `pathId`, stamped with `clock()`.
 * The end-of-candidates event (null or empty candidate) and a line the browser got wrong are not rows: a
 * listener never throws.
 * @param onCandidate also gets each raw candidate (e.g. to trickle it to the other end of a loopback call).
 * @param soleServerUrl the connection's only STUN/TURN URL, if it has exactly one: a srflx or relay candidate
 *   without a `url` (Firefox 153 sets neither `url` nor `relayProtocol`) came from it.
 */
export function watchIce(
  pc: RTCPeerConnection,
  pathId: string,
  clock: RunClock,
  sink: IceSink,
  onCandidate: (row: BrowserCandidate, raw: RTCIceCandidate) => void = () => undefined,
  soleServerUrl: string | null = null,
): void {
  pc.addEventListener('icecandidate', (event) => {
    const raw = event.candidate as CandidateWithUrl | null;
    if (!raw?.candidate) return;
    let row: BrowserCandidate;
    try {
      row = toBrowserCandidate(
        {
          candidate: raw.candidate,
          url: raw.url || (event as IceEventWithUrl).url || (raw.type === 'host' ? null : soleServerUrl),
          relayProtocol: raw.relayProtocol,
        },
        pathId,
        clock(),
      );
    } catch {
      return;
    }
    sink.candidate(row);
    onCandidate(row, raw);
  });
  pc.addEventListener('icecandidateerror', (event) => {
    sink.candidateError(explainCandidateError(event, pathId, clock()));
  });
}
