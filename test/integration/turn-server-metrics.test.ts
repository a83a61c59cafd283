/**
 * Integration tests of the TURN server metrics (src/server/turn/metrics.ts): a real HTTP listener on
 * 127.0.0.1 port 0, scraped with the global fetch. Checks the exposition's values and content type,
 * 404 elsewhere, that close() frees the port, that two servers keep separate numbers, the one-line
 * UserError for a port in use, and that a client over its connection budget share is closed at accept.
 */
import { connect, createServer } from 'node:net';
import { register as globalRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { processConnectionBudget } from '../../src/net/connection-budget.js';
import {
  createTurnMetrics,
  type MetricsServer,
  startMetricsServer,
  type TurnMetrics,
} from '../../src/server/turn/metrics.js';

const open: MetricsServer[] = [];

/** A TCP connection from `localAddress` that sends nothing; `closedWithin` tells whether the server closed it. */
async function holdConnection(port: number, localAddress: string) {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  return {
    socket,
    closedWithin: (ms: number) =>
      Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]),
  };
}

async function serve(metrics: TurnMetrics, port = 0): Promise<MetricsServer> {
  const server = await startMetricsServer(metrics, { host: '127.0.0.1', port });
  open.push(server);
  return server;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('startMetricsServer', () => {
  it('serves the values the engine counted, in the registry content type', async () => {
    const metrics = createTurnMetrics();
    metrics.allocations.inc({ transport: 'udp' });
    metrics.allocations.inc({ transport: 'udp' });
    metrics.allocations.inc({ transport: 'tls' });
    metrics.allocations.dec({ transport: 'tls' });
    metrics.allocationsTotal.inc({ transport: 'udp' }, 2);
    metrics.permissions.set(5);
    metrics.channels.inc();
    metrics.relayedPackets.inc({ direction: 'client-to-peer' }, 3);
    metrics.relayedBytes.inc({ direction: 'peer-to-client' }, 1200);
    metrics.authFailures.inc({ reason: 'stale-nonce' });
    metrics.deniedPeers.inc({ method: 'CreatePermission' });
    metrics.quotaRejections.inc({ reason: 'user-quota' });
    metrics.requests.inc({ method: 'Allocate', outcome: '401' });
    metrics.requests.inc({ method: 'Allocate', outcome: 'success' });
    const server = await serve(metrics);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await res.text();
    for (const line of [
      'ice_doctor_turn_active_allocations{transport="udp"} 2',
      'ice_doctor_turn_active_allocations{transport="tls"} 0',
      'ice_doctor_turn_active_allocations{transport="tcp"} 0',
      'ice_doctor_turn_allocations_total{transport="udp"} 2',
      'ice_doctor_turn_active_permissions 5',
      'ice_doctor_turn_active_channels 1',
      'ice_doctor_turn_relayed_packets_total{direction="client-to-peer"} 3',
      'ice_doctor_turn_relayed_packets_total{direction="peer-to-client"} 0',
      'ice_doctor_turn_relayed_bytes_total{direction="peer-to-client"} 1200',
      'ice_doctor_turn_auth_failures_total{reason="stale-nonce"} 1',
      'ice_doctor_turn_auth_failures_total{reason="wrong-credentials"} 0',
      'ice_doctor_turn_denied_peers_total{method="CreatePermission"} 1',
      'ice_doctor_turn_quota_rejections_total{reason="user-quota"} 1',
      'ice_doctor_turn_requests_total{method="Allocate",outcome="401"} 1',
      'ice_doctor_turn_requests_total{method="Allocate",outcome="success"} 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^# HELP ice_doctor_turn_relayed_bytes_total \S.+$/m);
    expect(text).toMatch(/^# TYPE ice_doctor_turn_active_allocations gauge$/m);
    expect(text).toMatch(/^ice_doctor_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^ice_doctor_nodejs_eventloop_lag_seconds \d/m);
    expect(await scrape(`${server.url}?x=1`)).toContain('ice_doctor_turn_active_permissions 5');
  });

  it('answers 404 for other paths and methods', async () => {
    const server = await serve(createTurnMetrics());
    const base = server.url.replace(/\/metrics$/, '');
    for (const path of ['/', '/metric', '/metrics/', '/favicon.ico']) {
      expect((await fetch(base + path)).status, path).toBe(404);
    }
    expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('keeps two servers apart, and off the global registry', async () => {
    const a = createTurnMetrics();
    const b = createTurnMetrics();
    a.channels.set(7);
    b.channels.set(9);
    const [serverA, serverB] = [await serve(a), await serve(b)];
    expect(serverA.url).not.toBe(serverB.url);
    expect(await scrape(serverA.url)).toContain('ice_doctor_turn_active_channels 7\n');
    expect(await scrape(serverB.url)).toContain('ice_doctor_turn_active_channels 9\n');
    expect(await globalRegistry.metrics()).not.toContain('ice_doctor_');
  });

  it('frees the port on close()', async () => {
    const metrics = createTurnMetrics();
    const server = await serve(metrics);
    await scrape(server.url);
    await server.close();
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
    const port = Number(new URL(server.url).port);
    const again = await serve(metrics, port);
    expect(again.url).toBe(server.url);
    await scrape(again.url);
  });

  it('refuses a port in use with a one-line UserError', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const attempt = startMetricsServer(createTurnMetrics(), { host: '127.0.0.1', port });
      await expect(attempt).rejects.toThrow(
        new UserError('address-in-use', `cannot serve metrics on 127.0.0.1:${port}: address in use`),
      );
      await expect(attempt).rejects.toMatchObject({ code: 'address-in-use', exitCode: 2 });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('counts its connections against the process budget: a client over its share is closed at accept', async () => {
    processConnectionBudget({ perIp: 3 });
    try {
      const server = await serve(createTurnMetrics());
      const { port } = new URL(server.url);
      const held = await Promise.all(
        Array.from({ length: 4 }, () => holdConnection(Number(port), '127.0.0.66')),
      );
      const closedAtAccept = await Promise.all(held.map((c) => c.closedWithin(1_000)));
      expect(closedAtAccept.filter(Boolean)).toHaveLength(1);
      expect(await scrape(server.url)).toMatch(/^ice_doctor_process_start_time_seconds /m);
      for (const c of held) c.socket.destroy();
    } finally {
      processConnectionBudget({});
    }
  });
});
