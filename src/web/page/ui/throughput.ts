import {
  ackMessage,
  parseAck,
  parseStart,
  startMessage,
  ThroughputMeter,
  type ThroughputResult,
} from '../throughput-meter.js';

/**
 * Data channel throughput between two ends of a call (protocol: throughput-meter.ts). The measuring end
 * runs {@link measureThroughput}; the other end runs {@link serveThroughputPeer} on its side of the same
 * channel. Give the test a channel of its own (e.g. `pc.createDataChannel('throughput')`, reliable and
 * ordered, the defaults): the peer answers every binary message with a count.
 */

/** Size of one chunk in bytes: 16 KiB, below every browser's SCTP max-message-size (RFC 8841 §6). */
export const CHUNK_BYTES = 16 * 1024;
/** The sender tops the channel's queue up to this many bytes… */
const HIGH_WATER_BYTES = 1024 * 1024;
/** …whenever `bufferedAmount` falls to this (`bufferedAmountLowThreshold`, W3C WebRTC §6.2). */
const LOW_WATER_BYTES = 256 * 1024;
/** Default cap on the bytes sent by one measurement: 16 MiB (a relay's operator pays for them). */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** Limits of one measurement. */
export interface ThroughputOptions {
  /** Stop sending after this many bytes (default {@link DEFAULT_MAX_BYTES}); the test ends once all are acked. */
  maxBytes?: number;
}

function refusedSend(err: unknown): Error {
  return new Error(`the data channel refused a send: ${err instanceof Error ? err.message : String(err)}`);
}

function runId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Measures how fast bytes reach the other end of `channel` (which must be open and served by
 * {@link serveThroughputPeer}). Sends {@link CHUNK_BYTES} chunks, refilling the queue up to 1 MiB on each
 * `bufferedamountlow` event (threshold 256 KiB), never on a timer; counts only what the peer acknowledged.
 * Ends after `durationMs` or once `maxBytes` were sent and acknowledged, whichever comes first; the rate
 * is the acknowledged bytes over that interval. Bytes still queued at the end are sent but not counted.
 * Samples cover `durationMs / 20` each (at least 100 ms, at most 1 s).
 * @param durationMs the longest the test runs, in ms (> 0).
 * @throws Error when the channel is not open, closes during the test, or refuses a send.
 */
export function measureThroughput(
  channel: RTCDataChannel,
  durationMs: number,
  options: ThroughputOptions = {},
): Promise<ThroughputResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve, reject) => {
    if (channel.readyState !== 'open') {
      reject(new Error(`the data channel is ${channel.readyState}, not open`));
      return;
    }
    const run = runId();
    try {
      channel.send(startMessage(run));
    } catch (err) {
      reject(refusedSend(err));
      return;
    }
    const chunk = new Uint8Array(CHUNK_BYTES);
    const meter = new ThroughputMeter(Math.min(1000, Math.max(100, durationMs / 20)));
    const startMs = performance.now();
    let sentBytes = 0;

    const stop = (): void => {
      clearTimeout(deadline);
      channel.removeEventListener('bufferedamountlow', fill);
      channel.removeEventListener('message', onMessage);
      channel.removeEventListener('close', onClose);
    };
    const finish = (): void => {
      stop();
      resolve(meter.finish(performance.now() - startMs));
    };
    const fail = (error: Error): void => {
      stop();
      reject(error);
    };
    function fill(): void {
      try {
        while (channel.bufferedAmount < HIGH_WATER_BYTES && sentBytes < maxBytes) {
          channel.send(chunk);
          sentBytes += CHUNK_BYTES;
        }
      } catch (err) {
        fail(refusedSend(err));
      }
    }
    function onMessage(event: MessageEvent): void {
      if (typeof event.data !== 'string') return;
      const total = parseAck(event.data, run);
      if (total === null) return;
      meter.ack(performance.now() - startMs, total);
      if (total >= sentBytes && sentBytes >= maxBytes) finish();
    }
    function onClose(): void {
      fail(new Error('the data channel closed during the throughput test'));
    }

    const deadline = setTimeout(finish, durationMs);
    channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    channel.addEventListener('bufferedamountlow', fill);
    channel.addEventListener('message', onMessage);
    channel.addEventListener('close', onClose);
    fill();
  });
}

/**
 * The other end of {@link measureThroughput}: counts the binary bytes received since the last `tp-start`
 * and answers each binary message with the running total. Runs for the life of the channel.
 */
export function serveThroughputPeer(channel: RTCDataChannel): void {
  channel.binaryType = 'arraybuffer';
  let run: string | null = null;
  let total = 0;
  channel.addEventListener('message', (event: MessageEvent) => {
    const { data } = event;
    if (typeof data === 'string') {
      const started = parseStart(data);
      if (started !== null) {
        run = started;
        total = 0;
      }
      return;
    }
    if (run === null || !(data instanceof ArrayBuffer) || channel.readyState !== 'open') return;
    total += data.byteLength;
    channel.send(ackMessage(run, total));
  });
}
