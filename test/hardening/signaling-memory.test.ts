/**
 * Issue 12, item 5: receivers that stop reading. In each of many rooms the broadcaster stops reading (its
 * TCP socket paused after the watcher joined) and the watcher floods it with the largest offers the
 * schema allows, within the message rate limit; against `serve` with its report page (default limits),
 * from several attacker IPs (each within the per-IP caps). The server's RSS (/proc/PID/status VmRSS) must
 * grow by less than {@link MAX_GROWTH_BYTES} (the queued-output budget plus slack), every slow socket
 * must be dropped (its watcher gets `peer-left`), and a visitor from 127.0.0.1 still gets a room.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIGNALING_LIMITS as LIMITS } from '../../src/web-report/server/signaling-limits.js';
import { connectSignal, type SignalClient } from '../helpers/web-report.js';
import { profile } from './profile.js';
import { startServe, stopServes } from './serve-child.js';
import { signalingVisitor } from './signaling-visitor.js';
import { record } from './tally.js';

/** Rooms with a slow broadcaster (the issue measured 400). */
const ROOMS = profile.name === 'long' ? 400 : 150;
/** Rooms per attacker IP: within the room-creation burst, so the test need not wait for the bucket. */
const ROOMS_PER_IP = Math.min(LIMITS.roomCreateBurst, LIMITS.maxRoomsPerIp);
/** Offers each watcher sends its slow broadcaster at once: within the message burst (3 MiB). */
const BURST = Math.min(96, LIMITS.messageBurst);
/**
 * Then offers per {@link PACE_MS}, below the message rate, until the broadcaster is dropped or
 * {@link MAX_OFFERS} were sent: the kernel holds about 3.5 MiB of a loopback socket's output before the
 * server queues any (measured: 128 offers to a drop at 128 KiB queued, about 4 MiB).
 */
const PACE_MS = 250;
const PACED = Math.floor((LIMITS.messagesPerS * 0.8 * PACE_MS) / 1000);
const MAX_OFFERS = 240;
/** Rounds of {@link warmUp} (each 10 rooms × 3 MiB) before the baseline. */
const WARM_UP_ROUNDS = 2;
/** The offer's SDP: the largest the schema allows (32 KiB). */
const SDP = `v=0\r\n${'a'.repeat(32_768 - 5)}`;
/**
 * RSS growth allowed after the warm-up: the queued-output budget, plus V8's young generation growing to
 * its largest under this allocation rate (16 MiB semi-spaces: up to 48 MiB on 64-bit Node 20) and 16 MiB
 * of slack. It does not grow with the number of rooms (before the fix: about 1.6 MiB per slow socket).
 */
const MAX_GROWTH_BYTES = LIMITS.maxQueuedBytesTotal + 64 * 1024 * 1024;
/** How long after the last offer the slow sockets must have been dropped, in ms. */
const DROP_WITHIN_MS = 10_000;

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

/** One attacker room: the broadcaster (paused once the watcher joined) and the watcher, its peer id. */
interface SlowRoom {
  slow: SignalClient;
  flooder: SignalClient;
  to: string;
}

/** A room from `localAddress` whose broadcaster stops reading once the watcher joined (unless `!pause`). */
async function slowRoom(url: string, localAddress: string, pause = true): Promise<SlowRoom> {
  const slow = await connectSignal(url, { localAddress });
  open.push(slow);
  slow.send({ type: 'create' });
  const room = await slow.next(10_000);
  if (room.type !== 'room') throw new Error(`create → ${JSON.stringify(room)}`);
  const flooder = await connectSignal(url, { localAddress });
  open.push(flooder);
  flooder.send({ type: 'join', room: room.room });
  const joined = await flooder.next(10_000);
  if (joined.type !== 'room') throw new Error(`join → ${JSON.stringify(joined)}`);
  await slow.next(10_000);
  if (pause) tcpOf(slow).pause();
  return { slow, flooder, to: room.peerId };
}

/**
 * Rooms whose broadcaster reads, each sent {@link BURST} offers, before the RSS baseline: the server's
 * heap has then grown to what this traffic needs (V8's young generation alone is tens of MiB), so the
 * growth measured after is what slow receivers cost.
 */
async function warmUp(url: string, localAddress: string): Promise<void> {
  const rooms = await Promise.all(
    Array.from({ length: ROOMS_PER_IP }, () => slowRoom(url, localAddress, false)),
  );
  const frame = (to: string): string =>
    JSON.stringify({ type: 'signal', to, payload: { kind: 'offer', sdp: SDP } });
  for (const r of rooms) for (let i = 0; i < BURST; i++) r.flooder.ws.send(frame(r.to));
  await Promise.all(
    rooms.map(async (r) => {
      for (let i = 0; i < BURST; i++) await r.slow.next(30_000);
    }),
  );
  for (const r of rooms) {
    r.slow.ws.close();
    r.flooder.ws.close();
  }
}

/** Whether `c` gets `peer-left` within `ms` (messages before it are skipped). */
async function peerLeft(c: SignalClient, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  for (;;) {
    const left = until - performance.now();
    if (left <= 0) return false;
    try {
      if ((await c.next(left)).type === 'peer-left') return true;
    } catch {
      return false;
    }
  }
}

describe('signaling memory with receivers that stop reading', () => {
  it(`${ROOMS} rooms whose broadcaster stops reading, flooded by its watcher: RSS bounded, slow sockets dropped`, async ({
    task,
  }) => {
    const s = await startServe([], {}, true);
    if (!s.listening) throw new Error(`serve did not start: ${s.stderr}`);
    const pageUrl = s.json.report?.url;
    if (!pageUrl) throw new Error('serve printed no report URL');
    const url = `${pageUrl.replace(/^http/, 'ws')}signal`;

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
    const message = JSON.stringify({ type: 'signal', to: '', payload: { kind: 'offer', sdp: SDP } });
    const flooding = rooms.map((r) => ({
      ...r,
      frame: message.replace('"to":""', `"to":"${r.to}"`),
      sent: 0,
      stop: false,
    }));
    const flood = (f: (typeof flooding)[number], count: number): void => {
      for (let i = 0; i < count && !f.stop && f.sent < MAX_OFFERS; i++, f.sent++) f.flooder.ws.send(f.frame);
    };
    for (const f of flooding) flood(f, BURST);
    const pacer = setInterval(() => {
      for (const f of flooding) flood(f, PACED);
    }, PACE_MS);
    const floodMs = ((MAX_OFFERS - BURST) / PACED) * PACE_MS;
    const dropped = await Promise.all(
      flooding.map((f) =>
        peerLeft(f.flooder, floodMs + DROP_WITHIN_MS).then((left) => {
          f.stop = true;
          return left;
        }),
      ),
    );
    clearInterval(pacer);
    clearInterval(sampler);
    peak = Math.max(peak, rssBytes(s.pid));
    const after = rssBytes(s.pid);
    const legit = await signalingVisitor(url, open);

    const mib = (b: number): string => (b / 1024 / 1024).toFixed(0);
    const droppedCount = dropped.filter(Boolean).length;
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
        `(offers sent: ${Math.min(...flooding.map((f) => f.sent))}–${Math.max(...flooding.map((f) => f.sent))} each); ` +
        `visitor ${'ms' in legit ? `room + relay in ${legit.ms} ms` : `FAILED: ${legit.failed}`}`,
    });
    expect(legit).toHaveProperty('ms');
    expect(droppedCount).toBe(ROOMS);
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
    expect(failures).toBe(0);
  }, 120_000);
});
