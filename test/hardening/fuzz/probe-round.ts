import { buildMessage } from '../../../src/wire/build.js';
import { StunClass, StunMethod } from '../../../src/wire/constants.js';
import { newTransactionId } from '../../../src/wire/transaction-id.js';
import type { Round } from './campaign.js';
import { judge, type Probe, replyKey } from './expect.js';

/** A fuzzing socket: a UDP socket or a TCP connection that keeps the STUN responses it receives. */
export interface FuzzTransport {
  /** Sends one datagram, or writes one frame. */
  send(bytes: Buffer): void;
  /** Sends a request and resolves with its response, or `null` after `timeoutMs`. */
  exchange(bytes: Buffer, timeoutMs?: number): Promise<Buffer | null>;
  /** The responses received since the last call, by transaction ID (hex). */
  takeReplies(): Map<string, Buffer>;
}

/**
 * Most datagrams sent before the server is asked to catch up. With {@link WINDOW_BYTES} it keeps a window
 * well inside the server socket's receive buffer (net.core.rmem_default, 208 KiB, kernel overhead included),
 * so the kernel drops nothing and every datagram sent is one the server parsed.
 */
export const WINDOW_MESSAGES = 64;
/** Most bytes sent before the server is asked to catch up. */
const WINDOW_BYTES = 48 * 1024;
/** How long the server has to answer the Binding request that closes a window, in ms. */
const PING_TIMEOUT_MS = 2_000;
/** How long answers may lag behind the ping (Allocate answers after binding a socket), in ms. */
const LATE_MS = 300;

/**
 * One round over `socket`: up to `max` probes from `next` (at most one window), then a Binding request on
 * the same socket or connection; once it is answered, the server has read every message before it (one
 * socket, one queue, in order; or one stream). Every probe is then judged against the responses by
 * transaction ID; a window whose Binding request goes unanswered is one wrong answer.
 */
export async function probeRound(socket: FuzzTransport, next: () => Probe, max: number): Promise<Round> {
  const probes: Probe[] = [];
  let bytes = 0;
  while (probes.length < Math.min(max, WINDOW_MESSAGES) && bytes < WINDOW_BYTES) {
    const p = next();
    socket.send(p.bytes);
    probes.push(p);
    bytes += p.bytes.length;
  }
  const ping = buildMessage({
    method: StunMethod.binding,
    cls: StunClass.request,
    transactionId: newTransactionId(),
  });
  const pong = await socket.exchange(ping, PING_TIMEOUT_MS);
  const replies = socket.takeReplies();
  const mustAnswer = probes.filter((p) => p.expect.kind !== 'none' && p.expect.kind !== 'any');
  const missing = (): boolean => mustAnswer.some((p) => !replies.has(replyKey(p.bytes)));
  for (let waited = 0; waited < LATE_MS && missing(); waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
    for (const [k, v] of socket.takeReplies()) replies.set(k, v);
  }
  const wrong: string[] = pong ? [] : ['Binding request closing a window unanswered'];
  for (const p of probes) {
    const why = judge(p.expect, replies.get(replyKey(p.bytes)));
    if (why) wrong.push(`${why} (input ${describeInput(p.bytes)})`);
  }
  return { sent: probes.length, wrong };
}

/** The first bytes of a fuzzed input in hex, for a failure message that lets one recognise it. */
function describeInput(bytes: Buffer): string {
  return `${bytes.length} bytes ${bytes.subarray(0, 24).toString('hex')}${bytes.length > 24 ? '…' : ''}`;
}
