/**
 * Graceful degradation of `ice-doctor serve` (a child process, loopback only):
 * - the total allocation quota full: 486 Allocation Quota Reached (RFC 8656 §7.2), every time, with no
 *   allocation created, while the allocations within quota keep relaying;
 * - the per-user quota full: 486 for that user;
 * - the relay port range exhausted: 508 Insufficient Capacity (RFC 8656 §7.2), answered at once;
 * - SIGTERM with allocations in flight: exit code 0 within 2 s, every relay port bindable again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StunClass } from '../../src/wire/constants.js';
import { getErrorCode, type StunMessage } from '../../src/wire/message.js';
import { echoPeer, RawTurnClient } from '../support/turn-raw.js';
import { udpBindable } from '../support/udp-port.js';
import { LegitClient } from './legit-client.js';
import { HARDENING_USER, type ServerProcess, startServerProcess } from './server-process.js';
import { record } from './tally.js';

/** Relay ports above the kernel's ephemeral range (32768–60999), so no other socket takes them. */
const RELAY_MIN = 62600;
const REFUSALS = 200;

const servers: ServerProcess[] = [];
const clients: RawTurnClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
});

async function serve(args: string[]): Promise<ServerProcess> {
  const s = await startServerProcess(args);
  servers.push(s);
  return s;
}

async function client(s: ServerProcess): Promise<RawTurnClient> {
  const c = await RawTurnClient.udp(s.udp);
  clients.push(c);
  return c;
}

const code = (m: StunMessage): number | undefined =>
  m.cls === StunClass.successResponse ? 200 : getErrorCode(m)?.code;

/** Allocates from `count` fresh clients; the codes answered, in order. */
async function allocateMany(s: ServerProcess, count: number, user = HARDENING_USER): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < count; i++) codes.push(code(await (await client(s)).allocate(user)) ?? 0);
  return codes;
}

describe('graceful degradation', () => {
  it('answers 486 once the total quota is full, keeps no extra state, and keeps relaying', async ({
    task,
  }) => {
    const s = await serve(['--relay-ports', `${RELAY_MIN}-${RELAY_MIN + 99}`, '--total-quota', '4']);
    const peer = await echoPeer();
    const legit = await LegitClient.open(s.udp, peer.address);
    expect(await allocateMany(s, 3)).toEqual([200, 200, 200]);
    const refused = await allocateMany(s, REFUSALS);
    const wrong = refused.filter((c) => c !== 486).length;
    const check = await legit.check();
    record(task, {
      area: 'degradation',
      check: 'total quota full → 486',
      tried: REFUSALS,
      failures: wrong + (check.ok ? 0 : 1),
      detail: `legit relay ${check.ok ? 'ok' : 'FAILED'} after the refusals`,
    });
    expect(wrong).toBe(0);
    expect(check).toMatchObject({ ok: true });
    expect(s.alive()).toBe(true);
    await legit.close();
    await peer.close();
  });

  it('answers 486 once a user quota is full', async ({ task }) => {
    const s = await serve(['--relay-ports', `${RELAY_MIN}-${RELAY_MIN + 99}`, '--user-quota', '2']);
    const codes = await allocateMany(s, 2 + REFUSALS / 4);
    const wrong = codes.slice(2).filter((c) => c !== 486).length;
    record(task, {
      area: 'degradation',
      check: 'user quota full → 486',
      tried: REFUSALS / 4,
      failures: wrong,
    });
    expect(codes.slice(0, 2)).toEqual([200, 200]);
    expect(wrong).toBe(0);
  });

  it('answers 508 at once when every relay port is taken', async ({ task }) => {
    const s = await serve(['--relay-ports', `${RELAY_MIN + 100}-${RELAY_MIN + 102}`]);
    expect(await allocateMany(s, 3)).toEqual([200, 200, 200]);
    const start = performance.now();
    const codes = await allocateMany(s, REFUSALS / 4);
    const msPerRefusal = (performance.now() - start) / codes.length;
    const wrong = codes.filter((c) => c !== 508).length;
    record(task, {
      area: 'degradation',
      check: 'relay port range exhausted → 508',
      tried: codes.length,
      failures: wrong,
      detail: `${msPerRefusal.toFixed(1)} ms per refusal (401 dance included)`,
    });
    expect(wrong).toBe(0);
    expect(msPerRefusal).toBeLessThan(500);
  });

  it('on SIGTERM closes its allocations and exits 0, freeing every relay port', async ({ task }) => {
    const ports = { min: RELAY_MIN + 200, max: RELAY_MIN + 219 };
    const s = await serve(['--relay-ports', `${ports.min}-${ports.max}`]);
    const peer = await echoPeer();
    const legit = await LegitClient.open(s.udp, peer.address);
    const codes = await allocateMany(s, 10);
    const flows = Array.from({ length: 5 }, () => legit.check());
    const start = performance.now();
    const exit = await s.stop('SIGTERM');
    const exitMs = performance.now() - start;
    await Promise.all(flows);
    const all = Array.from({ length: ports.max - ports.min + 1 }, (_, i) => ports.min + i);
    const stillBound = (await Promise.all(all.map(udpBindable))).filter((free) => !free).length;
    record(task, {
      area: 'degradation',
      check: 'SIGTERM with 11 allocations in flight',
      tried: 11,
      failures: (exit.code === 0 ? 0 : 1) + stillBound,
      detail: `exit ${exit.code} after ${exitMs.toFixed(0)} ms`,
    });
    expect(codes.every((c) => c === 200)).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(2_000);
    expect(s.stderr()).toContain('stopping: deleting allocations and closing sockets');
    expect(stillBound).toBe(0);
    await legit.close();
    await peer.close();
  });
});
