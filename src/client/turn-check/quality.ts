import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { largestContiguous, type QualityObservation, type SizeTried } from './quality-summary.js';
import type { RelayedData, TurnSession } from './session.js';

/** Interval between stream probes, ms: one packet per 20 ms audio frame, as a call sends. */
export const QUALITY_INTERVAL_MS = 20;
/** Default length of the probe stream, ms (50 probes); `--quality-duration`. */
export const DEFAULT_QUALITY_STREAM_MS = 1000;
/** Accepted range of `--quality-duration`, ms. */
export const QUALITY_STREAM_RANGE_MS = { min: 200, max: 10_000 } as const;
/** Payload of a stream probe, bytes: about one 20 ms Opus frame with its RTP/SRTP overhead. */
export const QUALITY_PROBE_BYTES = 160;
/**
 * Application payloads tried through the relay, bytes (docs/cli.md "Relay quality"): 1200 is what WebRTC
 * packets need; 1280 the IPv6 minimum MTU; 1468 the largest that fits a 1500-byte IPv4 MTU inside ChannelData
 * over UDP (1500 − 20 IP − 8 UDP − 4 ChannelData); 1472 the largest plain UDP payload in 1500 (the relay's
 * leg to the peer adds no TURN header); 1500 to see that the path is larger than Ethernet.
 */
export const DATAGRAM_SIZES: readonly number[] = [500, 1000, 1200, 1280, 1400, 1468, 1472, 1500];
/**
 * Copies of each size probe: a size is lost only when every copy is (a single lost copy is not a black
 * hole). Each copy sends the sizes largest first, one every {@link SIZE_GAP_MS}: a per-allocation bandwidth
 * cap (coturn max-bps, `serve --bandwidth`, a token bucket) drops what comes after a burst, so sending the
 * small ones first and back to back made "small back, large lost" out of a cap, not an MTU.
 */
const SIZE_COPIES = 3;
/** Gap between two size probes, ms (a 1500-byte probe every 20 ms is 75 kB/s, an HD video call's rate). */
const SIZE_GAP_MS = 20;
/** Sizes tried between the largest that came back and the smallest that did not, in a second round. */
const FINE_STEPS = 8;
/** Wait for late echoes after the last probe: 3 × the largest RTT seen, within these bounds, ms. */
const WAIT_RANGE_MS = { min: 200, max: 1000 } as const;

/** Worst-case time of one size round of `sizes` sizes, ms: every copy of every size, then the longest wait. */
function sizeRoundWorstMs(sizes: number): number {
  return SIZE_COPIES * sizes * SIZE_GAP_MS + WAIT_RANGE_MS.max;
}

/**
 * Worst-case wall time of {@link measureRelayQuality}, ms: the stream of `streamMs`, its longest wait for
 * late echoes, the round of {@link DATAGRAM_SIZES} and, with `fine`, the second round of up to
 * {@link FINE_STEPS} sizes.
 */
export function qualityWorstCaseMs(streamMs: number, fine = true): number {
  const rounds = sizeRoundWorstMs(DATAGRAM_SIZES.length) + (fine ? sizeRoundWorstMs(FINE_STEPS) : 0);
  return streamMs + WAIT_RANGE_MS.max + rounds;
}

/** How long to measure; `streamMs` within {@link QUALITY_STREAM_RANGE_MS}. */
export interface QualityOptions {
  /** Length of the paced probe stream, ms (probes every {@link QUALITY_INTERVAL_MS}). */
  streamMs: number;
}

const MAGIC = Buffer.from('IDQ1');
const STREAM = 0;
const SIZE = 1;
/** MAGIC (4), run (4), kind (1), index (4). */
const HEADER_BYTES = 13;

/** Resolves after `ms` or when `signal` aborts, never rejects; its timer does not keep Node alive. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(Math.max(0, ms), undefined, { signal, ref: false }).catch(() => undefined);
}

/**
 * Echo probes of one measure: stamps each with a run id, sends it as ChannelData from A, and has B echo every
 * probe of this run back on the same channel (B's client is the relay's peer, RFC 8656 §12).
 */
