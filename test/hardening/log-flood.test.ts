/**
 * Issue 12, item 8: refused WebSocket upgrades must not flood the log nor carry terminal control bytes into
 * it. One IP sends {@link REFUSALS} upgrade requests to `/signal` with a foreign Origin of about 15 KB
 * (Node answers 431 to headers over 16 KiB before any handler sees them) holding C1 bytes (0x80–0x9F,
 * e.g. 0x9B: CSI), by hand over TCP so the bytes arrive raw. Every one must be refused
 * with 403; `serve`'s log (stderr, default level) must stay under {@link MAX_LOG_BYTES}, hold no C1
 * character, and still say that upgrades were refused (the per-client summary line).
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { stopServes } from '../support/serve-process.js';
import { profile } from './profile.js';
import { startSignalingServe } from './signaling-serve.js';
import { record } from './tally.js';

const ATTACKER = '127.0.0.66';
const REFUSALS = profile.name === 'long' ? 10_000 : 1000;
/** Log bytes allowed for all the refusals together (before the fix: the whole Origin in every line). */
const MAX_LOG_BYTES = 50_000;
/** Requests in flight at once. */
const BATCH = 50;
/**
 * The Origin: `http://evil.example/` then C1 bytes (CSI, NEL, DCS, OSC) among letters, about 15 KB, sent
 * as latin1 bytes (Node's parser refuses C0 controls in a header with 400, but takes bytes ≥ 0x80).
 */
const ORIGIN = `http://evil.example/${'\x9b31m\x85[2J\x90abc\x9d'.repeat(1200)}`;

afterEach(stopServes);

/** Sends one upgrade request by hand; resolves with the status code of the answer (0: none, closed). */
function upgrade(port: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: ATTACKER });
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (b: Buffer) => {
      answer += b.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
    });
    socket.write(
      Buffer.from(
        `GET /signal HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          `Origin: ${ORIGIN}\r\n\r\n`,
        'latin1',
      ),
    );
  });
}

describe('log flood through refused upgrades', () => {
  it(`${REFUSALS} upgrades with a 15-KB Origin full of C1 bytes: 403 each, the log short and escaped`, async ({
    task,
  }) => {
    const s = await startSignalingServe();
    const port = Number(new URL(s.pageUrl).port);
    const logBefore = Buffer.byteLength(s.stderr());

    const statuses = new Map<number, number>();
    for (let done = 0; done < REFUSALS; done += BATCH) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(BATCH, REFUSALS - done) }, () => upgrade(port)),
      );
      for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    await new Promise((r) => setTimeout(r, 500));
    const log = s.stderr();
    const logBytes = Buffer.byteLength(log) - logBefore;
    const c1 = (log.match(/[\u0080-\u009f]/g) ?? []).length;
    const summary = log.split('\n').filter((l) => l.includes('signaling upgrades refused'));

    const not403 = REFUSALS - (statuses.get(403) ?? 0);
    const failures =
      not403 + (logBytes >= MAX_LOG_BYTES ? 1 : 0) + (c1 > 0 ? 1 : 0) + (summary.length ? 0 : 1);
    record(task, {
      area: 'logs',
      check: `${REFUSALS} refused upgrades, 15-KB Origin with C1 bytes`,
      tried: REFUSALS + 3,
      failures,
      detail:
        `statuses ${[...statuses].map(([k, n]) => `${k} ×${n}`).join(', ')}; log +${logBytes} bytes ` +
        `(limit ${MAX_LOG_BYTES}), ${c1} C1 characters, ${summary.length} summary line(s)`,
    });
    expect(not403).toBe(0);
    expect(logBytes).toBeLessThan(MAX_LOG_BYTES);
    expect(c1).toBe(0);
    expect(summary.length).toBeGreaterThan(0);
  }, 120_000);
});
