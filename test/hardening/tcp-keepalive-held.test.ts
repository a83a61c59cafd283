/**
 * TURN over TCP held by keepalives (issue 12, item 3): connections from one attacker source (127.0.0.66)
 * that send a Binding request at a steady pace and never allocate restart the 30-s idle timeout each
 * time; the allocate timeout (coturn's max-allocate-timeout; `serve --allocate-timeout`, default 60 s)
 * closes them anyway. The short profile runs the server with `--allocate-timeout 4` and a Binding every
 * second; the long one the default 60 s and a Binding every 20 s, as the issue found it. Meanwhile a
 * client from 127.0.0.1 allocates over TCP, and its connection, holding an allocation, outlives the
 * timeout and still answers a Refresh.
 */
import type { Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { getErrorCode } from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { RawTurnClient } from '../support/turn-raw.js';
import { openHeld, useAttackedServer, waitClosed } from './held-connections.js';
import { profile } from './profile.js';
import { HARDENING_USER } from './server-process.js';
import { record } from './tally.js';

const LONG = profile.name === 'long';
/** Seconds: the short profile's `--allocate-timeout`, the long one's default. */
const ALLOCATE_TIMEOUT_S = LONG ? 60 : 4;
const KEEPALIVE_MS = LONG ? 20_000 : 1_000;
/** Attacker connections: within the per-IP cap (100), so each is admitted and held by keepalives alone. */
const HELD = LONG ? 100 : 50;
const SLACK_MS = 8_000;

const binding = (): Buffer =>
  buildMessage({ method: StunMethod.binding, cls: StunClass.request, transactionId: newTransactionId() });

describe('TURN over TCP held by keepalives', () => {
  const attacked = useAttackedServer(LONG ? [] : ['--allocate-timeout', String(ALLOCATE_TIMEOUT_S)]);
  const timers: NodeJS.Timeout[] = [];

  afterAll(() => {
    for (const t of timers) clearInterval(t);
  });

  it(`closes ${HELD} connections that only send Bindings after the allocate timeout, and keeps an allocated one`, async ({
    task,
  }) => {
    let answered = 0;
    const keepAlive = (socket: Socket): void => {
      socket.on('data', () => answered++);
      socket.write(binding());
      const timer = setInterval(() => {
        if (socket.destroyed) clearInterval(timer);
        else socket.write(binding());
      }, KEEPALIVE_MS);
      timers.push(timer);
    };
    const { server } = attacked;
    const held = await openHeld(server.tcp, HELD, keepAlive);
    attacked.held = held;
    const firstConnected = Math.min(...held.map((h) => h.connectedMs));
    const legit = await RawTurnClient.tcp(server.tcp);
    const allocateStart = performance.now();
    const allocated = await legit.allocate(HARDENING_USER);
    const allocateMs = performance.now() - allocateStart;

    const open = await waitClosed(
      held,
      firstConnected + ALLOCATE_TIMEOUT_S * 1000 + SLACK_MS - performance.now(),
    );
    const lived = held.filter((h) => h.closedMs !== null).map((h) => (h.closedMs! - h.connectedMs) / 1000);
    const legitOpen = !legit.socket.destroyed;
    const refreshed = legitOpen
      ? await legit.signed(
          StunMethod.refresh,
          [{ type: Attr.LIFETIME, raw: Buffer.from([0, 0, 0x02, 0x58]) }],
          HARDENING_USER,
        )
      : null;
    const legitOk =
      allocated.cls === StunClass.successResponse && refreshed?.cls === StunClass.successResponse;
    legit.socket.destroy();
    record(task, {
      area: 'tcp',
      check: `TCP keepalive-held, no Allocate (timeout ${ALLOCATE_TIMEOUT_S} s; default 60)`,
      tried: HELD + 1,
      failures: open + (legitOk ? 0 : 1),
      detail:
        `${HELD} from one IP, Binding every ${KEEPALIVE_MS / 1000} s (${answered} answered): ` +
        `${HELD - open} closed after ${lived.length ? `${Math.min(...lived).toFixed(1)}–${Math.max(...lived).toFixed(1)}` : '–'} s, ` +
        `${open} still open; legit TCP Allocate ${allocated.cls === StunClass.successResponse ? `${allocateMs.toFixed(0)} ms` : getErrorCode(allocated)?.code}, ` +
        `${legitOk ? 'still open and refreshed after the timeout' : 'closed or not refreshed'}`,
    });
    expect(open).toBe(0);
    expect(legitOk).toBe(true);
  }, 150_000);
});
