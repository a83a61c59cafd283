/**
 * The stream listener (src/server/stun/tcp.ts) writes each reply at once: its connections have Nagle's
 * algorithm off (TCP_NODELAY). With it on, a burst of requests got its first reply at once and the rest
 * only when the client's delayed ACK came back, ~40 ms later on Linux: a TCP client paid that on every
 * burst of requests, and relayed media to a TCP client waited as long.
 */
import { connect } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindTcp } from '../../src/server/stun/bind.js';
import type { Dispatch } from '../../src/server/stun/dispatch.js';
import type { SocketRole } from '../../src/server/stun/socket-role.js';
import { listenStream, type StreamListener } from '../../src/server/stun/tcp.js';
import { transportAddress } from '../../src/wire/address.js';
import { buildMessage } from '../../src/wire/build.js';
import { StunClass, StunMethod } from '../../src/wire/constants.js';
import { StreamFramer } from '../../src/wire/framing.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';

const BURST = 8;
const BURSTS = 15;

/** Answers every frame with itself, from the socket it came to. */
const echo: Dispatch = (bytes, ctx) => ({ bytes: Buffer.from(bytes), from: ctx.localRole, to: ctx.remote });

let listener: StreamListener;
let port = 0;

beforeAll(async () => {
  const server = await bindTcp('127.0.0.1', 0);
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const role: SocketRole = 'A1:P1';
  listener = listenStream(
    new Map([[role, server]]),
    new Map([[role, transportAddress('127.0.0.1', port)]]),
    echo,
    pino({ level: 'silent' }),
  );
});

afterAll(() => listener.close());

describe('TCP replies', () => {
  it(`answer a burst of ${BURST} requests within a few ms, every time (no wait for a delayed ACK)`, async () => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await new Promise((resolve) => socket.once('connect', resolve));
    const framer = new StreamFramer();
    let replies = 0;
    let wake = (): void => undefined;
    socket.on('data', (chunk: Buffer) => {
      replies += framer.push(chunk).length;
      wake();
    });
    const burstMs: number[] = [];
    for (let b = 0; b < BURSTS; b++) {
      const request = (): Buffer =>
        buildMessage({
          method: StunMethod.binding,
          cls: StunClass.request,
          transactionId: newTransactionId(),
        });
      const start = performance.now();
      replies = 0;
      socket.write(Buffer.concat(Array.from({ length: BURST }, request)));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        wake = () => {
          if (replies < BURST) return;
          clearTimeout(timer);
          resolve();
        };
      });
      expect(replies).toBe(BURST);
      burstMs.push(performance.now() - start);
    }
    socket.destroy();
    burstMs.sort((x, y) => x - y);
    expect(burstMs[Math.floor(BURSTS / 2)]).toBeLessThan(20);
  });
});
