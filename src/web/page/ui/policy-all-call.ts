import type { SelectedPair } from '../../../report/browser-schema.js';
import { PairChangeTracker } from '../selected-pair.js';
import type { Gathering } from './gathering.js';
import { connectLoopback, type LoopbackCall } from './loopback-call.js';
import { readStats } from './stats-list.js';
import { deadlineSignal, formatMs, sleep } from './timing.js';

/**
 * The page's own call with every ICE server and `iceTransportPolicy: 'all'` (or `relay` when the visitor chose
 * relay-only, ui/your-servers.ts): which pair ICE selects when every candidate type is allowed (RFC 8445 §8.1.1 nomination), its RTT, DTLS state and cipher, and whether the pair
 * changed over a few polls of `getStats()` (selected-pair.ts).
 */

/** Polls of `getStats()` after the call connected, and the time between them in ms. */
const POLLS = 3;
const POLL_MS = 100;

/** What the call found. */
export interface PolicyAllOutcome {
  pair: SelectedPair | null;
  /** Why there is no pair, in a few words; null when there is one. */
  error: string | null;
  /** The connected call (closed by the caller), or null. */
  call: LoopbackCall | null;
}

/**
 * Connects `gathering` (policy `all`, every server) to an answering end with the same configuration, then
 * polls its selected pair {@link POLLS} times, {@link POLL_MS} ms apart. Never rejects.
 * @param config the answering end's configuration (the same servers and policy).
 */
export async function runPolicyAllCall(
  gathering: Gathering,
  config: RTCConfiguration,
  deadlineMs: number,
): Promise<PolicyAllOutcome> {
  let call: LoopbackCall;
  try {
    const stop = deadlineSignal(deadlineMs, `did not connect within ${formatMs(deadlineMs)}`);
    call = await connectLoopback(gathering, config, () => undefined, stop);
  } catch (err) {
    return { pair: null, error: err instanceof Error ? err.message : String(err), call: null };
  }
  const tracker = new PairChangeTracker();
  try {
    for (let i = 0; i < POLLS; i++) {
      if (i > 0) await sleep(POLL_MS);
      tracker.poll(await readStats(gathering.pc));
    }
  } catch (err) {
    return { pair: tracker.last, error: `could not read the call's stats: ${String(err)}`, call };
  }
  const pair = tracker.last;
  return { pair, error: pair ? null : 'the call connected, but the browser reported no selected pair', call };
}
