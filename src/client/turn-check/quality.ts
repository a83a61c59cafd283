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
/** Copies of each size probe, and the gap between copies, ms: a single lost copy is not a black hole. */
const SIZE_COPIES = 3;
const COPY_GAP_MS = 20;
/** Sizes tried between the largest that came back and the smallest that did not, in a second round. */
const FINE_STEPS = 8;
/** Wait for late echoes after the last probe: 3 × the largest RTT seen, within these bounds, ms. */
const WAIT_RANGE_MS = { min: 200, max: 1000 } as const;

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

/** The paced stream: `count` probes every {@link QUALITY_INTERVAL_MS}, then a wait for late echoes. */
async function stream(probes: EchoProbes, count: number, signal: AbortSignal): Promise<(number | null)[]> {
  const rtts: (number | null)[] = [];
  const start = performance.now();
  for (let i = 0; i < count && !signal.aborted; i++) {
    await pause(start + i * QUALITY_INTERVAL_MS - performance.now(), signal);
    if (signal.aborted) break;
    const sentAt = performance.now();
    rtts.push(null);
    probes.send(STREAM, i, QUALITY_PROBE_BYTES, (at) => {
      if (rtts[i] === null) rtts[i] = at - sentAt;
    });
  }
  await probes.until(() => rtts.every((r) => r !== null), waitMs(rtts), signal);
  return [...rtts];
}

/** One round of sizes: {@link SIZE_COPIES} copies of each, {@link COPY_GAP_MS} apart, then the wait. */
async function sizeRound(
  probes: EchoProbes,
  sizes: readonly number[],
  wait: number,
  signal: AbortSignal,
): Promise<SizeTried[]> {
  const tried = sizes.map((bytes) => ({ bytes, ok: false }));
  const allOk = (): boolean => tried.every((t) => t.ok);
  for (let copy = 0; copy < SIZE_COPIES && !allOk() && !signal.aborted; copy++) {
    if (copy > 0) await pause(COPY_GAP_MS, signal);
    for (const t of tried) {
      if (!t.ok)
        probes.send(SIZE, t.bytes, t.bytes, () => {
          t.ok = true;
        });
    }
  }
  await probes.until(allOk, wait, signal);
  return tried;
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
 * between the largest that came back and the smallest that did not. Stops early when `signal` aborts, and
 * says so in `reason`. Never rejects for network reasons.
 */
export async function measureRelayQuality(
  a: TurnSession,
  b: TurnSession,
  channel: number,
  opts: QualityOptions,
  signal: AbortSignal,
): Promise<QualityObservation> {
  const start = performance.now();
  const probes = new EchoProbes(a, b, channel);
  try {
    const rttsMs = await stream(probes, Math.round(opts.streamMs / QUALITY_INTERVAL_MS), signal);
    const wait = waitMs(rttsMs);
    const coarse = await sizeRound(probes, DATAGRAM_SIZES, wait, signal);
    const fine = signal.aborted ? [] : await sizeRound(probes, fineSizes(coarse), wait, signal);
    const failure = a.linkFailure ?? b.linkFailure;
    const reason = signal.aborted
      ? "the check's deadline cut the measure short"
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
  };
}
