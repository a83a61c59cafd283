import { connect, type Socket } from 'node:net';
import type { TransportAddress } from '../../src/stun/address.js';

/** The source address of "one attacker" on loopback; legitimate clients use 127.0.0.1. */
export const ATTACKER_IP = '127.0.0.66';

/** One attacker connection: when it was connected and when the server closed it (ms, performance.now()). */
export interface HeldConnection {
  socket: Socket;
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
 * Opens `count` TCP connections to `target` from {@link ATTACKER_IP}, `BATCH` at a time, each waiting
 * for its connect (or failure, at most {@link CONNECT_WAIT_MS}), and keeps them: nothing is sent unless `onOpen` sends it. Each records
 * when the server closed it.
 */
export async function openHeld(
  target: TransportAddress,
  count: number,
  onOpen: (socket: Socket) => void = () => undefined,
): Promise<HeldConnection[]> {
  const held: HeldConnection[] = [];
  for (let i = 0; i < count; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - i) }, async () => {
      const socket = connect({ host: target.address, port: target.port, localAddress: ATTACKER_IP });
      const entry: HeldConnection = { socket, connectedMs: performance.now(), closedMs: null };
      held.push(entry);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        entry.closedMs = performance.now();
      });
      await new Promise<void>((resolve) => {
        socket.once('connect', () => {
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
export function release(held: readonly HeldConnection[]): void {
  for (const h of held) h.socket.destroy();
}
