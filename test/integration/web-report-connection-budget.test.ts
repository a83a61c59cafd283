/**
 * The report server's two listeners under one connection budget (`connectionBudget`, here 3 per client IP):
 * a client's connections to HTTP and HTTPS together are admitted up to its share and the rest are closed at
 * accept (before any TLS handshake), without an error in the server; another client still gets the page
 * over both, and a released connection frees its place.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConnectionBudget } from '../../src/net/connection-budget.js';
import { type RunningReportServer, startReportServer } from '../../src/web/server/report-server.js';
import { fetchRaw } from '../support/web-report.js';

const PER_IP = 3;
const budget = new ConnectionBudget({ total: 1_000, perIp: PER_IP });
let report: RunningReportServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  report = await startReportServer({ connectionBudget: budget });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await report?.close();
});

/** A TCP connection from 127.0.0.66 to `port`, and whether the server still holds it 300 ms later. */
async function held(port: number): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.66' });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  await new Promise((r) => setTimeout(r, 300));
  return !socket.destroyed && socket.readyState === 'open';
}

it('admits a client up to its share over both listeners, closes the rest at accept; others are served', async () => {
  const results: boolean[] = [];
  for (let i = 0; i < 4; i++) {
    results.push(await held(report.https!.port));
    results.push(await held(report.http!.port));
  }
  expect(results.filter(Boolean)).toHaveLength(PER_IP);
  expect(budget.heldBy('127.0.0.66')).toBe(PER_IP);
  expect((await fetchRaw(report.urls.http!)).status).toBe(200);
  expect((await fetchRaw(report.urls.https!)).status).toBe(200);
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise((r) => setTimeout(r, 300));
  expect(budget.heldBy('127.0.0.66')).toBe(0);
  expect(await held(report.https!.port)).toBe(true);
});
