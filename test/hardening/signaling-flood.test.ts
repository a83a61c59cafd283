/**
 * Issue 12, item 4: one IP opens thousands of signaling WebSockets and tries a room on each, against
 * `serve` with its report page (default limits). The attacker (127.0.0.66) must get at most
 * `maxSocketsPerIp` sockets and `maxRoomsPerIp` rooms; its sockets in no room must be closed with 4002
 * after `noRoomLifetimeMs`; meanwhile a visitor from 127.0.0.1 opens two sockets, creates and joins a room
 * and has a signal relayed (its latency is in the row).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIGNALING_LIMITS as LIMITS } from '../../src/web/server/signaling-limits.js';
import { stopServes } from '../support/serve-process.js';
import { connectSignal, type SignalClient } from '../support/web-report.js';
import { profile } from './profile.js';
import { signalingVisitor, startSignalingServe } from './signaling-serve.js';
import { record } from './tally.js';

const ATTACKER = '127.0.0.66';
/** Sockets the attacker tries and rooms it asks for (the issue's counts in the long profile). */
const SOCKETS = profile.name === 'long' ? 2000 : 600;
const ROOMS = profile.name === 'long' ? 1000 : 300;
/** Upgrades the attacker has in flight at once. */
const BATCH = 100;
/** Slack after the no-room lifetime for the server to close the attacker's idle sockets, in ms. */
const CLOSE_SLACK_MS = 10_000;

const open: SignalClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.ws.terminate();
  stopServes();
});

/** Resolves with `p`'s value, or `null` after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    void p.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** Opens `count` sockets from `localAddress`, {@link BATCH} at a time; the refusals by status or error. */
async function openMany(url: string, count: number): Promise<Map<string, number>> {
  const refused = new Map<string, number>();
  for (let done = 0; done < count; done += BATCH) {
    const tries = Array.from({ length: Math.min(BATCH, count - done) }, () =>
      connectSignal(url, { localAddress: ATTACKER }),
    );
    for (const r of await Promise.allSettled(tries)) {
      if (r.status === 'fulfilled') open.push(r.value);
      else {
        const why = r.reason instanceof Error ? r.reason.message.split(':')[0]! : String(r.reason);
        refused.set(why, (refused.get(why) ?? 0) + 1);
      }
    }
  }
  return refused;
}

describe('signaling flood from one IP', () => {
  it(`${SOCKETS} WebSockets and ${ROOMS} rooms from one IP: per-IP caps, idle sockets closed, a visitor gets a room`, async ({
    task,
  }) => {
    const s = await startSignalingServe();
    const url = s.signalUrl;

    const refused = await openMany(url, SOCKETS);
    const sockets = open.length;
    const attackers = [...open];
    const creates = attackers.slice(0, ROOMS);
    for (const c of creates) c.send({ type: 'create' });
    const answers = await Promise.all(creates.map((c) => within(c.next(10_000), 10_000)));
    const roomed = attackers.filter((_, i) => answers[i]?.type === 'room');
    const refusedRooms = new Map<string, number>();
    for (const a of answers) {
      const why = a === null ? 'no answer' : a.type === 'error' ? a.code : a.type;
      if (why !== 'room') refusedRooms.set(why, (refusedRooms.get(why) ?? 0) + 1);
    }
    // Rooms the attacker asked for on sockets it never got: refused before a socket existed.
    const roomsRefusedAtUpgrade = Math.max(0, ROOMS - creates.length);

    const legit = await signalingVisitor(url, open);

    const idle = attackers.filter((c) => !roomed.includes(c));
    const idleStarted = performance.now();
    const closes = await Promise.all(
      idle.map((c) => within(c.closed, LIMITS.noRoomLifetimeMs + CLOSE_SLACK_MS)),
    );
    const idleSeconds = ((performance.now() - idleStarted) / 1000).toFixed(1);
    const closedNoRoom = closes.filter((c) => c?.code === 4002).length;

    // A socket try fails when it was accepted beyond the cap or stayed open in no room; a room try when it
    // was granted beyond the cap; the visitor when it got no room or no relay.
    const failedSockets = attackers.filter(
      (c, i) => i >= LIMITS.maxSocketsPerIp || (idle.includes(c) && closes[idle.indexOf(c)]?.code !== 4002),
    ).length;
    const failures =
      failedSockets + Math.max(0, roomed.length - LIMITS.maxRoomsPerIp) + ('failed' in legit ? 1 : 0);
    const list = (m: Map<string, number>): string => [...m].map(([k, n]) => `${k} ×${n}`).join(', ');
    record(task, {
      area: 'signaling',
      check: `one IP: ${SOCKETS} WebSockets, ${ROOMS} rooms`,
      tried: SOCKETS + ROOMS,
      failures,
      detail:
        `attacker held ${sockets} sockets (cap ${LIMITS.maxSocketsPerIp}; refused: ${list(refused) || 'none'}), ` +
        `${roomed.length} rooms (cap ${LIMITS.maxRoomsPerIp}; refused: ${list(refusedRooms) || 'none'}` +
        `, ${roomsRefusedAtUpgrade} without a socket); ${closedNoRoom}/${idle.length} roomless closed 4002 ` +
        `within ${idleSeconds} s; visitor ${'ms' in legit ? `room + relay in ${legit.ms} ms` : `FAILED: ${legit.failed}`}`,
    });
    expect(legit).toHaveProperty('ms');
    expect(sockets).toBeLessThanOrEqual(LIMITS.maxSocketsPerIp);
    expect(roomed.length).toBeLessThanOrEqual(LIMITS.maxRoomsPerIp);
    expect(closedNoRoom).toBe(idle.length);
    expect(failures).toBe(0);
  }, 120_000);
});
