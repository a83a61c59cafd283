/**
 * The report server's signaling WebSocket with real `ws` clients over ws:// and wss:// (self-signed, on
 * 127.0.0.1): broadcaster/watcher rooms, relaying both ways and only broadcaster↔watcher, peer-joined and
 * peer-left, refusals by code, the Origin check before the upgrade, frame size, bad messages, rate limit,
 * room expiry, room-full, heartbeat and shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningReportServer, startReportServer } from '../../src/web/server/report-server.js';
import type { SignalingLimits } from '../../src/web/server/signaling-limits.js';
import type { ServerMessage, SignalPayload } from '../../src/web/signaling-schema.js';
import { connectSignal, pageOrigin, type SignalClient, signalUrl } from '../support/web-report.js';

const OFFER: SignalPayload = { kind: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const ANSWER: SignalPayload = { kind: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n' };
const CANDIDATE: SignalPayload = {
  kind: 'candidate',
  candidate: {
    candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
    sdpMid: '0',
    sdpMLineIndex: 0,
  },
};

let report: RunningReportServer;
const clients: SignalClient[] = [];
const servers: RunningReportServer[] = [];

beforeAll(async () => {
  report = await startReportServer();
  servers.push(report);
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all(servers.map((s) => s.close()));
});

async function connect(
  server: RunningReportServer,
  scheme: 'ws' | 'wss',
  opts?: Parameters<typeof connectSignal>[1],
) {
  const c = await connectSignal(signalUrl(server, scheme), opts);
  clients.push(c);
  return c;
}

async function expectMessage<T extends ServerMessage['type']>(
  c: SignalClient,
  type: T,
): Promise<Extract<ServerMessage, { type: T }>> {
  const m = await c.next();
  expect(m.type, JSON.stringify(m)).toBe(type);
  return m as Extract<ServerMessage, { type: T }>;
}

/** A broadcaster and its room. */
async function createRoom(server: RunningReportServer, scheme: 'ws' | 'wss' = 'ws') {
  const b = await connect(server, scheme);
  b.send({ type: 'create' });
  const room = await expectMessage(b, 'room');
  return { b, room };
}

async function join(server: RunningReportServer, roomId: string, scheme: 'ws' | 'wss' = 'ws') {
  const w = await connect(server, scheme);
  w.send({ type: 'join', room: roomId });
  return { w, joined: await expectMessage(w, 'room') };
}

