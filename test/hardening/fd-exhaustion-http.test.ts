/**
 * File descriptors of a published `serve` (a child process on loopback with its report page, started with a
 * soft and hard RLIMIT_NOFILE of 1,024 as systemd and many containers give it) against one attacker IP
 * (127.0.0.66) that opens 1,100 slow HTTP connections to the report page's HTTP port (the start of a
 * request, one more header line every 2 s) and holds them. The report listeners are under the process's
 * connection budget (src/net/connection-budget.ts: 100 per client IP), so the attacker holds at most 100
 * and the descriptors left serve everyone else: meanwhile a legitimate client on 127.0.0.1 gets the page,
 * a TLS handshake on the HTTPS port and a UDP TURN Allocate (no 508 "relay socket could not be bound:
 * EMFILE"), three rounds of each.
 */
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_CONNECTIONS_PER_IP } from '../../src/net/connection-budget.js';
import { stopServes } from '../support/serve-process.js';
import { sleep } from './auth-server.js';
import {
  type HeldConnections,
  holdConnections,
  latencies,
  legitPage,
  legitTlsHandshake,
  legitUdpAllocate,
} from './http-attack.js';
import type { LegitCheck } from './legit-client.js';
import { startPublished } from './server-process.js';
import { record } from './tally.js';

/** The attacker's connections, from one IP, and that IP. */
const ATTACK = 1_100;
const ATTACKER = '127.0.0.66';
/** The descriptor limit (soft and hard) of the server process. */
const NOFILE = 1_024;
/** Rounds of legitimate checks (page, TLS handshake, Allocate) while the attack holds. */
const ROUNDS = 3;

let held: HeldConnections | undefined;

afterEach(() => {
  held?.release();
  held = undefined;
  stopServes();
});

it(`serves the page, TLS and Allocate while one IP holds ${ATTACK} slow HTTP connections (RLIMIT_NOFILE ${NOFILE})`, async ({
  task,
}) => {
  const p = await startPublished([], { nofile: NOFILE });
  held = await holdConnections(p.httpAddress, ATTACK, [ATTACKER], 'slow-header');
  await sleep(1_000);
  const pages: LegitCheck[] = [];
  const handshakes: LegitCheck[] = [];
  const allocates: LegitCheck[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    pages.push(await legitPage(p.http.href));
    handshakes.push(await legitTlsHandshake(p.httpsAddress.port));
    allocates.push(await legitUdpAllocate(p.turnUdp));
  }
  const holding = held.open();
  const checks = [...pages, ...handshakes, ...allocates];
  const failures = checks.filter((c) => !c.ok).length + (holding > DEFAULT_CONNECTIONS_PER_IP ? 1 : 0);
  const errors = [...new Set(checks.flatMap((c) => (c.error ? [c.error] : [])))].slice(0, 2);
  record(task, {
    area: 'fd',
    check: `HTTP: ${ATTACK} slow connections, 1 IP, nofile ${NOFILE}`,
    tried: checks.length + 1,
    failures,
    detail: [
      `attacker holds ${holding}`,
      latencies('page', pages),
      latencies('TLS', handshakes),
      latencies('Allocate', allocates),
      ...errors,
    ].join('; '),
  });
  expect(errors).toEqual([]);
  expect(holding).toBeLessThanOrEqual(DEFAULT_CONNECTIONS_PER_IP);
  expect(failures).toBe(0);
}, 60_000);