class EchoProbes {
  private readonly run = randomBytes(4);
  private readonly handlers = new Map<string, (atMs: number) => void>();
  private wake: (() => void) | null = null;
  private readonly stops: (() => void)[];

  constructor(
    private readonly a: TurnSession,
    b: TurnSession,
    private readonly channel: number,
  ) {
    this.stops = [
      b.onRelayed((d) => {
        if (this.ours(d)) b.channelData(channel, d.data);
      }),
      a.onRelayed((d) => {
        if (!this.ours(d)) return;
        const key = `${d.data[8]}:${d.data.readUInt32BE(9)}`;
        this.handlers.get(key)?.(performance.now());
        this.wake?.();
      }),
    ];
  }

  private ours(d: RelayedData): boolean {
    return (
      d.data.length >= HEADER_BYTES &&
      d.data.subarray(0, 4).equals(MAGIC) &&
      d.data.subarray(4, 8).equals(this.run)
    );
  }

  /** Sends probe `index` of `kind` with a payload of `bytes`; `onEcho` hears each echo of it. */
  send(kind: number, index: number, bytes: number, onEcho: (atMs: number) => void): void {
    const payload = Buffer.alloc(Math.max(bytes, HEADER_BYTES));
    MAGIC.copy(payload, 0);
    this.run.copy(payload, 4);
    payload[8] = kind;
    payload.writeUInt32BE(index, 9);
    this.handlers.set(`${kind}:${index}`, onEcho);
    this.a.channelData(this.channel, payload);
  }

  /**
   * Waits until `done()` holds or `ms` passed (or `signal` aborted), then lets the event loop read the
   * datagrams that are already there.
   */
  async until(done: () => boolean, ms: number, signal: AbortSignal): Promise<void> {
    const end = performance.now() + ms;
    while (!done() && !signal.aborted && performance.now() < end) {
      const woken = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      await Promise.race([woken, pause(end - performance.now(), signal)]);
    }
    this.wake = null;
    // Timers run before the event loop polls sockets: after a stall, echoes already received are read now.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  close(): void {
    for (const stop of this.stops) stop();
  }
}

/** How long to wait for late echoes, ms: 3 × the largest RTT seen, within {@link WAIT_RANGE_MS}. */
function waitMs(rtts: readonly (number | null)[]): number {
  const largest = Math.max(0, ...rtts.filter((r): r is number => r !== null));
  return Math.min(WAIT_RANGE_MS.max, Math.max(WAIT_RANGE_MS.min, 3 * largest));
}

/**
 * The paced stream: `count` probes every {@link QUALITY_INTERVAL_MS}, then a wait for late echoes. When
 * `signal` cut it short, only the probes whose echo came or whose wait had passed are kept (a probe still in
 * flight is not lost).
 */
async function stream(probes: EchoProbes, count: number, signal: AbortSignal): Promise<(number | null)[]> {
  const rtts: (number | null)[] = [];
  const sentAt: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count && !signal.aborted; i++) {
    await pause(start + i * QUALITY_INTERVAL_MS - performance.now(), signal);
    if (signal.aborted) break;
    sentAt.push(performance.now());
    rtts.push(null);
    probes.send(STREAM, i, QUALITY_PROBE_BYTES, (at) => {
      if (rtts[i] === null) rtts[i] = at - sentAt[i]!;
    });
  }
  const wait = waitMs(rtts);
  await probes.until(() => rtts.every((r) => r !== null), wait, signal);
  if (!signal.aborted) return [...rtts];
  const waitedUntil = performance.now() - wait;
  return rtts.filter((r, i) => r !== null || sentAt[i]! <= waitedUntil);
}

/**
 * One round of sizes: {@link SIZE_COPIES} copies, each sending the sizes not back yet largest first,
 * {@link SIZE_GAP_MS} apart, then the wait. A size is lost only when no copy came back; when `signal` cut the
 * round short, the sizes not back are left out (unknown, not lost).
 */
