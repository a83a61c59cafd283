import type { RelayProof } from '../../../report/browser-schema.js';
import { relayProof } from '../relay-proof.js';
import { readSelectedPair } from '../selected-pair.js';
import { echoRtts, serveEcho } from './echo.js';
import type { Gathering } from './gathering.js';
import { CallError, connectLoopback, type LoopbackCall } from './loopback-call.js';
import type { PathPlan } from './plan.js';
import { readStats } from './stats-list.js';
import { serveThroughputPeer } from './throughput.js';

/**
 * Runs the relay proof of a gathered TURN path (relay-proof.ts): a loopback call whose both ends use only
 * that path's TURN URL with `iceTransportPolicy: 'relay'`, a data channel echo through it, then the selected
 * pair from `getStats()`. The call stays open afterwards for the throughput test.
 */

/** The data channel of the echo. */
export const PROOF_CHANNEL = 'proof';
/** The data channel of the throughput test (ui/throughput.ts). */
export const THROUGHPUT_CHANNEL = 'throughput';
/** Echoes per proof; the proof's RTT is their median. */
const ECHOES = 5;
/** The longest the echoes may take together, in ms. */
const ECHO_MS = 1000;

/** Serves the answering end's channels: the echo and the throughput peer. */
function serveProofChannel(channel: RTCDataChannel): void {
  if (channel.label === PROOF_CHANNEL) serveEcho(channel);
  else if (channel.label === THROUGHPUT_CHANNEL) serveThroughputPeer(channel);
}

/**
 * Why a proof's call did not connect. ICE failing between two relay candidates of one TURN server means the
 * server did not relay between its own allocations: its peer policy refused the other relay address
 * (RFC 8656 §9: 403 to CreatePermission, which browsers do not surface as an `icecandidateerror`) or it
 * cannot reach it.
 */
function whyNoCall(err: unknown): string {
  if (err instanceof CallError && err.stage === 'ice')
    return `${err.message}: both ends had relay candidates, but the TURN server did not relay between them (its peer policy refuses relay addresses, e.g. a 403 to CreatePermission, or it cannot reach them)`;
  return err instanceof Error ? err.message : String(err);
}

/** A finished proof, and its call when it connected (to measure throughput, then close). */
export interface ProofRun {
  proof: RelayProof;
  call: LoopbackCall | null;
}

/**
 * Proves `path` over `gathering` (which must have been opened with the {@link PROOF_CHANNEL} and
 * {@link THROUGHPUT_CHANNEL} channels, policy `relay` and the path's one ICE server). It may start while the
 * path still gathers: the answering end allocates its own relay meanwhile.
 * @param stop gives up connecting when aborted (its reason becomes the proof's `error`); once connected, the
 * echoes get at most {@link ECHO_MS}. Never rejects: a failure is the proof's `error`.
 */
export async function runRelayProof(
  path: PathPlan,
  gathering: Gathering,
  stop: AbortSignal,
): Promise<ProofRun> {
  const target = { kind: path.target.kind, url: path.url };
  let call: LoopbackCall;
  try {
    call = await connectLoopback(
      gathering,
      { iceServers: [{ ...path.target.iceServer }], iceTransportPolicy: 'relay' },
      serveProofChannel,
      stop,
    );
  } catch (err) {
    return { proof: relayProof(target, null, [], whyNoCall(err)), call: null };
  }
  const channel = gathering.channels.get(PROOF_CHANNEL);
  const rtts = channel ? await echoRtts(channel, ECHOES, ECHO_MS) : [];
  try {
    const pair = readSelectedPair(await readStats(gathering.pc))?.pair ?? null;
    return { proof: relayProof(target, pair, rtts), call };
  } catch (err) {
    const why = `could not read the call's stats: ${err instanceof Error ? err.message : String(err)}`;
    return { proof: relayProof(target, null, rtts, why), call };
  }
}
