import { describe, expect, it } from 'vitest';
import { QUEUED_TOTAL_REFRESH_MS, QueuedOutput } from '../../src/web/server/queued-output.js';
import { SignalingClients } from '../../src/web/server/signaling-clients.js';
import { DEFAULT_SIGNALING_LIMITS } from '../../src/web/server/signaling-limits.js';

const limits = { ...DEFAULT_SIGNALING_LIMITS, maxSocketsPerIp: 3, maxRoomsPerIp: 2, roomCreateBurst: 3 };

describe('SignalingClients', () => {
  it('caps sockets per client; IPv6 counted per /64, IPv4-mapped as IPv4', () => {
    const c = new SignalingClients(limits);
    const v6 = c.keyOf('2001:db8:1:2::1');
    expect(c.keyOf('2001:db8:1:2:ffff::9')).toBe(v6);
    expect(c.keyOf('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(c.keyOf(undefined)).toBe('unknown');
    for (let i = 0; i < 3; i++) {
      expect(c.mayOpen(v6)).toBe(true);
      c.opened(v6);
    }
    expect(c.mayOpen(v6)).toBe(false);
    expect(c.mayOpen(c.keyOf('2001:db8:1:3::1'))).toBe(true);
    c.closed(v6);
    expect(c.mayOpen(v6)).toBe(true);
    expect(c.held(v6)).toEqual({ sockets: 2, rooms: 0 });
  });

  it('caps rooms per client (no token taken), then rate-limits creation; a closed room frees its place', () => {
    const c = new SignalingClients(limits);
    c.opened('198.51.100.7');
    expect(c.create('198.51.100.7')).toBeNull();
    expect(c.create('198.51.100.7')).toBeNull();
    expect(c.create('198.51.100.7')).toBe('too-many-rooms');
    c.roomClosed('198.51.100.7');
    expect(c.create('198.51.100.7')).toBeNull();
    c.roomClosed('198.51.100.7');
    expect(c.create('198.51.100.7')).toBe('rate-limited');
    expect(c.held('198.51.100.7')).toEqual({ sockets: 1, rooms: 1 });
  });

  it('forgets a client (and its bucket) once it holds no socket', () => {
    const c = new SignalingClients(limits);
    c.opened('198.51.100.7');
    c.closed('198.51.100.7');
    c.closed('198.51.100.7');
    expect(c.held('198.51.100.7')).toEqual({ sockets: 0, rooms: 0 });
  });
});

describe('QueuedOutput', () => {
  it('sums the backlog of sockets seen with bytes queued; adds sends between refreshes; forgets drained ones', () => {
    const clock = { now: 0 };
    const q = new QueuedOutput<{ bufferedAmount: number }>(() => clock.now);
    const a = { bufferedAmount: 0 };
    const b = { bufferedAmount: 0 };
    q.sent(a, 0);
    expect(q.total()).toBe(0);
    a.bufferedAmount = 1000;
    q.sent(a, 0);
    b.bufferedAmount = 500;
    q.sent(b, 0);
    expect(q.total()).toBe(1500);
    a.bufferedAmount = 3000;
    q.sent(a, 1000);
    expect(q.total()).toBe(3500);
    a.bufferedAmount = 0;
    expect(q.total()).toBe(3500);
    clock.now = QUEUED_TOTAL_REFRESH_MS;
    expect(q.total()).toBe(500);
    q.forget(b);
    expect(q.total()).toBe(0);
  });
});
