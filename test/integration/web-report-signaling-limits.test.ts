/**
 * The signaling hub's limits against one client, with real `ws` clients on loopback (other client IPs
 * by binding 127.0.0.66): sockets per IP (429 before the upgrade), rooms per IP, room-creation rate, the
 * lifetime of a socket in no room (4002), slow receivers dropped (4001) by the per-socket and the total
 * queued-output limits, and the refused-upgrade log (one short, escaped line per client).
 */
import type { Socket } from 'node:net';
import { pino } from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type RunningReportServer, startReportServer } from '../../src/web/server/report-server.js';
import type { SignalingLimits } from '../../src/web/server/signaling-limits.js';
import type { ServerMessage } from '../../src/web/signaling-schema.js';
import { connectSignal, type SignalClient, signalUrl } from '../support/web-report.js';

const ATTACKER = '127.0.0.66';
const clients: SignalClient[] = [];
const servers: RunningReportServer[] = [];

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all(servers.map((s) => s.close()));
});

async function startWith(signaling: Partial<SignalingLimits>, lines?: string[]) {
  const s = await startReportServer({
    signaling,
    httpsPort: null,
    ...(lines && { logger: pino({ level: 'info' }, { write: (l: string) => lines.push(l) }) }),
  });
  servers.push(s);
  return s;
}

async function connect(s: RunningReportServer, localAddress?: string) {
  const c = await connectSignal(signalUrl(s, 'ws'), localAddress === undefined ? {} : { localAddress });
  clients.push(c);
  return c;
}

async function expectType<T extends ServerMessage['type']>(c: SignalClient, type: T) {
  const m = await c.next(5000);
  expect(m.type, JSON.stringify(m)).toBe(type);
  return m as Extract<ServerMessage, { type: T }>;
}

/** A room from `localAddress`: its broadcaster, the joined watcher, and the broadcaster's peer id. */
async function room(s: RunningReportServer, localAddress?: string) {
  const b = await connect(s, localAddress);
  b.send({ type: 'create' });
  const created = await expectType(b, 'room');
  const w = await connect(s, localAddress);
  w.send({ type: 'join', room: created.room });
  await expectType(w, 'room');
  await expectType(b, 'peer-joined');
  return { b, w, broadcasterId: created.peerId };
}

/** Whether `c` gets `peer-left` within `ms`, skipping other messages. */
async function peerLeft(c: SignalClient, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const m = await c.next(until - performance.now()).catch(() => null);
    if (m === null) return false;
    if (m.type === 'peer-left') return true;
  }
  return false;
}

describe('signaling limits per client', () => {
  it('answers 429 beyond maxSocketsPerIp, before the upgrade; other clients and freed places still get in', async () => {
    const s = await startWith({ maxSocketsPerIp: 3 });
    const held = [await connect(s, ATTACKER), await connect(s, ATTACKER), await connect(s, ATTACKER)];
    await expect(connectSignal(signalUrl(s, 'ws'), { localAddress: ATTACKER })).rejects.toThrow('HTTP 429');
    await connect(s);
    held[0]!.ws.close();
    await held[0]!.closed;
    await new Promise((r) => setTimeout(r, 50));
    await connect(s, ATTACKER);
    expect(s.signalingStats().sockets).toBe(4);
  });

  it('refuses rooms beyond maxRoomsPerIp (too-many-rooms), then creations beyond the burst (rate-limited)', async () => {
    const s = await startWith({ maxRoomsPerIp: 2, roomCreateBurst: 3, roomCreatesPerS: 0.001 });
    const sockets = await Promise.all(Array.from({ length: 4 }, () => connect(s, ATTACKER)));
    const answers: string[] = [];
    for (const c of sockets.slice(0, 3)) {
      c.send({ type: 'create' });
      const m = await c.next();
      answers.push(m.type === 'error' ? m.code : m.type);
    }
    expect(answers).toEqual(['room', 'room', 'too-many-rooms']);
    sockets[0]!.ws.close();
    await sockets[0]!.closed;
    await new Promise((r) => setTimeout(r, 50));
    sockets[2]!.send({ type: 'create' });
    expect(await expectType(sockets[2]!, 'room')).toMatchObject({ role: 'broadcaster' });
    sockets[1]!.ws.close();
    await sockets[1]!.closed;
    await new Promise((r) => setTimeout(r, 50));
    sockets[3]!.send({ type: 'create' });
    expect(await expectType(sockets[3]!, 'error')).toMatchObject({ code: 'rate-limited' });
    const other = await connect(s);
    other.send({ type: 'create' });
    await expectType(other, 'room');
  });

  it('closes a socket in no room with 4002 after noRoomLifetimeMs (and a watcher whose room closed)', async () => {
    const s = await startWith({ noRoomLifetimeMs: 300 });
    const idle = await connect(s);
    const { b, w } = await room(s);
    expect(await idle.closed).toEqual({ code: 4002, reason: 'joined no room in time' });
    b.ws.close();
    await expectType(w, 'peer-left');
    expect((await w.closed).code).toBe(4002);
    await vi.waitFor(() => expect(s.signalingStats()).toEqual({ sockets: 0, rooms: 0 }));
  });

  it('keeps a socket in a room past the no-room lifetime', async () => {
    const s = await startWith({ noRoomLifetimeMs: 200 });
    const { b, w, broadcasterId } = await room(s);
    await new Promise((r) => setTimeout(r, 500));
    w.send({ type: 'signal', to: broadcasterId, payload: { kind: 'answer', sdp: 'v=0\r\n' } });
    await expectType(b, 'signal');
  });
});

