import { ResponsePort } from '../../wire/attributes/response-port.js';
import type { RttEstimator } from '../transport/rtt.js';
import { StunUdpClient } from '../transport/udp-client.js';
import { bindingTest, type UdpTarget } from './nat-tests.js';
import type { LifetimeObservation } from './observations.js';
import { bindingRequest } from './requests.js';

/** The server answered the sender instead of the RESPONSE-PORT: it does not implement RFC 5780 §7.5. */
export class LifetimeUnsupportedError extends Error {
  override readonly name = 'LifetimeUnsupportedError';
  constructor() {
    super('the server ignores RESPONSE-PORT, so the binding lifetime cannot be measured against it');
  }
}

/** Trials run at once in each round of the search. */
const TRIALS_PER_ROUND = 6;
/** Rounds of the search; each narrows the bracket about six-fold. */
const ROUNDS = 3;

/**
 * One trial (RFC 5780 §4.6): socket X learns its mapping, waits `waitS`, then socket Y asks the server to
 * answer to X's mapped port (RESPONSE-PORT). If X hears the answer, X's binding outlived `waitS`.
 */
async function trial(server: UdpTarget, waitS: number, rtt: RttEstimator): Promise<boolean> {
  const never = new AbortController().signal;
  const x = await StunUdpClient.open(server.address.family, rtt, never);
  const y = await StunUdpClient.open(server.address.family, rtt, never);
  try {
    const first = await bindingTest(x, 'lifetime-I', server, server.address);
    if (!first.mapped) return false;
    await new Promise((r) => setTimeout(r, waitS * 1000));
    const req = bindingRequest([ResponsePort.encode(first.mapped.port)]);
    const watch = x.expect(req.transactionId);
    const direct = await y.transact(req.bytes, req.transactionId, server.address);
    watch.cancel();
    if (direct.response) throw new LifetimeUnsupportedError();
    return watch.heard();
  } finally {
    x.close();
    y.close();
  }
}

/**
 * Binding lifetime discovery (RFC 5780 §4.6) as a parallel search: each round runs
 * {@link TRIALS_PER_ROUND} trials at once, spread over the current bracket, so the total time is at most
 * ROUNDS × the bracket's upper end, never the sum of a sequential binary search.
 * @param maxLifetimeS upper bound of the search in s (the CLI's `--max-lifetime`).
 * @param onProgress told the round and the wait in progress.
 * @throws LifetimeUnsupportedError when the server ignores RESPONSE-PORT.
 */
export async function lifetimeTest(
  server: UdpTarget,
  maxLifetimeS: number,
  rtt: RttEstimator,
  onProgress: (text: string) => void,
): Promise<LifetimeObservation> {
  let lo = 0;
  let hi: number | null = null;
  let top = maxLifetimeS;
  const trials: LifetimeObservation['trials'] = [];
  for (let round = 0; round < ROUNDS && top - lo > 1; round++) {
    const step = (top - lo) / TRIALS_PER_ROUND;
    const waits = Array.from(
      { length: TRIALS_PER_ROUND },
      (_, i) => Math.round((lo + step * (i + 1)) * 10) / 10,
    );
    const started = Date.now();
    const ticker = setInterval(() => {
      onProgress(
        `binding lifetime: round ${round + 1}/${ROUNDS}, ${Math.round((Date.now() - started) / 1000)} s of ${top} s`,
      );
    }, 1000);
    const results = await Promise.all(waits.map((w) => trial(server, w, rtt))).finally(() =>
      clearInterval(ticker),
    );
    for (const [i, waitS] of waits.entries()) trials.push({ waitS, alive: results[i]! });
    const lastAlive = waits.filter((_, i) => results[i]).at(-1);
    const firstGone = waits.find((_, i) => !results[i]);
    if (lastAlive !== undefined) lo = Math.max(lo, lastAlive);
    if (firstGone === undefined) break;
    hi = firstGone;
    top = firstGone;
  }
  return { minS: lo, maxS: hi, trials };
}
