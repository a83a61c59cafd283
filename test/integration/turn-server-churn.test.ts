/**
 * Allocation churn of the bundled TURN server (src/server/turn/server.ts), in-process on loopback,
 * driven by ice-doctor's own TURN client (`TurnSession`, one UDP socket per allocation):
 * - 1,000 allocations (at most 50 Allocate transactions in flight), half deleted by Refresh(LIFETIME 0),
 *   half left to expire (allocation lifetime 2 s): afterwards the allocation table is empty, no relay port
 *   is bound, every port of the relay range that was bindable before is bindable again, and this process
 *   holds as many file descriptors (`/proc/self/fd`) as before. The clients of the expiring half keep
 *   their sockets until the server has expired their allocations (a Refresh is then answered 437): a
 *   closed socket's ephemeral port is soon handed to a new socket, whose Allocate would find the old
 *   allocation on its 5-tuple (437, as RFC 8656 §7.2 requires);
 * - usernames that are keys of `Object.prototype` (`constructor`, `__proto__`, `toString`,
 *   `hasOwnProperty`) never authenticate, whatever the password (empty and 'undefined' included), on a
 *   server with a normal user and on one with a TURN REST secret, while the real credentials do.
 */
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTurnFlags, type TurnFlags } from '../../src/cli/config/turn-flags.js';
import { RttEstimator } from '../../src/client/transport/rtt.js';
import type { TurnCredentials } from '../../src/client/turn-check/auth-dance.js';
import { TurnSession } from '../../src/client/turn-check/session.js';
import { type RunningTurnServer, startTurnServer } from '../../src/server/turn/server.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { getAddress, getErrorCode, getUint32 } from '../../src/wire/message.js';
import { mintRestCredentials } from '../../src/wire/rest-credentials.js';
import { pollUntil } from '../support/uclient.js';
import { udpBindable } from '../support/udp-port.js';

const LISTEN = ['127.0.0.1', '127.0.0.2'];
/** 1,000 relay ports above the kernel's ephemeral range (32768–60999), so no other socket takes them. */
const RELAY_MIN = 61500;
const RELAY_MAX = 62499;
const ALLOCATIONS = 1000;
const IN_FLIGHT = 50;
const LIFETIME_S = 2;
/** REQUESTED-TRANSPORT value for UDP (RFC 8656 §18.6: protocol 17 in the first byte). */
const UDP_TRANSPORT = 17 << 24;

const servers: RunningTurnServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(flags: TurnFlags): Promise<RunningTurnServer> {
  const turn = parseTurnFlags({ tls: false, ...flags }, LISTEN, true, {});
  const server = await startTurnServer({ addresses: LISTEN, port: 0, turn });
  servers.push(server);
  return server;
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** The ports of the relay range bindable now, tried 100 at a time. */
async function bindablePorts(): Promise<Set<number>> {
  const out = new Set<number>();
  for (let base = RELAY_MIN; base <= RELAY_MAX; base += 100) {
    const ports = Array.from({ length: Math.min(100, RELAY_MAX - base + 1) }, (_, i) => base + i);
    const ok = await Promise.all(ports.map(udpBindable));
    ports.forEach((p, i) => {
      if (ok[i]) out.add(p);
    });
  }
  return out;
}

function open(
  server: RunningTurnServer,
  credentials: TurnCredentials,
  rtt: RttEstimator,
): Promise<TurnSession> {
  return TurnSession.open({
    transport: 'udp',
    to: server.turnUdp[0]!,
    connectTimeoutMs: 2000,
    signal: AbortSignal.timeout(30_000),
    credentials,
    rtt,
  });
}

/** Allocate (after the 401 challenge); the relayed port, or a description of what came back instead. */
async function allocate(session: TurnSession): Promise<number | string> {
  const r = await session.request(StunMethod.allocate, [
    { type: Attr.REQUESTED_TRANSPORT, uint32: UDP_TRANSPORT },
  ]);
  if (r.response?.cls !== StunClass.successResponse)
    return `Allocate: ${r.failure?.message ?? getErrorCode(r.response!)?.code}`;
  return getAddress(r.response, Attr.XOR_RELAYED_ADDRESS)?.port ?? 'Allocate: no XOR-RELAYED-ADDRESS';
}

/** Refresh with LIFETIME `lifetimeS`: the LIFETIME answered, or the error code (or failure) as a string. */
async function refresh(session: TurnSession, lifetimeS: number): Promise<number | string> {
  const r = await session.request(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: lifetimeS }]);
  if (r.response?.cls === StunClass.successResponse)
    return getUint32(r.response, Attr.LIFETIME) ?? 'no LIFETIME';
  return r.response ? String(getErrorCode(r.response)?.code) : `failure: ${r.failure?.message}`;
}