/** A start with small limits, for the tests that need to reach them. */
async function startWith(signaling: Partial<SignalingLimits>): Promise<RunningReportServer> {
  const s = await startReportServer({ signaling });
  servers.push(s);
  return s;
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('signaling: rooms', () => {
  it('create → room as broadcaster; join (over the other listener) → watcher; relays both ways', async () => {
    const { b, room } = await createRoom(report, 'ws');
    expect(room).toMatchObject({ role: 'broadcaster', peers: [] });
    expect(Date.parse(room.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    const { w, joined } = await join(report, room.room, 'wss');
    expect(joined).toMatchObject({
      room: room.room,
      role: 'watcher',
      peers: [room.peerId],
      expiresAt: room.expiresAt,
    });
    expect(await expectMessage(b, 'peer-joined')).toEqual({ type: 'peer-joined', peerId: joined.peerId });

    b.send({ type: 'signal', to: joined.peerId, payload: OFFER });
    expect(await w.next()).toEqual({ type: 'signal', from: room.peerId, payload: OFFER });
    w.send({ type: 'signal', to: room.peerId, payload: ANSWER });
    expect(await b.next()).toEqual({ type: 'signal', from: joined.peerId, payload: ANSWER });
    w.send({ type: 'signal', to: room.peerId, payload: CANDIDATE });
    expect(await b.next()).toEqual({ type: 'signal', from: joined.peerId, payload: CANDIDATE });
    w.send({ type: 'signal', to: room.peerId, payload: { kind: 'candidate', candidate: null } });
    expect(await b.next()).toMatchObject({ payload: { kind: 'candidate', candidate: null } });
  });

  it('watchers cannot reach each other (no-such-peer), and do not learn of each other', async () => {
    const { b, room } = await createRoom(report);
    const one = await join(report, room.room);
    const two = await join(report, room.room, 'wss');
    expect(two.joined.peers).toEqual([room.peerId]);
    await expectMessage(b, 'peer-joined');
    await expectMessage(b, 'peer-joined');
    one.w.send({ type: 'signal', to: two.joined.peerId, payload: OFFER });
    expect(await expectMessage(one.w, 'error')).toMatchObject({ code: 'no-such-peer' });
    await settle();
    expect(two.w.queued()).toBe(0);
    expect(one.w.queued()).toBe(0);
    // The broadcaster reaches each watcher separately.
    b.send({ type: 'signal', to: two.joined.peerId, payload: OFFER });
    expect(await two.w.next()).toMatchObject({ type: 'signal', from: room.peerId });
    await settle();
    expect(one.w.queued()).toBe(0);
  });

  it('peer-left: a watcher leaving is told to the broadcaster; a broadcaster leaving closes the room', async () => {
    const { b, room } = await createRoom(report);
    const one = await join(report, room.room);
    const two = await join(report, room.room);
    await expectMessage(b, 'peer-joined');
    await expectMessage(b, 'peer-joined');
    one.w.ws.close();
    expect(await expectMessage(b, 'peer-left')).toEqual({ type: 'peer-left', peerId: one.joined.peerId });
    const roomsBefore = report.signalingStats().rooms;
    b.ws.close();
    expect(await expectMessage(two.w, 'peer-left')).toEqual({ type: 'peer-left', peerId: room.peerId });
    expect(report.signalingStats().rooms).toBe(roomsBefore - 1);
    two.w.send({ type: 'signal', to: room.peerId, payload: OFFER });
    expect(await expectMessage(two.w, 'error')).toMatchObject({ code: 'not-in-room' });
    const late = await connect(report, 'ws');
    late.send({ type: 'join', room: room.room });
    expect(await expectMessage(late, 'error')).toMatchObject({ code: 'no-such-room' });
  });

  it('refuses by code: no-such-room, not-in-room, no-such-peer, already in a room', async () => {
    const c = await connect(report, 'wss');
    c.send({ type: 'join', room: 'AAAAAAAAAAAAAAAA' });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'no-such-room' });
    c.send({ type: 'signal', to: 'AAAAAAAA', payload: OFFER });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'not-in-room' });
    c.send({ type: 'create' });
    const room = await expectMessage(c, 'room');
    c.send({ type: 'signal', to: 'AAAAAAAA', payload: OFFER });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'no-such-peer' });
    c.send({ type: 'join', room: room.room });
    expect(await expectMessage(c, 'error')).toMatchObject({
      code: 'bad-message',
      message: 'already in a room',
    });
    c.send({ type: 'signal', to: room.peerId, payload: OFFER });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'no-such-peer' });
  });

  it('room-full: 8 peers per room, the broadcaster included', async () => {
    const { room } = await createRoom(report);
    for (let i = 0; i < 7; i++) await join(report, room.room);
    const ninth = await connect(report, 'ws');
    ninth.send({ type: 'join', room: room.room });
    expect(await expectMessage(ninth, 'error')).toMatchObject({ code: 'room-full' });
  });

  it('server-busy once maxRooms rooms are open', async () => {
    const s = await startWith({ maxRooms: 1 });
    await createRoom(s);
    const c = await connect(s, 'ws');
    c.send({ type: 'create' });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'server-busy' });
  });

  it('rooms expire: every socket of the room is closed with 4000 "room expired"', async () => {
    const s = await startWith({ roomTtlMs: 300 });
    const { b, room } = await createRoom(s);
    const { w } = await join(s, room.room);
    expect(Date.parse(room.expiresAt) - Date.now()).toBeLessThanOrEqual(300);
    const started = performance.now();
    expect(await b.closed).toEqual({ code: 4000, reason: 'room expired' });
    expect(await w.closed).toEqual({ code: 4000, reason: 'room expired' });
    expect(performance.now() - started).toBeLessThan(2000);
    await settle();
    expect(s.signalingStats()).toEqual({ sockets: 0, rooms: 0 });
  });
});

