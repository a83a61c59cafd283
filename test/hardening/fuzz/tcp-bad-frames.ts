import type { TransportAddress } from '../../../src/wire/address.js';
import type { Round } from './campaign.js';
import { framedProbe, streamTail } from './gen-stream.js';
import type { Prng } from './prng.js';
import { probeRound } from './probe-round.js';
import { StreamConn } from './stream-conn.js';

/** How long the server may take to close a connection it must close, in ms. */
export const CLOSE_TIMEOUT_MS = 2_000;
/** Most well-framed malformed frames sent on one connection before its garbage tail. */
const MAX_FRAMES_PER_CONNECTION = 300;

/**
 * Ends a fuzzed connection with a garbage tail (see {@link streamTail}): the server must close it by itself
 * when the tail is recognisably not STUN, else once the stream ends (FIN after a frame that never completes).
 * On a connection with an allocation (`allocated`), bytes 0x40–0x7F start ChannelData, which may be long:
 * such a tail is only garbage once the stream ends.
 * @returns what went wrong, if anything.
 */
export async function endWithGarbage(conn: StreamConn, rng: Prng, allocated = false): Promise<string[]> {
  const tail = streamTail(rng);
  const closesAlone = tail.closesAlone && !(allocated && (tail.bytes[0]! & 0xc0) === 0x40);
  conn.send(tail.bytes);
  if (!closesAlone) conn.end();
  const wrong: string[] = [];
  if (!(await conn.waitClosed(CLOSE_TIMEOUT_MS))) {
    wrong.push(
      `connection still open ${CLOSE_TIMEOUT_MS} ms after a ${tail.kind} tail${closesAlone ? '' : ' and FIN'}`,
    );
    conn.destroy();
  }
  if (conn.garbled > 0) wrong.push('the server wrote bytes that are neither STUN nor ChannelData');
  return wrong;
}

/**
 * TCP random bytes and bad frames, one connection at a time from 127.0.0.1 with no allocation:
 * - a third of the connections get 1–3 chunks of random bytes, then FIN: the server must close them;
 * - the rest get 1–300 well-framed malformed messages ({@link framedProbe}, judged like datagrams: 400 to
 *   requests whose attributes overrun, success to valid Binding requests, an answer to the largest frame a
 *   header can announce), then a garbage tail ({@link endWithGarbage}).
 * Each chunk, frame and tail counts as one message.
 */
export function tcpBadFrameRounds(server: TransportAddress, rng: Prng): (max: number) => Promise<Round> {
  let conn: StreamConn | null = null;
  let left = 0;
  return async (max) => {
    if (!conn) {
      conn = await StreamConn.open(server);
      if (rng.chance(1 / 3)) {
        const c = conn;
        conn = null;
        const chunks = Math.min(max, rng.int(1, 3));
        for (let i = 0; i < chunks; i++) c.send(rng.bytes(rng.int(1, 4_000)));
        c.end();
        const closed = await c.waitClosed(CLOSE_TIMEOUT_MS);
        if (!closed) c.destroy();
        return { sent: chunks, wrong: closed ? [] : ['random-byte stream left open after FIN'] };
      }
      left = rng.int(1, MAX_FRAMES_PER_CONNECTION);
    }
    const r = await probeRound(conn, () => framedProbe(rng), Math.min(max, left));
    left -= r.sent;
    if (left > 0) return r;
    const wrong = await endWithGarbage(conn, rng);
    conn = null;
    return { sent: r.sent + 1, wrong: [...r.wrong, ...wrong] };
  };
}