describe('TURN server allocation churn', () => {
  it('1,000 allocations, half deleted by Refresh(0), half expired: fds, relay ports and table back to baseline', async () => {
    const server = await serve({
      user: ['u:p'],
      relayPorts: `${RELAY_MIN}-${RELAY_MAX}`,
      allocationLifetime: String(LIFETIME_S),
      maxAllocationLifetime: String(LIFETIME_S),
      userQuota: String(ALLOCATIONS),
      totalQuota: String(ALLOCATIONS),
    });
    const table = server.engine.table;
    const credentials = { username: 'u', password: 'p' };
    const rtt = new RttEstimator();

    // Warm-up: whatever Node opens lazily on the first sockets is open before the baseline.
    for (let i = 0; i < 5; i++) {
      const s = await open(server, credentials, rtt);
      expect(typeof (await allocate(s))).toBe('number');
      expect(await refresh(s, 0)).toBe(0);
      s.close();
    }
    expect(await pollUntil(() => table.size === 0 && table.relayPortsBound === 0, 2000)).not.toBeNull();
    const freeBefore = await bindablePorts();
    const fdBaseline = openFds();
    expect(freeBefore.size).toBeGreaterThan(ALLOCATIONS / 2 + IN_FLIGHT);

    const start = performance.now();
    const problems: string[] = [];
    const relayPorts = new Set<number>();
    const silent: TurnSession[] = [];
    let deleted = 0;
    let abandoned = 0;
    let peakAllocations = 0;
    let peakPorts = 0;
    let peakFds = fdBaseline;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < ALLOCATIONS; i = next++) {
        const session = await open(server, credentials, rtt);
        let keep = false;
        try {
          const port = await allocate(session);
          if (typeof port === 'string') {
            problems.push(`#${i} ${port}`);
            continue;
          }
          relayPorts.add(port);
          peakAllocations = Math.max(peakAllocations, table.size);
          peakPorts = Math.max(peakPorts, table.relayPortsBound);
          if (i % 25 === 0) peakFds = Math.max(peakFds, openFds());
          if (i % 2 === 0) {
            const lifetime = await refresh(session, 0);
            if (lifetime === 0) deleted++;
            else problems.push(`#${i} Refresh(0): ${lifetime}`);
          } else {
            abandoned++;
            keep = true;
            silent.push(session);
          }
        } finally {
          if (!keep) session.close();
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const churnMs = performance.now() - start;
    expect(problems.slice(0, 10)).toEqual([]);
    expect(deleted).toBe(ALLOCATIONS / 2);
    expect(abandoned).toBe(ALLOCATIONS / 2);
    expect(relayPorts.size).toBeGreaterThan(1);
    // The count is sensitive: the silent clients' sockets and their relay sockets were open at once.
    expect(peakFds - fdBaseline).toBeGreaterThan(ALLOCATIONS / 2);
    expect(peakPorts).toBeGreaterThan(ALLOCATIONS / 4);
    for (const p of relayPorts) expect(p >= RELAY_MIN && p <= RELAY_MAX, `relay port ${p}`).toBe(true);

    // The abandoned half expires: LIFETIME 2 s, swept every second.
    const drainMs = await pollUntil(() => table.size === 0, (LIFETIME_S + 3) * 1000);
    expect(drainMs, `${table.size} allocations left`).not.toBeNull();
    expect(table.relayPortsBound).toBe(0);
    // Expired, not just forgotten by this client: the server says there is no allocation (437).
    const answers: (number | string)[] = [];
    for (let i = 0; i < silent.length; i += IN_FLIGHT)
      answers.push(...(await Promise.all(silent.slice(i, i + IN_FLIGHT).map((w) => refresh(w, 600)))));
    for (const w of silent) w.close();
    expect(answers.filter((a) => a !== '437').slice(0, 10)).toEqual([]);
    expect(answers.length).toBe(ALLOCATIONS / 2);
    const fdSettledMs = await pollUntil(() => openFds() === fdBaseline, 5000);
    const fdAfter = openFds();
    expect(fdAfter, `fds: baseline ${fdBaseline}, after ${fdAfter}`).toBe(fdBaseline);
    const freeAfter = await bindablePorts();
    const stillBound = [...freeBefore].filter((p) => !freeAfter.has(p));
    expect(stillBound.slice(0, 10)).toEqual([]);

    console.info(
      `[churn] ${ALLOCATIONS} allocations (${deleted} Refresh(0), ${abandoned} expired) in ${(churnMs / 1000).toFixed(1)} s ` +
        `(${IN_FLIGHT} in flight); peak ${peakAllocations} allocations / ${peakPorts} relay ports bound; ` +
        `${relayPorts.size} distinct relay ports; drained ${((drainMs ?? 0) / 1000).toFixed(1)} s after; ` +
        `fds ${fdBaseline} → peak ${peakFds} → ${fdAfter} (settled in ${Math.round(fdSettledMs ?? 0)} ms); ` +
        `${freeAfter.size}/${RELAY_MAX - RELAY_MIN + 1} relay ports bindable (${freeBefore.size} before)`,
    );
  }, 90_000);

  const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
  const PASSWORDS = ['', 'undefined', 'null', 'p', '[object Object]'];

  async function expectNeverAuthenticates(server: RunningTurnServer): Promise<void> {
    const rtt = new RttEstimator();
    for (const username of PROTOTYPE_KEYS) {
      for (const password of PASSWORDS) {
        const session = await open(server, { username, password }, rtt);
        try {
          const r = await session.request(StunMethod.allocate, [
            { type: Attr.REQUESTED_TRANSPORT, uint32: UDP_TRANSPORT },
          ]);
          const what = `${JSON.stringify(username)} / ${JSON.stringify(password)}`;
          expect(r.failure, what).toBeNull();
          expect(r.authenticated, what).toBe(true);
          expect(r.response!.cls, what).toBe(StunClass.errorResponse);
          expect(getErrorCode(r.response!)?.code, what).toBe(401);
        } finally {
          session.close();
        }
      }
    }
    expect(server.engine.table.size).toBe(0);
  }

  async function expectAuthenticates(server: RunningTurnServer, credentials: TurnCredentials): Promise<void> {
    const session = await open(server, credentials, new RttEstimator());
    try {
      expect(typeof (await allocate(session))).toBe('number');
      expect(await refresh(session, 0)).toBe(0);
    } finally {
      session.close();
    }
  }

  it('usernames that are Object.prototype keys never authenticate (server with a normal user)', async () => {
    const server = await serve({ user: ['u:p'], relayPorts: `${RELAY_MIN}-${RELAY_MAX}` });
    await expectAuthenticates(server, { username: 'u', password: 'p' });
    await expectNeverAuthenticates(server);
  }, 30_000);

  it('usernames that are Object.prototype keys never authenticate (server with a TURN REST secret)', async () => {
    const secret = 'churn-rest-secret';
    const server = await serve({ authSecret: [secret], relayPorts: `${RELAY_MIN}-${RELAY_MAX}` });
    const rest = mintRestCredentials(secret, 'alice', 600);
    await expectAuthenticates(server, { username: rest.username, password: rest.password });
    await expectNeverAuthenticates(server);
  }, 30_000);
});
