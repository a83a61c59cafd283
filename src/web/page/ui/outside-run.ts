import type { OutsideReach } from '../../../report/browser-reach-schema.js';
import type { OutsidePeerOffer } from '../../api-schema.js';
import { parseIceUrl } from '../ice-url.js';
import { firstMid, judgeOutsideReach, outsideAnswerSdp, readOutsidePair } from '../outside-reach.js';
import { issueOutsidePeer, outsidePeerSeen } from './api.js';
import type { PathPlan } from './plan.js';
import { readStats } from './stats-list.js';

/**
 * Runs the outside-reach proof of one TURN path (outside-reach.ts): a relay-only peer connection with the
 * path's one ICE server, answered by the report server's ICE-lite responder (`POST /api/outside-peer`),
 * polled with `getStats()` until a pair to the responder succeeds, the connection fails, or
 * {@link OUTSIDE_REACH_MS} passes; then the report server is asked what it saw. Never rejects.
 */

/** The longest one attempt waits for its check pair to succeed, in ms. */
export const OUTSIDE_REACH_MS = 6000;
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

/** Polls until a pair to `offer.candidate` succeeds, the connection fails or the deadline passes. */
async function untilSucceeded(
  pc: RTCPeerConnection,
  offer: OutsidePeerOffer,
): Promise<ReturnType<typeof readOutsidePair>> {
  const end = Date.now() + OUTSIDE_REACH_MS;
  for (;;) {
    const seen = readOutsidePair(await readStats(pc), offer.candidate);
    if (seen.succeeded || Date.now() >= end || pc.iceConnectionState === 'failed') return seen;
    await pause(POLL_MS);
  }
}

/** The outside-reach result of `path` (see the module comment). */
export async function runOutsideReach(path: PathPlan): Promise<OutsideReach> {
  const observed = { server: path.target.server, turnHost: turnHost(path) };
  let offer: OutsidePeerOffer;
  try {
    offer = await issueOutsidePeer();
  } catch (err) {
    return judgeOutsideReach({
      ...observed,
      reportServer: null,
      relayed: null,
      succeeded: false,
      seen: null,
      reason: message(err),
    });
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
    const { succeeded, relayed } = await untilSucceeded(pc, offer);
    const asked = await outsidePeerSeen(offer.ufrag).catch((err: unknown) => message(err));
    if (typeof asked === 'string') {
      const reason = `the report server could not say what it saw: ${asked}`;
      return judgeOutsideReach({ ...base, relayed, succeeded, seen: null, reason });
    }
    return judgeOutsideReach({ ...base, relayed, succeeded, seen: asked.seen });
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
