import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionBudget, connectionLimitFor, relaySocketsFor } from '../../src/net/connection-budget.js';
import { readFdLimit } from '../../src/net/fd-limit.js';
import { guardConnections, type RefusedConnection } from '../../src/net/guard-connections.js';

describe('connection budget', () => {
  it('admits up to perIp per client (IPv6 by /64, mapped IPv4 as IPv4) and up to total overall', () => {
    const b = new ConnectionBudget({ total: 5, perIp: 2 });
    const a1 = b.admit('192.0.2.1');
    expect(a1.ok).toBe(true);
    expect(b.admit('::ffff:192.0.2.1').ok).toBe(true);
    expect(b.admit('192.0.2.1')).toEqual({ ok: false, reason: 'per-ip', limit: 2 });
    expect(b.admit('2001:db8:0:7::1').ok).toBe(true);
    expect(b.admit('2001:db8:0:7::2').ok).toBe(true);
    expect(b.admit('2001:db8:0:7:ffff::3')).toMatchObject({ ok: false, reason: 'per-ip' });
    expect(b.admit('198.51.100.1').ok).toBe(true);
    expect(b.admit('198.51.100.2')).toEqual({ ok: false, reason: 'total', limit: 5 });
    if (a1.ok) {
      a1.release();
      a1.release();
    }
    expect(b.open).toBe(4);
    expect(b.heldBy('192.0.2.1')).toBe(1);
    expect(b.admit('198.51.100.2').ok).toBe(true);
  });

  it('refuses non-positive limits', () => {
    expect(() => new ConnectionBudget({ total: 0, perIp: 1 })).toThrow(RangeError);
  });

  it('leaves half of the descriptors above the baseline for relay sockets', () => {
    expect(connectionLimitFor({ soft: 1024, hard: 1024 })).toBe(480);
    expect(relaySocketsFor({ soft: 1024, hard: 1024 }, 480)).toBe(480);
    expect(connectionLimitFor(null)).toBe(480);
  });

  it('reads RLIMIT_NOFILE from /proc/self/limits', () => {
    const text =
      'Limit  Soft Limit  Hard Limit  Units\nMax open files            1024                 4096                 files\n';
    expect(readFdLimit(text)).toEqual({ soft: 1024, hard: 4096 });
    expect(readFdLimit('Max open files  unlimited  unlimited  files')?.soft).toBe(Number.POSITIVE_INFINITY);
    expect(readFdLimit('nothing here')).toBeNull();
    const own = readFdLimit();
    expect(own?.soft).toBeGreaterThan(0);
    expect(own?.soft).toBe(own?.hard);
  });
});

describe('guardConnections on a real listener', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('destroys connections over the per-IP limit at accept and releases on close', async () => {
    const budget = new ConnectionBudget({ total: 10, perIp: 2 });
    const refused: RefusedConnection[] = [];
    const held: import('node:net').Socket[] = [];
    server = createServer((s) => held.push(s));
    guardConnections(server, budget, (r) => refused.push(r));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const open = () =>
      new Promise<{ closed: Promise<void> }>((resolve) => {
        const c = connect(port, '127.0.0.1');
        c.on('error', () => undefined);
        const closed = new Promise<void>((r) => c.once('close', () => r()));
        c.once('connect', () => resolve({ closed }));
      });
    const clients = [await open(), await open(), await open()];
    await clients[2]!.closed;
    expect(refused).toEqual([{ reason: 'per-ip', limit: 2, ip: '127.0.0.1' }]);
    expect(budget.open).toBe(2);
    for (const s of held) if (!s.destroyed) s.destroy();
    await Promise.all([clients[0]!.closed, clients[1]!.closed]);
    await new Promise((r) => setImmediate(r));
    expect(budget.open).toBe(0);
  });
});
