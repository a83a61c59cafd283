/**
 * File-descriptor exhaustion through TURN over TCP (issue 12, item 2): `serve` runs under a soft and hard
 * limit of 1,024 descriptors (systemd's default); one attacker source (127.0.0.66) opens 1,000 TCP
 * connections to the TURN TCP port and holds them. The process connection budget (100 per client IP,
 * half the descriptors for connections, the other half kept for relay sockets) closes all but 100 at
 * accept, so a client from 127.0.0.1 still gets a UDP Allocate (no 508 with EMFILE), a TCP Allocate and a
 * TLS handshake with an Allocate over it. Before the fix the attacker took every descriptor.
 */
import { describe, expect, it } from 'vitest';
import { RawTurnClient } from '../support/turn-raw.js';
import { legitAllocate, openHeld, stillOpen, useAttackedServer } from './held-connections.js';
import { record } from './tally.js';

const ATTACK = 1_000;
const PER_IP = 100;

describe('file descriptors under a TCP connection flood', () => {
  const attacked = useAttackedServer([], { tls: true, nofile: 1024 });

  it(`keeps descriptors for legit clients while one IP holds ${ATTACK} TCP connections`, async ({ task }) => {
    const { server } = attacked;
    const held = await openHeld(server.tcp, ATTACK);
    attacked.held = held;
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
