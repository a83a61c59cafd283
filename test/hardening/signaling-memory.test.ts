/**
 * Issue 12, item 5: receivers that stop reading. In each of many rooms the broadcaster stops reading (its
 * TCP socket paused after its watchers joined) and its watchers flood it with the largest offers the
 * schema allows, within the per-socket message burst; against `serve` with its report page (default limits),
 * from several attacker IPs (each within the per-IP caps). The server's RSS (/proc/PID/status VmRSS) must
 * grow by less than {@link MAX_GROWTH_BYTES} (the queued-output budget plus slack), every slow socket
 * must be dropped (its watcher gets `peer-left`), and a visitor from 127.0.0.1 still gets a room.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIGNALING_LIMITS as LIMITS } from '../../src/web/server/signaling-limits.js';
import { stopServes } from '../support/serve-process.js';
import { connectSignal, type SignalClient } from '../support/web-report.js';
import { profile } from './profile.js';
import { signalingVisitor, startSignalingServe } from './signaling-serve.js';
import { record } from './tally.js';

/** Rooms with a slow broadcaster (the issue measured 400). */
const ROOMS = profile.name === 'long' ? 400 : 100;
/** Watchers flooding each slow broadcaster. */
const FLOODERS = 3;
/**
 * Rooms per attacker IP: within the room-creation burst and the socket cap, so the test need not wait
 * for a token bucket.
 */
const ROOMS_PER_IP = Math.min(
  LIMITS.roomCreateBurst,
  LIMITS.maxRoomsPerIp,
  Math.floor(LIMITS.maxSocketsPerIp / (1 + FLOODERS)),
);
/**
 * Offers each watcher sends at once, within the per-socket message burst even if the server reads them
 * all at once (5.25 MiB per room): the kernel holds about 3.5–4 MiB of a loopback socket's output before
 * the server queues any (measured: 128 to 156 offers to a drop at 128 KiB queued).
 */
const OFFERS = Math.min(56, LIMITS.messageBurst - 2);
/** Rounds of {@link warmUp} before the baseline. */
const WARM_UP_ROUNDS = 2;
/** The offer's SDP: the largest the schema allows (32 KiB). */
const SDP = `v=0\r\n${'a'.repeat(32_768 - 5)}`;
/**
 * RSS growth allowed after the warm-up: the queued-output budget, plus V8's young generation growing to
 * its largest under this allocation rate (16 MiB semi-spaces: up to 48 MiB on 64-bit Node 20), the queues
 * of dropped sockets and the relayed frames until they are collected (about 100 KiB of garbage per
 * relayed offer), and slack: 112 MiB. Measured: +33 to +69 MiB for 100 rooms, +70 for 400; before the fix
 * +178 MiB for 100 rooms (over 1 MiB per slow socket, growing with the rooms).
 */
const MAX_GROWTH_BYTES = LIMITS.maxQueuedBytesTotal + 96 * 1024 * 1024;
/**
 * How long after the server has handled a watcher's last offer (it answered the probe sent after it) its
 * slow broadcaster must have been dropped, in ms: the server cuts a dropped socket after 1 s.
 */
const DROP_WITHIN_MS = 5000;
/** A bound on the whole flood and drop phase, in ms (a server that never answers). */
const PHASE_MS = 90_000;
/** Sent after the last offer: `join` is refused (`already in a room`, `no-such-room`) once processed. */
const PROBE = { type: 'join', room: 'AAAAAAAAAAAAAAAA' } as const;

const open: SignalClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.ws.terminate();
  stopServes();
});

function rssBytes(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib ?? 0) * 1024;
}

/** The raw TCP socket under a `ws` client (`ws` keeps it in `_socket`). */
function tcpOf(c: SignalClient): Socket {
  return (c.ws as unknown as { _socket: Socket })._socket;
}

/** One attacker room: the broadcaster (paused once its watchers joined), its watchers, its peer id. */
interface SlowRoom {
  slow: SignalClient;
  flooders: SignalClient[];
  to: string;
}

/** A room from `localAddress` whose broadcaster stops reading once its watchers joined (unless `!pause`). */
async function slowRoom(url: string, localAddress: string, pause = true): Promise<SlowRoom> {
  const slow = await connectSignal(url, { localAddress });
  open.push(slow);
  slow.send({ type: 'create' });
  const room = await slow.next(10_000);
  if (room.type !== 'room') throw new Error(`create → ${JSON.stringify(room)}`);
  const flooders: SignalClient[] = [];
  for (let i = 0; i < FLOODERS; i++) {
    const flooder = await connectSignal(url, { localAddress });
    open.push(flooder);
    flooder.send({ type: 'join', room: room.room });
    const joined = await flooder.next(10_000);
    if (joined.type !== 'room') throw new Error(`join → ${JSON.stringify(joined)}`);
    await slow.next(10_000);
    flooders.push(flooder);
  }
  if (pause) tcpOf(slow).pause();
  return { slow, flooders, to: room.peerId };
}