async function sizeRound(
  probes: EchoProbes,
  sizes: readonly number[],
  wait: number,
  signal: AbortSignal,
): Promise<SizeTried[]> {
  const tried = [...sizes].sort((x, y) => y - x).map((bytes) => ({ bytes, ok: false }));
  const allOk = (): boolean => tried.every((t) => t.ok);
  for (let copy = 0; copy < SIZE_COPIES && !allOk() && !signal.aborted; copy++) {
    for (const t of tried) {
      if (t.ok || signal.aborted) continue;
      probes.send(SIZE, t.bytes, t.bytes, () => {
        t.ok = true;
      });
      await pause(SIZE_GAP_MS, signal);
    }
  }
  await probes.until(allOk, wait, signal);
  return signal.aborted ? tried.filter((t) => t.ok) : tried;
}

/**
 * Sizes for the second round: up to {@link FINE_STEPS} evenly spaced between the largest size that came back
 * with every smaller one ({@link largestContiguous}) and the next size tried; none when every size or none
 * came back.
 */
export function fineSizes(coarse: readonly SizeTried[]): number[] {
  const lo = largestContiguous(coarse);
  if (lo === null) return [];
  const hi = Math.min(...coarse.filter((s) => s.bytes > lo).map((s) => s.bytes));
  if (!Number.isFinite(hi) || hi - lo < 2) return [];
  const step = (hi - lo) / (FINE_STEPS + 1);
  const sizes = Array.from({ length: FINE_STEPS }, (_, k) => Math.round(lo + step * (k + 1)));
  return [...new Set(sizes)].filter((s) => s > lo && s < hi);
}

/**
 * Measures the relay between allocation A (client `a`) and its peer B (client `b`), with channel `channel`
 * bound both ways (RFC 8656 §12): a stream of {@link QUALITY_PROBE_BYTES}-byte ChannelData probes every
 * {@link QUALITY_INTERVAL_MS} for `opts.streamMs`, each echoed back by B (client → relay A → relay B → peer
 * client → relay B → relay A → client), then the datagram sizes {@link DATAGRAM_SIZES} and a finer round
 * between the largest that came back and the smallest that did not — that round only when `budgetMs` leaves
 * time for its worst case. Stops early when `signal` aborts: then `cutShort`, loss only over the probes whose
 * wait for an echo completed, and `reason` says so. Never rejects for network reasons.
 * @param budgetMs time the measure may take, ms (at least {@link qualityWorstCaseMs} without the fine round).
 */
export async function measureRelayQuality(
  a: TurnSession,
  b: TurnSession,
  channel: number,
  opts: QualityOptions,
  signal: AbortSignal,
  budgetMs = qualityWorstCaseMs(opts.streamMs),
): Promise<QualityObservation> {
  const start = performance.now();
  const probes = new EchoProbes(a, b, channel);
  try {
    const rttsMs = await stream(probes, Math.round(opts.streamMs / QUALITY_INTERVAL_MS), signal);
    const wait = waitMs(rttsMs);
    const coarse = await sizeRound(probes, DATAGRAM_SIZES, wait, signal);
    const fineFits = performance.now() - start + sizeRoundWorstMs(FINE_STEPS) <= budgetMs;
    const fine = signal.aborted || !fineFits ? [] : await sizeRound(probes, fineSizes(coarse), wait, signal);
    const failure = a.linkFailure ?? b.linkFailure;
    const cutShort = signal.aborted;
    const reason = cutShort
      ? `the check's deadline cut the measure short: loss is counted over the ${rttsMs.length} probes whose wait for an echo completed, sizes not back yet are left out, and no loss or datagram-size warning is given`
      : failure
        ? `the connection to the server failed during the measure: ${failure}`
        : null;
    return {
      rttsMs,
      intervalMs: QUALITY_INTERVAL_MS,
      probeBytes: QUALITY_PROBE_BYTES,
      durationMs: performance.now() - start,
      sizes: [...coarse, ...fine],
      reason,
      cutShort,
    };
  } finally {
    probes.close();
  }
}

/** A measure that did not run, with the reason (the relay's quality is unknown, not bad). */
export function qualityNotMeasured(reason: string): QualityObservation {
  return {
    rttsMs: [],
    intervalMs: QUALITY_INTERVAL_MS,
    probeBytes: QUALITY_PROBE_BYTES,
    durationMs: 0,
    sizes: [],
    reason: `not measured: ${reason}`,
    cutShort: false,
  };
}