describe('signaling: limits', () => {
  it('refuses the upgrade with 403 for a foreign, missing or null Origin, before any WebSocket', async () => {
    const url = signalUrl(report, 'ws');
    for (const origin of ['http://evil.example', `http://127.0.0.1:${report.http!.port + 1}`, 'null', null]) {
      await expect(connectSignal(url, { origin }), String(origin)).rejects.toThrow('HTTP 403');
    }
    await expect(connectSignal(signalUrl(report, 'wss'), { origin: 'https://evil.example' })).rejects.toThrow(
      'HTTP 403',
    );
    await expect(connectSignal(url.replace('/signal', '/other'))).rejects.toThrow('HTTP 404');
  });

  it("accepts the page's own origin from the other listener, and an allow-listed origin", async () => {
    const cross = await connect(report, 'wss', { origin: pageOrigin(report, 'ws') });
    cross.send({ type: 'create' });
    await expectMessage(cross, 'room');
    const s = await startReportServer({ allowedOrigins: ['https://page.example'] });
    servers.push(s);
    const allowed = await connect(s, 'ws', { origin: 'https://page.example' });
    allowed.send({ type: 'create' });
    await expectMessage(allowed, 'room');
  });

  it('closes with 1009 on a frame over 64 KiB; 64 KiB itself passes', async () => {
    const c = await connect(report, 'ws');
    c.ws.send('x'.repeat(64 * 1024));
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'bad-message', message: 'not JSON' });
    c.ws.send('x'.repeat(64 * 1024 + 1));
    expect((await c.closed).code).toBe(1009);
  });

  it('answers bad JSON, binary frames and schema violations with bad-message, and closes with 1008 after 10', async () => {
    const c = await connect(report, 'wss');
    c.ws.send('{not json');
    expect(await expectMessage(c, 'error')).toEqual({
      type: 'error',
      code: 'bad-message',
      message: 'not JSON',
    });
    c.ws.send(Buffer.from('{"type":"create"}'), { binary: true });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'bad-message' });
    c.send({ type: 'join', room: 'short' });
    expect(await expectMessage(c, 'error')).toMatchObject({
      code: 'bad-message',
      message: expect.stringMatching(/room/),
    });
    c.send({ type: 'signal', to: 'AAAAAAAA', payload: { kind: 'offer', sdp: 'x'.repeat(40_000) } });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'bad-message' });
    c.send({ type: 'hello' });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'bad-message' });
    for (let i = 5; i < 10; i++) c.ws.send('[');
    for (let i = 5; i < 10; i++) await expectMessage(c, 'error');
    expect(await c.closed).toEqual({ code: 1008, reason: 'too many bad messages' });
  });

  it('rate-limits messages per socket: rate-limited beyond the burst', async () => {
    const s = await startWith({ messagesPerS: 1, messageBurst: 3 });
    const c = await connect(s, 'ws');
    for (let i = 0; i < 4; i++) c.send({ type: 'join', room: 'AAAAAAAAAAAAAAAA' });
    for (let i = 0; i < 3; i++)
      expect(await expectMessage(c, 'error')).toMatchObject({ code: 'no-such-room' });
    expect(await expectMessage(c, 'error')).toMatchObject({ code: 'rate-limited' });
  });

  it('drops a peer that does not answer pings; keeps one that does', async () => {
    const s = await startWith({ heartbeatMs: 100 });
    const deaf = await connect(s, 'ws', { autoPong: false });
    const alive = await connect(s, 'ws');
    expect((await deaf.closed).code).toBe(1006);
    alive.send({ type: 'create' });
    await expectMessage(alive, 'room');
  });

  it('refuses upgrades with 503 beyond maxSockets', async () => {
    const s = await startWith({ maxSockets: 2 });
    await connect(s, 'ws');
    await connect(s, 'wss');
    await expect(connectSignal(signalUrl(s, 'ws'))).rejects.toThrow('HTTP 503');
  });

  it('close() closes every signaling socket with 1001 and frees the ports; idempotent', async () => {
    const s = await startReportServer();
    const { b, room } = await createRoom(s, 'wss');
    const { w } = await join(s, room.room, 'ws');
    const started = performance.now();
    await Promise.all([s.close(), s.close()]);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(await b.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await w.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    await expect(connectSignal(signalUrl(s, 'ws'))).rejects.toThrow(/ECONNREFUSED/);
    expect(s.signalingStats()).toEqual({ sockets: 0, rooms: 0 });
  });
});
