import { connectSignal, type SignalClient } from '../helpers/web-report.js';

/** How long each step of {@link signalingVisitor} may take, in ms. */
const STEP_MS = 5000;

/**
 * A legitimate visitor of the report page from 127.0.0.1 (Origin: the page's own): one socket creates a
 * room, a second joins it, and the broadcaster's offer is relayed to the watcher (signaling-schema.ts).
 * The sockets are pushed onto `open` (for the caller to terminate).
 * @returns the time from the first upgrade to the relayed offer, in ms; or what failed, in words.
 */
export async function signalingVisitor(
  url: string,
  open: SignalClient[],
): Promise<{ ms: number } | { failed: string }> {
  const started = performance.now();
  try {
    const b = await connectSignal(url);
    open.push(b);
    b.send({ type: 'create' });
    const room = await b.next(STEP_MS);
    if (room.type !== 'room') return { failed: `create → ${JSON.stringify(room)}` };
    const w = await connectSignal(url);
    open.push(w);
    w.send({ type: 'join', room: room.room });
    const joined = await w.next(STEP_MS);
    if (joined.type !== 'room') return { failed: `join → ${JSON.stringify(joined)}` };
    const peer = await b.next(STEP_MS);
    if (peer.type !== 'peer-joined') return { failed: `broadcaster got ${JSON.stringify(peer)}` };
    b.send({ type: 'signal', to: peer.peerId, payload: { kind: 'offer', sdp: 'v=0\r\n' } });
    const relayed = await w.next(STEP_MS);
    if (relayed.type !== 'signal') return { failed: `watcher got ${JSON.stringify(relayed)}` };
    return { ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { failed: err instanceof Error ? err.message : String(err) };
  }
}
