/**
 * Slow frames over TCP (the slow-request attack of HTTP servers, applied to RFC 8489 §6.2.2 framing):
 * a client that trickles one byte of a STUN message every 2 s restarts the server's 30-s idle timeout
 * each time, so only the frame deadline (tcp.ts, TCP_FRAME_DEADLINE_MS = 10 s) ends it. Several such
 * connections are closed 10–14 s after their first byte, while a client that sends its request in pieces
 * within a second is answered, and the server's file descriptors return to their baseline.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMessage } from '../../src/wire/build.js';
import { StunClass, StunMethod } from '../../src/wire/constants.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { pollUntil } from '../support/uclient.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { record } from './tally.js';

const TRICKLERS = 20;
const TRICKLE_EVERY_MS = 2_000;
/** A trickler still open this long after its first byte counts as a failure (the idle timeout is 30 s). */
const GIVE_UP_MS = 16_000;

const binding = (): Buffer =>
  buildMessage({ method: StunMethod.binding, cls: StunClass.request, transactionId: newTransactionId() });

async function open(server: ServerProcess): Promise<Socket> {
  const socket = connect(server.tcp.port, server.tcp.address);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

/**
 * Writes `bytes` one byte every `everyMs` until the server closes: ms from the first byte to the close, or
 * null when it was still open after {@link GIVE_UP_MS}.
 */
async function trickle(socket: Socket, bytes: Buffer, everyMs: number): Promise<number | null> {
  const start = performance.now();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let open = true;
  void closed.then(() => {
    open = false;
  });
  for (let i = 0; i < bytes.length - 1 && open && performance.now() - start < GIVE_UP_MS; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await Promise.race([closed, new Promise((r) => setTimeout(r, everyMs))]);
  }
  if (open) {
    socket.destroy();
    return null;
  }
  return performance.now() - start;
}

describe('slow frames over TCP', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('closes connections that trickle a frame for longer than 10 s, and answers a split request', async ({
    task,
  }) => {
    const fdsBefore = server.fdCount();
    const sockets = await Promise.all(Array.from({ length: TRICKLERS }, () => open(server)));
    const closing = sockets.map((s) => trickle(s, binding(), TRICKLE_EVERY_MS));

    const split = await open(server);
    const request = binding();
    const answered = new Promise<Buffer>((resolve) => split.once('data', resolve));
    for (const part of [request.subarray(0, 3), request.subarray(3, 15), request.subarray(15)]) {
      split.write(part);
      await new Promise((r) => setTimeout(r, 200));
    }
    const answer = await Promise.race([answered, new Promise<null>((r) => setTimeout(() => r(null), 2_000))]);
    split.destroy();

    const closedAfterMs = await Promise.all(closing);
    const wrong = closedAfterMs.filter((ms) => ms === null || ms < 10_000 || ms > 14_000).length;
    const fdsBack = await pollUntil(() => server.fdCount() <= fdsBefore, 3_000);
    const worst = Math.max(...closedAfterMs.map((ms) => ms ?? Number.POSITIVE_INFINITY));
    record(task, {
      area: 'tcp',
      check: 'slow frames (1 byte / 2 s) closed by the frame deadline',
      tried: TRICKLERS,
      failures: wrong + (answer ? 0 : 1) + (fdsBack === null ? 1 : 0),
      detail: `closed after ${(Math.min(...closedAfterMs.map((ms) => ms ?? 0)) / 1000).toFixed(1)}–${(worst / 1000).toFixed(1)} s; fds ${fdsBefore}→${server.fdCount()}`,
    });
    expect(answer?.readUInt16BE(0)).toBe(0x0101);
    expect(closedAfterMs.map((ms) => ms !== null && ms >= 10_000 && ms <= 14_000)).toEqual(
      Array(TRICKLERS).fill(true),
    );
    expect(fdsBack).not.toBeNull();
  }, 30_000);
});
