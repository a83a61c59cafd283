/**
 * Slow HTTP against a published `serve` (a child process on loopback with its report page): connections
 * that send the start of a request and one more header line every 2 s, never ending the header block
 * (slowloris), to the HTTP port, and TCP connections that never send a ClientHello to the HTTPS port. The
 * server closes the first at its `headersTimeout` (15 s) and the second at its TLS handshake timeout
 * (10 s); before, they were held for ~78 s and ~120 s. The attack comes from several loopback addresses
 * (100 connections each, the default per-IP cap) so every connection is admitted and has to time out.
 * Meanwhile a legitimate visitor on 127.0.0.1 gets the page, and a TLS handshake, every 2 s.
 * Short profile: 300 connections of each kind; long: 4,000 slow-header and 3,000 silent TLS connections.
 */
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_CONNECTIONS_PER_IP } from '../../src/net/connection-budget.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { stopServes } from '../support/serve-process.js';
import { sleep } from './auth-server.js';
import {
  type HeldConnections,
  type HoldMode,
  holdConnections,
  latencies,
  legitPage,
  legitTlsHandshake,
} from './http-attack.js';
import type { LegitCheck } from './legit-client.js';
import { profile } from './profile.js';
import { type Published, startPublished } from './server-process.js';
import { record } from './tally.js';

const LONG = profile.name === 'long';
/**
 * How long after its connect each kind of connection must be closed by, in ms: the server's timeout plus
 * room for its 1-s check interval and a busy machine; Node's defaults (60 s checked every 30 s, 120 s)
 * are well beyond.
 */
const DEADLINE_MS = { 'slow-header': 35_000, silent: 30_000 } as const;
/** How often the legitimate visitor checks while the attack holds, in ms. */
const LEGIT_EVERY_MS = 2_000;

let held: HeldConnections | undefined;

afterEach(() => {
  held?.release();
  held = undefined;
  stopServes();
});

/** `count` loopback source addresses 127.0.<net>.1… for {@link DEFAULT_CONNECTIONS_PER_IP} connections each. */
function sources(net: number, count: number): string[] {
  return Array.from(
    { length: Math.ceil(count / DEFAULT_CONNECTIONS_PER_IP) },
    (_, i) => `127.0.${net}.${i + 1}`,
  );
}

/**
 * Holds `count` connections of `mode` to `target` and checks the page and a TLS handshake every 2 s until
 * the server has closed them all or {@link DEADLINE_MS} passed; then records the row and asserts.
 */
async function attack(
  task: Parameters<typeof record>[0],
  check: string,
  mode: HoldMode,
  target: TransportAddress,
  count: number,
  legit: Published,
): Promise<void> {
  const start = performance.now();
  held = await holdConnections(target, count, sources(mode === 'silent' ? 2 : 1, count), mode);
  const pages: LegitCheck[] = [];
  const handshakes: LegitCheck[] = [];
  while (held.open() > 0 && performance.now() - start < DEADLINE_MS[mode] + 5_000) {
    pages.push(await legitPage(legit.http.href));
    handshakes.push(await legitTlsHandshake(legit.httpsAddress.port));
    await sleep(LEGIT_EVERY_MS);
  }
  const late = held.closedAfterMs.filter((ms) => ms > DEADLINE_MS[mode]).length + held.open();
  const closed = [...held.closedAfterMs].sort((a, b) => a - b);
  const legitFailed = [...pages, ...handshakes].filter((c) => !c.ok).length;
  record(task, {
    area: 'slow',
    check,
    tried: count + pages.length + handshakes.length,
    failures: late + held.failed + legitFailed,
    detail: [
      `closed ${closed.length}/${count} by the server, median ${Math.round((closed[closed.length >> 1] ?? 0) / 1000)} s`,
      `${late} held past ${DEADLINE_MS[mode] / 1000} s`,
      latencies('page', pages),
      latencies('TLS', handshakes),
    ].join('; '),
  });
  expect(held.failed).toBe(0);
  expect(late).toBe(0);
  expect(legitFailed).toBe(0);
}

it(`closes ${LONG ? 4_000 : 300} slow-header HTTP connections at the headers timeout; the page still loads`, async ({
  task,
}) => {
  const count = LONG ? 4_000 : 300;
  const p = await startPublished();
  await attack(task, `HTTP: ${count} slow-header connections`, 'slow-header', p.httpAddress, count, p);
}, 90_000);

it(`closes ${LONG ? 3_000 : 300} silent TLS connections at the handshake timeout; TLS still works`, async ({
  task,
}) => {
  const count = LONG ? 3_000 : 300;
  const p = await startPublished();
  await attack(task, `HTTPS: ${count} silent TLS connections`, 'silent', p.httpsAddress, count, p);
}, 90_000);
