/**
 * The relay proof's data channel echo: the proving end sends numbered `echo:<n>` text messages one at a
 * time, the other end sends each straight back, and each round trip is timed (ms, to 0.1 ms).
 */

const PREFIX = 'echo:';

/** Answers every `echo:` text message on `channel` with itself, for the life of the channel. */
export function serveEcho(channel: RTCDataChannel): void {
  channel.addEventListener('message', (event: MessageEvent) => {
    if (typeof event.data === 'string' && event.data.startsWith(PREFIX) && channel.readyState === 'open')
      channel.send(event.data);
  });
}

/** One echo's round trip in ms, or null when it did not come back within `waitMs`. */
function oneEcho(channel: RTCDataChannel, message: string, waitMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const sentMs = performance.now();
    const finish = (rtt: number | null): void => {
      clearTimeout(timer);
      channel.removeEventListener('message', onMessage);
      resolve(rtt);
    };
    const onMessage = (event: MessageEvent): void => {
      if (event.data === message) finish(Math.round((performance.now() - sentMs) * 10) / 10);
    };
    const timer = setTimeout(() => finish(null), waitMs);
    channel.addEventListener('message', onMessage);
    try {
      channel.send(message);
    } catch {
      finish(null);
    }
  });
}

/**
 * Sends up to `count` echoes in turn over the open `channel` (served by {@link serveEcho}) and returns the
 * round trips of those that came back, in ms. Stops at the first lost echo or once `deadlineMs` is spent.
 * Never rejects.
 */
export async function echoRtts(
  channel: RTCDataChannel,
  count: number,
  deadlineMs: number,
): Promise<number[]> {
  const endMs = performance.now() + deadlineMs;
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) {
    const leftMs = endMs - performance.now();
    if (leftMs <= 0) break;
    const rtt = await oneEcho(channel, `${PREFIX}${i}`, leftMs);
    if (rtt === null) break;
    rtts.push(rtt);
  }
  return rtts;
}
