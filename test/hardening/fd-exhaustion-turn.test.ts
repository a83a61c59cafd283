/**
 * File-descriptor exhaustion through TURN over TCP (issue 12, item 2): `serve` runs under a soft and hard
 * limit of 1,024 descriptors (systemd's default); one attacker source (127.0.0.66) opens 1,000 TCP
 * connections to the TURN TCP port and holds them. The process connection budget (100 per client IP,
 * half the descriptors for connections, the other half kept for relay sockets) closes all but 100 at
 * accept, so a client from 127.0.0.1 still gets a UDP Allocate (no 508 with EMFILE), a TCP Allocate and a
 * TLS handshake with an Allocate over it. Before the fix the attacker took every descriptor.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StunClass } from '../../src/stun/constants.js';
import { getErrorCode } from '../../src/stun/message.js';
import { RawTurnClient } from '../helpers/turn-raw.js';
import { type HeldConnection, openHeld, release, stillOpen } from './held-connections.js';
import { HARDENING_USER, type ServerProcess, startServerProcess } from './server-process.js';
import { record } from './tally.js';

const ATTACK = 1_000;
const PER_IP = 100;

interface LegitAllocate {
  name: string;
  ok: boolean;
  ms: number;
  outcome: string;
}

/** One Allocate as {@link HARDENING_USER} over a client `open` makes: ms taken and the outcome. */
async function legitAllocate(name: string, open: () => Promise<RawTurnClient>): Promise<LegitAllocate> {
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

describe('file descriptors under a TCP connection flood', () => {
  let server: ServerProcess;
  let held: HeldConnection[] = [];

  beforeAll(async () => {
    server = await startServerProcess([], { tls: true, nofile: 1024 });
  });

  afterAll(async () => {
    release(held);
    await server?.stop();
  });

  it(`keeps descriptors for legit clients while one IP holds ${ATTACK} TCP connections`, async ({ task }) => {
    held = await openHeld(server.tcp, ATTACK);
    await new Promise((r) => setTimeout(r, 1_000));
    const attackerHeld = stillOpen(held);
    const fds = server.fdCount();
    const legit = [
      await legitAllocate('UDP', () => RawTurnClient.udp(server.udp)),
      await legitAllocate('TCP', () => RawTurnClient.tcp(server.tcp)),
      await legitAllocate('TLS', () => RawTurnClient.tls(server.tls!)),
    ];
    const failed = legit.filter((l) => !l.ok);
    record(task, {
      area: 'fd',
      check: `${ATTACK} TCP connections from one IP, nofile 1024`,
      tried: ATTACK + legit.length,
      failures: (attackerHeld > PER_IP ? 1 : 0) + failed.length,
      detail:
        `attacker holds ${attackerHeld} (cap ${PER_IP}), server ${fds} fds; legit ` +
        legit.map((l) => `${l.name} ${l.ok ? `${l.ms.toFixed(0)} ms` : l.outcome}`).join(', '),
    });
    expect(attackerHeld).toBeLessThanOrEqual(PER_IP);
    expect(failed).toEqual([]);
    expect(server.stderr()).not.toContain('could not be bound');
  }, 90_000);
});
