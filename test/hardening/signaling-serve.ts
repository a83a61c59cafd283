import { connectSignal, type SignalClient } from '../support/web-report.js';
import { startHardened } from './server-process.js';

/** A `serve` with its report page, as the signaling tests meet it. */
export interface SignalingServe {
  /** The server process's pid (for /proc/PID/status). */
  pid: number;
  /** The page's HTTP URL, e.g. `http://127.0.0.1:41627/`. */
  pageUrl: string;
  /** Its signaling WebSocket, e.g. `ws://127.0.0.1:41627/signal`. */
  signalUrl: string;
  /** Its log so far (stderr). */
  stderr(): string;
}

/**
 * Starts `serve` with the report page and default limits (server-process.ts `startHardened`; stop it
 * with `stopServes`).
 * @throws Error when it does not start or prints no report URL.
 */
export async function startSignalingServe(): Promise<SignalingServe> {
  const s = await startHardened([], { report: true });
  if (!s.listening) throw new Error(`serve did not start: ${s.stderr}`);
  const pageUrl = s.line.report?.url;
  if (!pageUrl) throw new Error('serve printed no report URL');
  return { pid: s.pid, pageUrl, signalUrl: `${pageUrl.replace(/^http/, 'ws')}signal`, stderr: s.stderr };
}

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
