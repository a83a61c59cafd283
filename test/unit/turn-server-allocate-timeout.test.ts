/**
 * The allocate timeout of the stream listener (src/server/stun/tcp.ts): a connection with no allocation is
 * closed `allocateTimeoutMs` after its TCP accept, whatever it sends; over TLS the clock starts at the TCP
 * accept, not at the end of the handshake, so a client slow to send its ClientHello does not get more.
 * A connection whose dispatch made an allocation (`keepOpen(true)`) stays open.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindTcp } from '../../src/server/stun/bind.js';
import type { Dispatch } from '../../src/server/stun/dispatch.js';
import type { SocketRole } from '../../src/server/stun/socket-role.js';
import { listenStream, type StreamListener } from '../../src/server/stun/tcp.js';
import { generateSelfSignedCredentials } from '../../src/server/stun/tls-credentials.js';
import { transportAddress } from '../../src/wire/address.js';

const TIMEOUT_MS = 3_000;
/** How long the TLS client waits after its TCP connect before its ClientHello. */
const HELLO_DELAY_MS = 2_500;

/** A STUN Binding request header of 20 bytes with the magic cookie: any frame reaches dispatch. */
const FRAME = Buffer.from('000100002112a442000000000000000000000001', 'hex');

/** Answers nothing; a frame whose transaction ID ends in 0x02 "allocates" (keepOpen(true)). */
const dispatch: Dispatch = (bytes, ctx) => {
  if (bytes[19] === 2) ctx.link.keepOpen(true);
  return null;
};

const listeners: StreamListener[] = [];
let tcpPort = 0;
let tlsPort = 0;

async function listen(transport: 'tcp' | 'tls'): Promise<number> {
  const creds = transport === 'tls' ? await generateSelfSignedCredentials(['localhost']) : undefined;
  const server = await bindTcp('127.0.0.1', 0, creds && { cert: creds.cert, key: creds.key });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const role: SocketRole = 'A1:P1';
  listeners.push(
    listenStream(
      new Map([[role, server]]),
      new Map([[role, transportAddress('127.0.0.1', port)]]),
      dispatch,
      pino({ level: 'silent' }),
      transport,
      { allocateTimeoutMs: TIMEOUT_MS },
    ),
  );
  return port;
}

beforeAll(async () => {
  tcpPort = await listen('tcp');
  tlsPort = await listen('tls');
});

afterAll(() => Promise.all(listeners.map((l) => l.close())));

/** Ms from `startMs` until `socket` closes, or null when it is still open after `giveUpMs`. */
function closedAfter(socket: Socket, startMs: number, giveUpMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), giveUpMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - startMs);
    });
  });
}

async function tcpConnection(): Promise<{ socket: Socket; startMs: number }> {
  const socket = connect({ port: tcpPort, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, startMs: performance.now() };
}

describe('allocate timeout', () => {
  it('closes a TCP connection that sends requests but never allocates', async () => {
    const { socket, startMs } = await tcpConnection();
    const keepalive = setInterval(() => socket.write(FRAME), 500);
    const ms = await closedAfter(socket, startMs, TIMEOUT_MS + 5_000);
    clearInterval(keepalive);
    expect(ms).not.toBeNull();
    expect(ms!).toBeGreaterThan(TIMEOUT_MS - 500);
  });

  it('keeps a TCP connection that allocated', async () => {
    const { socket, startMs } = await tcpConnection();
    const allocate = Buffer.from(FRAME);
    allocate[19] = 2;
    socket.write(allocate);
    expect(await closedAfter(socket, startMs, TIMEOUT_MS + 1_500)).toBeNull();
    socket.destroy();
  });

  it('counts a TLS connection from its TCP accept, not from its handshake', async () => {
    const raw = connect({ port: tlsPort, host: '127.0.0.1' });
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.once('connect', resolve));
    const startMs = performance.now();
    const closed = closedAfter(raw, startMs, TIMEOUT_MS + HELLO_DELAY_MS + 5_000);
    await new Promise((r) => setTimeout(r, HELLO_DELAY_MS));
    const secure = tlsConnect({ socket: raw, rejectUnauthorized: false });
    secure.on('error', () => undefined);
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    const ms = await closed;
    expect(ms).not.toBeNull();
    // From the handshake it would be HELLO_DELAY_MS + TIMEOUT_MS (5.5 s); from the accept, 3 s.
    expect(ms!).toBeLessThan(TIMEOUT_MS + HELLO_DELAY_MS / 2);
  });
});
