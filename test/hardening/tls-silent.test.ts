/**
 * Silent sockets on TURN over TLS (issue 12, item 1): one attacker source (127.0.0.66) opens connections
 * to the `turns:` port of a `serve` running under a soft and hard limit of 1,024 descriptors and never
 * sends a ClientHello. Each is closed by the server: at accept when the client is over its share of the
 * connection budget (100 per IP), otherwise when the 10-s handshake deadline passes (TLS_SERVER_POLICY;
 * before the fix the `tlsClientError` listener ignored the timeout and the sockets stayed open for good).
 * Meanwhile a client from 127.0.0.1 completes its TLS handshake and an Allocate over it.
 */
import { describe, expect, it } from 'vitest';
import { RawTurnClient } from '../support/turn-raw.js';
import { legitAllocate, openHeld, useAttackedServer, waitClosed } from './held-connections.js';
import { profile } from './profile.js';
import { record } from './tally.js';

const SILENT = profile.name === 'long' ? 1_100 : 300;
/** The server's TLS handshake deadline (src/net/tls-policy.ts), in ms. */
const HANDSHAKE_MS = 10_000;
/** Slack for a busy machine on top of {@link HANDSHAKE_MS}. */
const SLACK_MS = 8_000;

describe('silent sockets on TURN over TLS', () => {
  const attacked = useAttackedServer([], { tls: true, nofile: 1024 });

  it(`closes ${SILENT} connections that never send a ClientHello, and serves a TLS client meanwhile`, async ({
    task,
  }) => {
    const { server } = attacked;
    const held = await openHeld(server.tls!, SILENT);
    attacked.held = held;
    const lastConnected = Math.max(...held.map((h) => h.connectedMs));
    const legit = await legitAllocate('TLS', () => RawTurnClient.tls(server.tls!));
    const open = await waitClosed(held, lastConnected + HANDSHAKE_MS + SLACK_MS - performance.now());
    const lived = held.filter((h) => h.closedMs !== null).map((h) => h.closedMs! - h.connectedMs);
    const atAccept = lived.filter((ms) => ms < 1_000).length;
    const timedOut = lived.filter((ms) => ms >= 1_000);
    const row = {
      area: 'tls',
      check: `silent TLS sockets (no ClientHello), one IP, nofile 1024`,
      tried: SILENT + 1,
      failures: open + (legit.ok ? 0 : 1),
      detail:
        `${atAccept} closed at accept (per-IP cap), ${timedOut.length} after ` +
        `${timedOut.length ? `${(Math.min(...timedOut) / 1000).toFixed(1)}–${(Math.max(...timedOut) / 1000).toFixed(1)}` : '–'} s, ` +
        `${open} still open; legit TLS handshake + Allocate ${legit.ok ? `${legit.ms.toFixed(0)} ms` : `failed: ${legit.outcome}`}`,
    };
    record(task, row);
    expect(legit).toMatchObject({ ok: true });
    expect(open).toBe(0);
  }, 90_000);
});
