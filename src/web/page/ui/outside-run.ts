import type { OutsideReach } from '../../../report/browser-reach-schema.js';
import { BUNDLED_SERVER_LABEL, type OutsidePeerOffer } from '../../api-schema.js';
import { parseIceUrl } from '../ice-url.js';
import {
  CHECKS_EVIDENCE_MS,
  failureEvidence,
  firstMid,
  judgeOutsideReach,
  type OutsideObservation,
  type OutsidePairStats,
  outsideAnswerSdp,
  readOutsidePair,
} from '../outside-reach.js';
import { issueOutsidePeer, outsidePeerSeen } from './api.js';
import type { PathPlan } from './plan.js';
import { readStats } from './stats-list.js';

/**
 * Runs the outside-reach proof of one TURN path (outside-reach.ts): a relay-only peer connection with the
 * path's one ICE server, answered by the report server's ICE-lite responder (`POST /api/outside-peer`),
 * polled with `getStats()` until a pair to the responder succeeds or fails, or {@link OUTSIDE_REACH_MS}
 * passes and checks have been sent for {@link CHECKS_EVIDENCE_MS} (or none were sent), at most
 * {@link OUTSIDE_REACH_MAX_MS}; then, after {@link SEEN_GRACE_MS} so checks in flight arrive, the report
 * server is asked what it saw. Never rejects.
 */

/** The least one attempt waits for its check pair to succeed, in ms. */
export const OUTSIDE_REACH_MS = 6000;
/** The longest one attempt waits, in ms (checks that started late get {@link CHECKS_EVIDENCE_MS}). */
export const OUTSIDE_REACH_MAX_MS = 12_000;
/** The pause before the report server is asked what it saw, in ms. */
const SEEN_GRACE_MS = 500;
/** How often the stats are polled meanwhile, in ms. */
const POLL_MS = 200;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The host of the path's TURN URL (for the same-host test), or '' when it does not parse. */
function turnHost(path: PathPlan): string {
  return parseIceUrl(path.url)?.host ?? '';
}

/** What the polling saw: the last stats and the failure evidence ({@link OutsideObservation.failure}). */
type Polled = OutsidePairStats & Pick<OutsideObservation, 'failure'>;

/** Polls until a pair to `offer.candidate` succeeds or fails, or the deadline (module comment) passes. */
async function untilDecided(pc: RTCPeerConnection, offer: OutsidePeerOffer): Promise<Polled> {
  const start = Date.now();
  let sendingSince: number | null = null;
  for (;;) {
    const seen = readOutsidePair(await readStats(pc), offer.candidate);
    const now = Date.now();
    if (seen.requestsSent > 0) sendingSince ??= now;
    const sendingFor = sendingSince === null ? null : now - sendingSince;
    if (seen.succeeded) return { ...seen, failure: 'none' };
    const failure = failureEvidence(seen, pc.iceConnectionState, sendingFor);
    if (seen.failed || pc.iceConnectionState === 'failed') return { ...seen, failure };
    const waited = now - start;
    if (
      waited >= OUTSIDE_REACH_MAX_MS ||
      (waited >= OUTSIDE_REACH_MS && (sendingFor === null || failure !== 'none'))
    )
      return { ...seen, failure };
    await pause(POLL_MS);
  }
}

/** The outside-reach result of `path` (see the module comment). */
export async function runOutsideReach(path: PathPlan): Promise<OutsideReach> {
  const observed = { server: path.target.server, turnHost: turnHost(path) };
  const unrun = { ...observed, reportServer: null, relayed: null, succeeded: false, seen: null };
  if (path.target.server === BUNDLED_SERVER_LABEL) return judgeOutsideReach(unrun);
  let offer: OutsidePeerOffer;
  try {
    offer = await issueOutsidePeer();
  } catch (err) {
    return judgeOutsideReach({ ...unrun, reason: message(err) });
  }
  const base = { ...observed, reportServer: offer.candidate };
  const pc = new RTCPeerConnection({
    iceServers: [{ ...path.target.iceServer }],
    iceTransportPolicy: 'relay',
  });
  try {
    pc.createDataChannel('outside-reach');
    const local = await pc.createOffer();
    await pc.setLocalDescription(local);
    await pc.setRemoteDescription({
      type: 'answer',
      sdp: outsideAnswerSdp(offer, firstMid(local.sdp ?? '')),
    });
    const { succeeded, relayed, relayFamilies, failure } = await untilDecided(pc, offer);
    const polled = { ...base, relayed, relayFamilies, succeeded, failure };
    if (!succeeded) await pause(SEEN_GRACE_MS);
    const asked = await outsidePeerSeen(offer.ufrag).catch((err: unknown) => message(err));
    if (typeof asked === 'string') {
      const reason = `the report server could not say what it saw: ${asked}`;
      return judgeOutsideReach({ ...polled, seen: null, reason });
    }
    return judgeOutsideReach({ ...polled, seen: asked.seen });
  } catch (err) {
    return judgeOutsideReach({
      ...base,
      relayed: null,
      succeeded: false,
      seen: null,
      reason: `the browser refused the report server's description: ${message(err)}`,
    });
  } finally {
    pc.close();
  }
}