describe('signaling output limits', () => {
  const SDP = `v=0\r\n${'a'.repeat(32_000)}`;
  /** Pauses `b`'s TCP socket, then `w` sends `count` offers to it; whether `w` then gets `peer-left`. */
  async function flood(s: RunningReportServer, count: number, waitMs = 5000): Promise<boolean> {
    const { b, w, broadcasterId } = await room(s);
    (b.ws as unknown as { _socket: Socket })._socket.pause();
    for (let i = 0; i < count; i++)
      w.send({ type: 'signal', to: broadcasterId, payload: { kind: 'offer', sdp: SDP } });
    return peerLeft(w, waitMs);
  }

  it('drops a socket that does not read once maxBufferedBytes would be queued to it', async () => {
    const s = await startWith({ maxBufferedBytes: 64 * 1024, messageBurst: 300 });
    expect(await flood(s, 250)).toBe(true);
    await vi.waitFor(() => expect(s.signalingStats()).toEqual({ sockets: 1, rooms: 0 }));
  });

  it('drops a socket with a backlog once maxQueuedBytesTotal would be passed over all sockets', async () => {
    const s = await startWith({
      maxBufferedBytes: 64 * 1024 * 1024,
      maxQueuedBytesTotal: 64 * 1024,
      messageBurst: 300,
    });
    expect(await flood(s, 250)).toBe(true);
  });

  it('keeps a socket that does not read while under both limits', async () => {
    const s = await startWith({ messageBurst: 300 });
    expect(await flood(s, 10, 1500)).toBe(false);
    expect(s.signalingStats()).toEqual({ sockets: 2, rooms: 1 });
  });
});

describe('refused upgrades in the log', () => {
  it('one warn line per client for many refusals; Origin truncated and escaped', async () => {
    const lines: string[] = [];
    const s = await startWith({}, lines);
    const origin = `http://evil.example/${'\u009b31m'.repeat(2000)}`;
    for (let i = 0; i < 50; i++)
      await expect(connectSignal(signalUrl(s, 'ws'), { origin, localAddress: ATTACKER })).rejects.toThrow(
        'HTTP 403',
      );
    const refused = lines.filter((l) => l.includes('signaling upgrades refused'));
    expect(refused).toHaveLength(1);
    expect(refused[0]!.length).toBeLessThan(1000);
    expect(refused[0]).not.toMatch(/[\u0080-\u009f]/);
    expect(JSON.parse(refused[0]!)).toMatchObject({
      level: 40,
      client: ATTACKER,
      refused: 1,
      status: 403,
      reason: 'origin',
      path: '/signal',
      origin: expect.stringMatching(/^http:\/\/evil\.example\/\\x9b31m.*…\(\+\d+ chars\)$/),
    });
  });
});
