/**
 * Throughput accounting for the page's data channel test. The sender streams fixed-size binary chunks; the
 * other end counts the bytes it received and answers each chunk with the running total; the sender feeds
 * those totals here. The rate is therefore what arrived at the other end, never what was merely queued.
 *
 * The wire protocol, text messages on the same (reliable, ordered) `RTCDataChannel`:
 * - sender → peer: `tp-start:<run>` resets the peer's count for run `<run>` (8 hex digits), then binary
 *   chunks;
 * - peer → sender: `tp-ack:<run>:<total>` after every chunk, `<total>` the bytes received in that run.
 * Acks of another run (a stale one still in flight) are ignored.
 */

/** One point of a throughput series: the rate over the interval ending `tMs` after the start. */
export interface ThroughputSample {
  tMs: number;
  kbps: number;
}

/** A finished measurement. */
export interface ThroughputResult {
  /** Bytes acknowledged by the peer × 8 / {@link durationMs}, in kbit/s (1 kbit = 1000 bit). */
  kbps: number;
  /** Bytes the peer acknowledged. */
  bytes: number;
  /** The measured interval in ms, from the start until the deadline or the last byte's ack. */
  durationMs: number;
  samples: ThroughputSample[];
}

const START = 'tp-start:';
const ACK = 'tp-ack:';
const RUN = /^[0-9a-f]{8}$/;

/** The sender's first message of run `run`. */
export function startMessage(run: string): string {
  return `${START}${run}`;
}

/** The run a `tp-start` message starts, or null for any other message. */
export function parseStart(message: string): string | null {
  if (!message.startsWith(START)) return null;
  const run = message.slice(START.length);
  return RUN.test(run) ? run : null;
}

/** The peer's acknowledgement of `totalBytes` received in run `run`. */
export function ackMessage(run: string, totalBytes: number): string {
  return `${ACK}${run}:${totalBytes}`;
}

/** The total an ack of run `run` carries, or null for any other message (another run, garbage). */
export function parseAck(message: string, run: string): number | null {
  const prefix = `${ACK}${run}:`;
  if (!message.startsWith(prefix)) return null;
  const digits = message.slice(prefix.length);
  return /^\d{1,15}$/.test(digits) ? Number(digits) : null;
}

/** kbit/s of `bytes` over `ms`, to 0.1 kbit/s; 0 for an empty interval. */
export function kbps(bytes: number, ms: number): number {
  return ms > 0 ? Math.round((bytes * 80) / ms) / 10 : 0;
}

/**
 * Turns acknowledged totals into a rate and a series of fixed intervals. A sample covers
 * (`tMs` − `sampleMs`, `tMs`] and counts the acks that arrived in it; an interval without an ack is a 0
 * sample (the link stalled). Totals that go down (a reordered ack) are ignored.
 */
export class ThroughputMeter {
  readonly #sampleMs: number;
  #bytes = 0;
  #bytesAtBoundary = 0;
  #nextBoundaryMs: number;
  readonly #samples: ThroughputSample[] = [];

  /** @param sampleMs the length of one sample's interval in ms (> 0). */
  constructor(sampleMs: number) {
    if (!(sampleMs > 0)) throw new RangeError(`sampleMs must be > 0, not ${sampleMs}`);
    this.#sampleMs = sampleMs;
    this.#nextBoundaryMs = sampleMs;
  }

  /** Records an ack that arrived `tMs` after the start, carrying the peer's running total. */
  ack(tMs: number, totalBytes: number): void {
    this.#closeSamples(tMs);
    if (totalBytes > this.#bytes) this.#bytes = totalBytes;
  }

  /**
   * Ends the measurement `endMs` after the start: closes the samples up to it (a last partial interval
   * counts when it is at least half a sample long) and returns the result.
   */
  finish(endMs: number): ThroughputResult {
    this.#closeSamples(endMs);
    const restMs = endMs - (this.#nextBoundaryMs - this.#sampleMs);
    if (restMs >= this.#sampleMs / 2)
      this.#samples.push({ tMs: endMs, kbps: kbps(this.#bytes - this.#bytesAtBoundary, restMs) });
    return {
      kbps: kbps(this.#bytes, endMs),
      bytes: this.#bytes,
      durationMs: endMs,
      samples: [...this.#samples],
    };
  }

  /** Closes every interval that ends at or before `tMs`, with the bytes acknowledged before it. */
  #closeSamples(tMs: number): void {
    while (tMs >= this.#nextBoundaryMs) {
      this.#samples.push({
        tMs: this.#nextBoundaryMs,
        kbps: kbps(this.#bytes - this.#bytesAtBoundary, this.#sampleMs),
      });
      this.#bytesAtBoundary = this.#bytes;
      this.#nextBoundaryMs += this.#sampleMs;
    }
  }
}
