import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { TransportAddress } from '../../src/wire/address.js';
import { StunClass } from '../../src/wire/constants.js';
import { getErrorCode } from '../../src/wire/message.js';
import type { RawTurnClient } from '../support/turn-raw.js';
import {
  HARDENING_USER,
  type ServerProcess,
  type ServerProcessOptions,
  startServerProcess,
} from './server-process.js';

/** The source address of "one attacker" on loopback; legitimate clients use 127.0.0.1. */
export const ATTACKER_IP = '127.0.0.66';

/** One attacker connection: when it was connected and when the server closed it (ms, performance.now()). */
export interface HeldConnection {
  socket: Socket;
  /** Whether its TCP handshake completed. */
  connected: boolean;
  connectedMs: number;
  /** null while open. A connection refused or reset before it connected counts as closed at once. */
  closedMs: number | null;
}

/** Connections opened per batch: the listen backlog (511) is never the limit being measured. */
const BATCH = 100;
/**
 * Longest wait for one connect, in ms: a server that stopped accepting (descriptors exhausted) leaves
 * the connection in its backlog, SYN retried for minutes; it stays held, counted as open.
 */
const CONNECT_WAIT_MS = 1_000;

/**
 * Opens `count` TCP connections to `target`, `BATCH` at a time, from the `sources` addresses round-robin
 * (loopback addresses, one attacker IP each; default {@link ATTACKER_IP}), each waiting for its connect
 * (or failure, at most {@link CONNECT_WAIT_MS}), and keeps them: nothing is sent unless `onOpen` sends it.
 * Each records when the server closed it.
 */
export async function openHeld(
  target: TransportAddress,
  count: number,
  onOpen: (socket: Socket) => void = () => undefined,
  sources: readonly string[] = [ATTACKER_IP],
): Promise<HeldConnection[]> {
  const held: HeldConnection[] = [];
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, async (_, k) => {
      const localAddress = sources[(i + k) % sources.length];
      const socket = connect({ host: target.address, port: target.port, localAddress });
      const entry: HeldConnection = {
        socket,
        connected: false,
        connectedMs: performance.now(),
        closedMs: null,
      };
      held.push(entry);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        entry.closedMs = performance.now();
      });
      await new Promise<void>((resolve) => {
        socket.once('connect', () => {
          entry.connected = true;
          entry.connectedMs = performance.now();
          onOpen(socket);
          resolve();
        });
        socket.once('close', () => resolve());
        setTimeout(resolve, CONNECT_WAIT_MS);
      });
    });
    await Promise.all(batch);
  }
  return held;
}

/** How many of `held` the server has not closed. */
export function stillOpen(held: readonly HeldConnection[]): number {
  return held.filter((h) => h.closedMs === null).length;
}

/** Waits until every connection of `held` is closed or `timeoutMs` passed; resolves with those still open. */
export async function waitClosed(held: readonly HeldConnection[], timeoutMs: number): Promise<number> {
  const end = performance.now() + timeoutMs;
  while (stillOpen(held) > 0 && performance.now() < end) await new Promise((r) => setTimeout(r, 100));
  return stillOpen(held);
}

/** Destroys every connection of `held` still open (the attacker letting go). */
function release(held: readonly HeldConnection[]): void {
  for (const h of held) h.socket.destroy();
}

/** The server of one attack test and the attacker's connections, released after the test. */
export interface AttackedServer {
  server: ServerProcess;
  held: HeldConnection[];
}

/**
 * Starts a `serve` child (startServerProcess with `extraArgs` and `options`) before the tests of the
 * calling `describe` and, after them, releases every connection put in `held` and stops the server.
 */
export function useAttackedServer(
  extraArgs: readonly string[] = [],
  options: ServerProcessOptions = {},
): AttackedServer {
  const state: AttackedServer = { server: undefined as unknown as ServerProcess, held: [] };
  beforeAll(async () => {
    state.server = await startServerProcess(extraArgs, options);
  });
  afterAll(async () => {
    release(state.held);
    await state.server?.stop();
  });
  return state;
}

/** A legitimate client's Allocate: whether it succeeded, in how long (ms), and the outcome in words. */
export interface LegitAllocate {
  name: string;
  ok: boolean;
  ms: number;
  outcome: string;
}

/**
 * One Allocate as {@link HARDENING_USER} over the client `open` makes (its connection, for TCP and TLS
 * its handshake, given at most 5 s), from 127.0.0.1; the client is closed after (a stream destroyed: a
 * server out of descriptors may never answer its FIN).
 */
export async function legitAllocate(
  name: string,
  open: () => Promise<RawTurnClient>,
): Promise<LegitAllocate> {
  const start = performance.now();
  try {
    const client = await Promise.race([
      open(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no ${name} connection within 5 s`)), 5_000),
      ),
    ]);
    try {
      const res = await client.allocate(HARDENING_USER);
      const ok = res.cls === StunClass.successResponse;
      const error = getErrorCode(res);
      return {
        name,
        ok,
        ms: performance.now() - start,
        outcome: ok ? 'ok' : `${error?.code} ${error?.reason}`,
      };
    } finally {
      if ('socket' in client) (client.socket as Socket).destroy();
      else await client.close();
    }
  } catch (err) {
    return { name, ok: false, ms: performance.now() - start, outcome: (err as Error).message };
  }
}
