import type { RelayProbe } from './gen-channel-data.js';
import type { SinkPeer } from './sink-peer.js';

/** How long a relayed marker may take to reach the peer, in ms. */
const MARKER_TIMEOUT_MS = 2_000;

let markers = 0;

/**
 * Sends `probes` with `send`, then a valid ChannelData carrying a unique marker (`frame` wraps a payload),
 * and waits for the marker at `sink`: the server has then relayed or discarded every probe before it (one
 * 5-tuple, handled in order). The datagrams the peer got before the marker must be exactly the probes'
 * `relayed` payloads, in order; none may come after it.
 * @returns a description of each difference (empty when the relay did exactly its job).
 */
export async function relayRound(
  probes: readonly RelayProbe[],
  send: (bytes: Buffer) => void,
  frame: (payload: Buffer) => Buffer,
  sink: SinkPeer,
): Promise<string[]> {
  const wrong: string[] = [];
  const stale = sink.take();
  if (stale.length > 0) wrong.push(`${stale.length} datagrams relayed after the previous marker`);
  for (const p of probes) send(p.bytes);
  const marker = Buffer.from(`marker-${++markers}`);
  send(frame(marker));
  if (!(await sink.waitFor((b) => b.equals(marker), MARKER_TIMEOUT_MS))) {
    wrong.push(`marker not relayed within ${MARKER_TIMEOUT_MS} ms`);
    sink.take();
    return wrong;
  }
  const got = sink.take();
  const at = got.findIndex((b) => b.equals(marker));
  const before = got.slice(0, at);
  if (at < got.length - 1) wrong.push(`${got.length - 1 - at} datagrams relayed after the marker`);
  const expected = probes.flatMap((p) => (p.relayed ? [p.relayed] : []));
  if (before.length !== expected.length) {
    wrong.push(`peer got ${before.length} datagrams, expected ${expected.length}`);
    return wrong;
  }
  const differing = expected.findIndex((e, i) => !e.equals(before[i]!));
  if (differing >= 0)
    wrong.push(
      `relayed datagram ${differing} is ${before[differing]!.length} bytes, expected ${expected[differing]!.length}`,
    );
  return wrong;
}
