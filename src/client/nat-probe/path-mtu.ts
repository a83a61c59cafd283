import type { PathMtu } from '../../report/path-mtu-schema.js';
import { Padding } from '../../wire/attributes/padding.js';
import { HEADER_BYTES } from '../../wire/constants.js';
import { FINGERPRINT_ATTRIBUTE_BYTES } from '../../wire/integrity.js';
import type { RttEstimator } from '../transport/rtt.js';
import type { RetransmitPolicy } from '../transport/transaction.js';
import { StunUdpClient } from '../transport/udp-client.js';
import { answered } from './answers.js';
import type { UdpTarget } from './nat-tests.js';
import type { BindingObservation } from './observations.js';
import {
  bandToConfirm,
  DATAGRAM_HEADER_BYTES,
  judgePathMtu,
  LARGEST_SIZE_BYTES,
  type LossConfirmation,
  type PathMtuObservation,
  type SizeObservation,
} from './path-mtu-judge.js';
import { bindingRequest } from './requests.js';

/**
 * IP datagram sizes of the first round (bytes, multiples of 4 as STUN messages are): 548 and 576 (the
 * smallest every IPv4 host must take, RFC 791/RFC 1122), 1000, 1200, 1280 (the IPv6 minimum MTU, RFC 8200),
 * 1400, 1420 (WireGuard), 1480 (6in4), 1492 (PPPoE) and 1500 (Ethernet).
 */
export const COARSE_SIZES: readonly number[] = [
  548,
  576,
  1000,
  1200,
  1280,
  1400,
  1420,
  1480,
  1492,
  LARGEST_SIZE_BYTES,
];
/** Sizes tried in the second round, evenly spaced in the gap above the largest size that came back. */
const FINE_STEPS = 6;
/**
 * Each size's schedule (RFC 8489 §6.2.1 with the probe's RTO): 3 copies at 0, RTO and 3 × RTO, lost after
 * 4 × RTO (the first copy has had 4 RTOs to come back; two rounds fit in the time the probe's other tests
 * wait for silence, 11 × RTO).
 */
const SIZE_POLICY: RetransmitPolicy = { rc: 3, rm: 1 };
/**
 * The schedule of each request of the confirmation (RFC 8489 §6.2.1): 2 copies at 0 and RTO, lost after
 * 3 × RTO, so the rounds and the confirmation behind a black hole (4 + 4 + 3 RTO and one RTT) stay near the
 * probe's 11 × RTO.
 */
const CONFIRM_POLICY: RetransmitPolicy = { rc: 2, rm: 2 };
/** Attribute header of PADDING (type + length), bytes (RFC 8489 §14). */
const ATTRIBUTE_HEADER_BYTES = 4;

/**
 * A Binding request whose IP datagram is `bytes` long for `family`: header, PADDING and FINGERPRINT
 * (RFC 5780 §7.6, RFC 8489 §14.7). `bytes` minus the IP and UDP headers must be a multiple of 4.
 */
export function paddedBindingRequest(bytes: number, family: PathMtuObservation['family']) {
  const overhead =
    DATAGRAM_HEADER_BYTES[family] + HEADER_BYTES + ATTRIBUTE_HEADER_BYTES + FINGERPRINT_ATTRIBUTE_BYTES;
  return bindingRequest([Padding.encode(bytes - overhead)]);
}

/**
 * The sizes of the second round: up to {@link FINE_STEPS} multiples of 4 evenly spaced strictly between the
 * largest size that came back with every smaller one and the next size tried (both in bytes); none when every
 * size came back, none did, or the gap holds no other size.
 */
export function fineSizes(coarse: readonly SizeObservation[]): number[] {
  const sorted = [...coarse].sort((x, y) => x.bytes - y.bytes);
  const firstLost = sorted.findIndex((s) => s.answered !== true);
  if (firstLost <= 0) return [];
  const lo = sorted[firstLost - 1]!.bytes;
  const hi = sorted[firstLost]!.bytes;
  const step = (hi - lo) / (FINE_STEPS + 1);
  const sizes = Array.from({ length: FINE_STEPS }, (_, k) => Math.round((lo + step * (k + 1)) / 4) * 4);
  return [...new Set(sizes)].filter((s) => s > lo && s < hi);
}

