/**
 * Synchronous UDP binds (src/server/stun/bind.ts) and the relay port pool built on them
 * (src/server/turn/relay/ports.ts): an IP literal is bound in the caller's turn, a taken port is a
 * BindError at once, and sends to IP literals go out without a DNS lookup. Loopback only.
 */
import type dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { BindError, bindUdp, bindUdpNow } from '../../src/server/stun/bind.js';
import { RelayPorts } from '../../src/server/turn/relay/ports.js';

const open: dgram.Socket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

function keep(s: dgram.Socket): dgram.Socket {
  open.push(s);
  return s;
}

describe('bindUdpNow', () => {
  it('returns a socket already bound, and throws EADDRINUSE for a taken port', () => {
    const s = keep(bindUdpNow('127.0.0.1', 0));
    const { port, address } = s.address();
    expect(address).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    let thrown: unknown;
    try {
      keep(bindUdpNow('127.0.0.1', port));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BindError);
    expect((thrown as BindError).code).toBe('EADDRINUSE');
  });

  it('binds IPv6 only for an IPv6 literal, when the host has ::1', () => {
    let s: dgram.Socket;
    try {
      s = keep(bindUdpNow('::1', 0));
    } catch (err) {
      expect(err).toBeInstanceOf(BindError);
      return;
    }
    expect(s.address().family).toBe('IPv6');
  });

  it('sends to an IP literal and receives on it', async () => {
    const a = keep(bindUdpNow('127.0.0.1', 0));
    const b = keep(await bindUdp('127.0.0.1', 0));
    const got = new Promise<Buffer>((resolve) => b.once('message', resolve));
    a.send(Buffer.from('hello'), b.address().port, '127.0.0.1');
    expect((await got).toString()).toBe('hello');
  });

  it('bindUdp rejects with the BindError', async () => {
    const s = keep(bindUdpNow('127.0.0.1', 0));
    await expect(bindUdp('127.0.0.1', s.address().port)).rejects.toBeInstanceOf(BindError);
  });
});

describe('RelayPorts.bind', () => {
  it('binds synchronously within the range, skipping ports held by others, and honours EVEN-PORT', () => {
    const blocker = keep(bindUdpNow('127.0.0.1', 0));
    const taken = blocker.address().port;
    const range = { min: taken, max: taken + 7 };
    if (range.max > 65535) return;
    const pool = new RelayPorts('127.0.0.1', range);
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = pool.bind(true);
      if (!r.ok) continue;
      keep(r.socket);
      expect(r.socket.address().port).toBe(r.port);
      ports.push(r.port);
    }
    for (const p of ports) {
      expect(p).not.toBe(taken);
      expect(p % 2).toBe(0);
      expect(p).toBeGreaterThanOrEqual(range.min);
      expect(p).toBeLessThanOrEqual(range.max);
    }
    expect(new Set(ports).size).toBe(ports.length);
    expect(pool.boundCount).toBe(ports.length);
  });
});