/** Every watcher of every room sends its broadcaster {@link OFFERS} offers, then the {@link PROBE}. */
function flood(rooms: readonly SlowRoom[]): void {
  for (const r of rooms) {
    const frame = JSON.stringify({ type: 'signal', to: r.to, payload: { kind: 'offer', sdp: SDP } });
    for (const f of r.flooders) {
      for (let i = 0; i < OFFERS; i++) f.ws.send(frame);
      f.send(PROBE);
    }
  }
}

/**
 * Rooms of one IP whose broadcaster reads, sent as many offers as the slow ones will be (one at a time,
 * each read before the next), before the RSS baseline: the server's heap has then grown to what this
 * traffic needs (V8's young generation alone is tens of MiB), so the growth measured after is what slow
 * receivers cost.
 */
async function warmUp(url: string, localAddress: string): Promise<void> {
  const rooms = await Promise.all(
    Array.from({ length: ROOMS_PER_IP }, () => slowRoom(url, localAddress, false)),
  );
  await Promise.all(
    rooms.map(async (r) => {
      const frame = JSON.stringify({ type: 'signal', to: r.to, payload: { kind: 'offer', sdp: SDP } });
      for (let i = 0; i < OFFERS * FLOODERS; i++) {
        r.flooders[i % FLOODERS]!.ws.send(frame);
        await r.slow.next(10_000);
      }
    }),
  );
  for (const r of rooms) for (const c of [r.slow, ...r.flooders]) c.ws.close();
}

/**
 * Whether the watchers of `r` get `peer-left` (its slow broadcaster was dropped) within
 * {@link DROP_WITHIN_MS} of the server answering the last of their {@link PROBE}s (other messages are
 * skipped), and at most {@link PHASE_MS}.
 */
async function dropped(r: SlowRoom): Promise<boolean> {
  const deadline = performance.now() + PHASE_MS;
  let until = deadline;
  let probed = 0;
  let left = false;
  await Promise.all(
    r.flooders.map(async (c) => {
      while (!left) {
        const m = await c.next(Math.max(1, until - performance.now())).catch(() => null);
        if (m === null) return;
        if (m.type === 'peer-left') left = true;
        else if (m.type === 'error' && (m.code === 'bad-message' || m.code === 'no-such-room'))
          if (++probed === r.flooders.length) until = Math.min(deadline, performance.now() + DROP_WITHIN_MS);
      }
    }),
  );
  return left;
}

describe('signaling memory with receivers that stop reading', () => {
  it(`${ROOMS} rooms whose broadcaster stops reading, flooded by its watchers: RSS bounded, slow sockets dropped`, async ({
    task,
  }) => {
    const s = await startSignalingServe();
    const url = s.signalUrl;

    const rooms: SlowRoom[] = [];
    for (let ip = 0; rooms.length < ROOMS; ip++) {
      const localAddress = `127.0.1.${10 + ip}`;
      const count = Math.min(ROOMS_PER_IP, ROOMS - rooms.length);
      rooms.push(...(await Promise.all(Array.from({ length: count }, () => slowRoom(url, localAddress)))));
    }
    for (let round = 0; round < WARM_UP_ROUNDS; round++) await warmUp(url, `127.0.2.${1 + round}`);
    const before = rssBytes(s.pid);

    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(s.pid));
    }, 100);
    flood(rooms);
    const outcomes = await Promise.all(rooms.map(dropped));
    clearInterval(sampler);
    peak = Math.max(peak, rssBytes(s.pid));
    const after = rssBytes(s.pid);
    const legit = await signalingVisitor(url, open);

    const mib = (b: number): string => (b / 1024 / 1024).toFixed(0);
    const droppedCount = outcomes.filter(Boolean).length;
    const growth = peak - before;
    const failures =
      ROOMS - droppedCount + (growth >= MAX_GROWTH_BYTES ? 1 : 0) + ('failed' in legit ? 1 : 0);
    record(task, {
      area: 'signaling',
      check: `${ROOMS} rooms with a receiver that stops reading`,
      tried: ROOMS + 2,
      failures,
      detail:
        `RSS ${mib(before)} → peak ${mib(peak)} MiB (+${mib(growth)}, limit +${mib(MAX_GROWTH_BYTES)}), ` +
        `${mib(after)} MiB after; ${droppedCount}/${ROOMS} slow sockets dropped ` +
        `(${FLOODERS} × ${OFFERS} offers of 32 KiB each); ` +
        `visitor ${'ms' in legit ? `room + relay in ${legit.ms} ms` : `FAILED: ${legit.failed}`}`,
    });
    expect(legit).toHaveProperty('ms');
    expect(droppedCount).toBe(ROOMS);
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
    expect(failures).toBe(0);
  }, 180_000);
});