/**
 * One round: a padded Binding request of each size, all at once from one socket, largest first (a limit on
 * bytes per burst then drops the smallest sizes, which no MTU explains, rather than faking a black hole at
 * the top), each sent on {@link SIZE_POLICY} (3 copies: one lost copy is not a verdict); ends when every size
 * is answered or given up on (4 × RTO), or at the probe's deadline (then `answered` null).
 */
async function sizeRound(
  client: StunUdpClient,
  server: UdpTarget,
  sizes: readonly number[],
): Promise<SizeObservation[]> {
  const header = DATAGRAM_HEADER_BYTES[server.address.family];
  const largestFirst = [...sizes].sort((x, y) => y - x);
  return Promise.all(
    largestFirst.map(async (bytes): Promise<SizeObservation> => {
      const req = paddedBindingRequest(bytes, server.address.family);
      const r = await client.transact(req.bytes, req.transactionId, server.address, SIZE_POLICY);
      const answered = r.response !== null ? true : r.failure === 'timeout' ? false : null;
      return { bytes, answered, responseBytes: r.response ? r.response.raw.length + header : null };
    }),
  );
}

/**
 * Re-sends `bytes` alone to rule out a rate limit (RFC 5780 §7.6 gives no other way): a plain Binding
 * request as a control, then, once it is answered, the padded one, each on {@link CONFIRM_POLICY}; paced,
 * never in a burst. `answered` is null when the control was not answered (the padded one is then not sent).
 */
async function confirmLoss(
  client: StunUdpClient,
  server: UdpTarget,
  bytes: number,
): Promise<LossConfirmation> {
  const outcome = async (req: { bytes: Buffer; transactionId: Buffer }) => {
    const r = await client.transact(req.bytes, req.transactionId, server.address, CONFIRM_POLICY);
    return r.response !== null ? true : r.failure === 'timeout' ? false : null;
  };
  const controlAnswered = await outcome(bindingRequest());
  const answered =
    controlAnswered === true ? await outcome(paddedBindingRequest(bytes, server.address.family)) : null;
  return { bytes, controlAnswered, answered };
}

/**
 * The server whose mapping test I answers first, as soon as it does (a silent server does not hold the
 * measure), or null once every test I went unanswered.
 */
export function firstToAnswer(candidates: { server: UdpTarget; testI: Promise<BindingObservation> }[]) {
  return new Promise<UdpTarget | null>((resolve) => {
    let left = candidates.length;
    if (left === 0) resolve(null);
    for (const c of candidates)
      void c.testI.then((o) => {
        if (answered(o)) resolve(c.server);
        else if (--left === 0) resolve(null);
      });
  });
}

/**
 * Measures the path MTU to `server` (issue 16 §5; RFC 5780 §7.6 PADDING): the round of {@link COARSE_SIZES},
 * then, when a size was lost, a round of {@link fineSizes} in the gap, then, when the lost sizes are a band
 * reaching the largest size (`bandToConfirm`), its smallest size re-sent alone after a plain control
 * ({@link confirmLoss}), on one fresh socket; judged by `judgePathMtu`. About one RTT when every size comes
 * back; up to 2 × 4 × RTO + 3 × RTO + one RTT behind a black hole.
 * `server` resolves to the server to ask (null: none answered). Never rejects.
 * @param signal the probe's deadline.
 */
export async function measurePathMtu(
  server: Promise<UdpTarget | null>,
  family: PathMtuObservation['family'],
  rtt: RttEstimator,
  signal: AbortSignal,
): Promise<PathMtu> {
  const target = await server;
  if (!target) return judgePathMtu({ server: null, family, sizes: [] });
  let client: StunUdpClient;
  try {
    client = await StunUdpClient.open(target.address.family, rtt, signal);
  } catch {
    return judgePathMtu({
      server: target.url,
      family: target.address.family,
      sizes: [{ bytes: COARSE_SIZES[0]!, answered: null, responseBytes: null }],
    });
  }
  try {
    const coarse = await sizeRound(client, target, COARSE_SIZES);
    const sizes = [...coarse, ...(await sizeRound(client, target, fineSizes(coarse)))];
    const band = bandToConfirm(sizes);
    const confirmation = band === null ? null : await confirmLoss(client, target, band);
    return judgePathMtu({ server: target.url, family: target.address.family, sizes, confirmation });
  } finally {
    client.close();
  }
}
