/**
 * Abuse of long-term authentication (RFC 8489 §9.2, TURN REST) against `ice-doctor serve` (a child
 * process on loopback; 127.0.0.2 … act as other client IPs):
 * - usernames that are keys of `Object.prototype`, with the passwords a confused lookup would produce,
 *   never authenticate, on a static-user server and a `--auth-secret` server;
 * - a nonce issued to another client IP is refused with 438 (and the fresh nonce then works), and a
 *   captured signed request replayed from another IP, or under a new transaction ID, is refused;
 * - a stale nonce gets 438 with a new one, and the retry succeeds;
 * - TURN REST usernames past their expiry get 401 although their HMAC is right, to the second;
 * - password guessing: beyond `--auth-failure-limit` the client IP's passwords go unchecked (even the right
 *   one gets 401) for `--auth-block`, logged once; other IPs, and a victim whose IP is spoofed without a
 *   nonce, are unaffected; after the block the right password works again;
 * - a flood of unauthenticated and forged-nonce Allocates from many ports: all refused, no allocation,
 *   bounded memory, and a legitimate Allocate still succeeds.
 */
import { afterEach, describe, expect, it, type TaskMeta } from 'vitest';
import type { TransportAddress } from '../../src/wire/address.js';
import { Attr, StunMethod } from '../../src/wire/constants.js';
import { findAttribute } from '../../src/wire/message.js';
import { restPassword } from '../../src/wire/rest-credentials.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { peerAttribute, type RawTurnClient, statusOf, UDP_TRANSPORT } from '../support/turn-raw.js';
import {
  appendAfterIntegrity,
  from,
  type MeteredServer,
  sleep,
  startMeteredServer,
  transactionIdOf,
  withNewTransactionId,
} from './auth-server.js';
import { profile } from './profile.js';
import { HARDENING_USER } from './server-process.js';
import { openCanary } from './ssrf/canary.js';
import { record } from './tally.js';

const LONG = profile.name === 'long';
const SECRET = 'hardening-rest-secret';
const BLOCK_WARNING = 'too many failed authentications: password checks suspended for this client';

/** Keys a plain-object credential table would find on its prototype. */
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'toLocaleString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
];
/** What `String(table[key])` or a missing value turns into, and the real user's password. */
const CONFUSED_PASSWORDS = [
  '',
  'undefined',
  'null',
  '[object Object]',
  'function Object() { [native code] }',
  HARDENING_USER.password,
];

/** An attribute written verbatim. */
type RawSpec = { type: number; raw: Buffer };

const servers: MeteredServer[] = [];
const sessions: RawTurnClient[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => s.server.stop('SIGKILL')));
});

async function serve(args: string[]): Promise<MeteredServer> {
  const s = await startMeteredServer(args);
  servers.push(s);
  return s;
}

async function session(s: MeteredServer, source = '127.0.0.1'): Promise<RawTurnClient> {
  const c = await from(source, s.server.udp);
  sessions.push(c);
  return c;
}

/** Counts outcomes that are not `expected`, keeping the first few for the message. */
class Tally {
  tried = 0;
  readonly wrong: string[] = [];
  get failures(): number {
    return this.wrong.length;
  }
  check(what: string, status: number, expected: number): void {
    this.tried++;
    if (status !== expected) this.wrong.push(`${what} → ${status}, expected ${expected}`);
  }
  /**
   * Records the test's row (area `auth`; the detail is the first wrong outcome, else `detail`) and asserts
   * that nothing was wrong.
   */
  report(task: { meta: TaskMeta }, check: string, detail?: string): void {
    record(task, {
      area: 'auth',
      check,
      tried: this.tried,
      failures: this.failures,
      detail: this.wrong[0] ?? detail,
    });
    expect(this.wrong).toEqual([]);
  }
}

/** A signed Allocate's response status from `c` with its current nonce (no 401 dance, no 438 retry). */
async function allocateWith(c: RawTurnClient, credential: { username: string; password: string }) {
  const tid = newTransactionId();
  return c.exchange(c.signedBytes(StunMethod.allocate, [UDP_TRANSPORT], credential, tid), tid);
}

/** A fresh session from `source`: the 401 challenge, then one signed Allocate; its status. */
async function freshAllocate(
  s: MeteredServer,
  credential: { username: string; password: string },
  source = '127.0.0.1',
) {
  const c = await session(s, source);
  c.learn(await c.request(StunMethod.allocate, [UDP_TRANSPORT]));
  return statusOf(await allocateWith(c, credential));
}

describe('authentication abuse', () => {
  it(
    'prototype-key usernames never authenticate, with static users or a TURN REST secret',
    async ({ task }) => {
      const t = new Tally();
      const nowS = Math.floor(Date.now() / 1000);
      for (const args of [[], ['--auth-secret', SECRET]]) {
        const s = await serve(['--auth-failure-limit', '0', ...args]);
        const c = await session(s);
        c.learn(await c.request(StunMethod.allocate, [UDP_TRANSPORT]));
        for (const username of PROTOTYPE_KEYS)
          for (const password of CONFUSED_PASSWORDS)
            t.check(
              `${username}/${JSON.stringify(password)}`,
              statusOf(await allocateWith(c, { username, password })),
              401,
            );
        if (args.length > 0)
          for (const key of PROTOTYPE_KEYS)
            for (const secret of ['', 'undefined', 'null', '[object Object]']) {
              const username = `${nowS + 600}:${key}`;
              const password = restPassword(secret, username);
              t.check(
                `${username} under secret ${JSON.stringify(secret)}`,
                statusOf(await allocateWith(c, { username, password })),
                401,
              );
            }
        const reached =
          (await s.metric('ice_doctor_turn_auth_failures_total', 'reason="unknown-user"')) +
          (await s.metric('ice_doctor_turn_auth_failures_total', 'reason="bad-integrity"'));
        const created = await s.metric('ice_doctor_turn_allocations_total', 'transport="udp"');
        if (created !== 0) t.wrong.push(`${created} allocations created`);
        t.check('the right credential afterwards', await freshAllocate(s, HARDENING_USER), 200);
        expect(reached, 'every attempt reached the password check').toBe(
          PROTOTYPE_KEYS.length * (CONFUSED_PASSWORDS.length + (args.length > 0 ? 4 : 0)),
        );
        expect(s.server.alive()).toBe(true);
      }
      t.report(
        task,
        'prototype-key usernames (static users, REST secret) → 401',
        `${PROTOTYPE_KEYS.length} names × ${CONFUSED_PASSWORDS.length} passwords, + REST forms`,
      );
    },
    profile.testTimeoutMs,
  );

  it(
    'refuses a nonce issued to another client IP with 438, and the fresh nonce then works',
    async ({ task }) => {
      const s = await serve([]);
      const t = new Tally();
      const rounds = LONG ? 200 : 40;
      const owner = await session(s, '127.0.0.1');
      for (let i = 0; i < rounds; i++) {
        const thief = await session(s, `127.0.0.${2 + (i % 8)}`);
        thief.learn(await owner.request(StunMethod.allocate, [UDP_TRANSPORT]));
        const replayed = await allocateWith(thief, HARDENING_USER);
        t.check(`nonce of 127.0.0.1 from 127.0.0.${2 + (i % 8)}`, statusOf(replayed), 438);
        if (!findAttribute(replayed, Attr.NONCE)) t.wrong.push('438 without a fresh NONCE');
        thief.learn(replayed);
        t.check('retry with the fresh nonce', statusOf(await allocateWith(thief, HARDENING_USER)), 200);
        await thief.signed(StunMethod.refresh, () => [{ type: Attr.LIFETIME, uint32: 0 }], HARDENING_USER);
      }
      t.report(task, 'nonce of another client IP → 438, fresh nonce → 200');
    },
    profile.testTimeoutMs,
  );

  it(
    'refuses a captured signed request replayed from another IP or under a new transaction ID',
    async ({ task }) => {
      // Each replay under a new ID is a failed authentication of 127.0.0.1: no limiter, or it would block the originals.
      const s = await serve(['--auth-failure-limit', '0']);
      const t = new Tally();
      const rounds = LONG ? 200 : 40;
      for (let i = 0; i < rounds; i++) {
        const victim = await session(s, '127.0.0.1');
        victim.learn(await victim.request(StunMethod.allocate, [UDP_TRANSPORT]));
        const tid = newTransactionId();
        const captured = victim.signedBytes(StunMethod.allocate, [UDP_TRANSPORT], HARDENING_USER, tid);
        t.check('the original', statusOf(await victim.exchange(captured, tid)), 200);
        const elsewhere = await session(s, `127.0.0.${2 + (i % 8)}`);
        t.check('same bytes from another IP', statusOf(await elsewhere.exchange(captured, tid)), 438);
        const retagged = withNewTransactionId(captured);
        t.check(
          'new transaction ID, another IP',
          statusOf(await elsewhere.exchange(retagged, transactionIdOf(retagged))),
          438,
        );
        const sameIp = await session(s, '127.0.0.1');
        const again = withNewTransactionId(captured);
        t.check(
          'new transaction ID, same IP',
          statusOf(await sameIp.exchange(again, transactionIdOf(again))),
          401,
        );
        await victim.signed(StunMethod.refresh, () => [{ type: Attr.LIFETIME, uint32: 0 }], HARDENING_USER);
      }
      const created = await s.metric('ice_doctor_turn_allocations_total', 'transport="udp"');
      if (created !== rounds) t.wrong.push(`${created} allocations created for ${rounds} originals`);
      t.report(
        task,
        'replayed signed request (other IP / new transaction ID) → 438 / 401',
        `${created} allocations, all by the originals`,
      );
    },
    profile.testTimeoutMs,
  );

  it(
    'ignores attributes appended after MESSAGE-INTEGRITY: no extra permission, no LIFETIME 0, no 420',
    async ({ task }) => {
      const s = await serve([]);
      const t = new Tally();
      const rounds = LONG ? 200 : 20;
      const [meant, smuggled] = await Promise.all([openCanary('127.0.0.1'), openCanary('127.0.0.9')]);
      const peer = (a: TransportAddress, tid: Buffer) => peerAttribute(a.address, a.port, tid);
      try {
        for (let i = 0; i < rounds; i++) {
          const victim = await session(s);
          t.check('Allocate', statusOf(await victim.allocate(HARDENING_USER)), 200);
          /** A request signed by the victim, with `after` appended behind its MESSAGE-INTEGRITY on the way. */
          const tampered = (
            method: number,
            signed: (tid: Buffer) => RawSpec[],
            after: (tid: Buffer) => RawSpec[],
          ) => {
            const tid = newTransactionId();
            const bytes = victim.signedBytes(method, signed(tid), HARDENING_USER, tid);
            return victim.exchange(appendAfterIntegrity(bytes, after(tid)), tid).then(statusOf, () => 0);
          };
          const permit = await tampered(
            StunMethod.createPermission,
            (tid) => [peer(meant.address, tid)],
            (tid) => [peer(smuggled.address, tid)],
          );
          t.check('CreatePermission + appended XOR-PEER-ADDRESS', permit, 200);
          const lifetime0 = await tampered(
            StunMethod.refresh,
            () => [],
            () => [{ type: Attr.LIFETIME, raw: Buffer.alloc(4) }],
          );
          t.check('Refresh + appended LIFETIME 0', lifetime0, 200);
          const unknown = await tampered(
            StunMethod.refresh,
            () => [],
            () => [{ type: 0x7777, raw: Buffer.alloc(4) }],
          );
          t.check('Refresh + appended unknown comprehension-required attribute', unknown, 200);
          victim.sendIndication(smuggled.address.address, smuggled.address.port, Buffer.from('smuggled'));
          victim.sendIndication(meant.address.address, meant.address.port, Buffer.from('meant'));
          const alive = await victim.signed(StunMethod.refresh, () => [], HARDENING_USER);
          t.check('the allocation still lives', statusOf(alive), 200);
          await victim.signed(StunMethod.refresh, () => [{ type: Attr.LIFETIME, uint32: 0 }], HARDENING_USER);
        }
        await sleep(200);
        if (smuggled.heard() !== 0)
          t.wrong.push(`the smuggled peer heard ${smuggled.heard()} Send indications`);
        if (meant.heard() !== rounds) t.wrong.push(`the permitted peer heard ${meant.heard()}/${rounds}`);
      } finally {
        await Promise.all([meant.close(), smuggled.close()]);
      }
      t.report(
        task,
        'attributes appended after MESSAGE-INTEGRITY ignored (RFC 8489 §14.5)',
        `smuggled peer heard ${smuggled.heard()}, permitted peer ${meant.heard()}/${rounds}`,
      );
    },
    profile.testTimeoutMs,
  );

  it(
    'answers a stale nonce with 438 and a new one, and the retry succeeds',
    async ({ task }) => {
      const s = await serve(['--nonce-lifetime', '2']);
      const t = new Tally();
      const clients = await Promise.all(Array.from({ length: LONG ? 50 : 10 }, () => session(s)));
      await Promise.all(
        clients.map(async (c) => c.learn(await c.request(StunMethod.allocate, [UDP_TRANSPORT]))),
      );
      await sleep(2_100);
      for (const c of clients) {
        const stale = await allocateWith(c, HARDENING_USER);
        t.check('stale nonce', statusOf(stale), 438);
        if (!findAttribute(stale, Attr.NONCE)) t.wrong.push('438 without a fresh NONCE');
        c.learn(stale);
        t.check('retry', statusOf(await allocateWith(c, HARDENING_USER)), 200);
      }
      t.report(task, 'stale nonce (--nonce-lifetime 2) → 438, retry → 200');
    },
    profile.testTimeoutMs,
  );

  it(
    'refuses TURN REST credentials past their expiry, to the second, although their HMAC is right',
    async ({ task }) => {
      const s = await serve(['--auth-secret', SECRET, '--auth-failure-limit', '0']);
      const t = new Tally();
      const rest = (expiryS: number) => {
        const username = `${expiryS}:alice`;
        return { username, password: restPassword(SECRET, username) };
      };
      const nowS = Math.floor(Date.now() / 1000);
      const past = [0, 1, nowS - 86_400 * 365, nowS - 86_400, nowS - 60, nowS - 1, nowS];
      for (const expiryS of past)
        t.check(`expiry ${expiryS - nowS} s`, await freshAllocate(s, rest(expiryS)), 401);
      const soon = rest(nowS + 2);
      t.check('expiring in 2 s, now', await freshAllocate(s, soon), 200);
      await sleep((nowS + 2) * 1000 - Date.now() + 50);
      t.check('the same, just expired', await freshAllocate(s, soon), 401);
      const expired = await s.metric(
        'ice_doctor_turn_auth_failures_total',
        'reason="expired-rest-credentials"',
      );
      if (expired !== past.length + 1)
        t.wrong.push(`${expired} counted as expired, expected ${past.length + 1}`);
      t.report(
        task,
        'TURN REST credentials past expiry (right HMAC) → 401',
        'boundary: 200 before the expiry second, 401 from it',
      );
    },
    profile.testTimeoutMs,
  );

  it(
    'stops checking passwords for a guessing IP (even the right one), logs it once, spares other IPs, and lifts the block',
    async ({ task }) => {
      const limit = 20;
      const blockMs = 4_000;
      const s = await serve(['--auth-failure-limit', String(limit), '--auth-block', String(blockMs / 1000)]);
      const t = new Tally();
      const guesser = await session(s, '127.0.0.1');
      guesser.learn(await guesser.request(StunMethod.allocate, [UDP_TRANSPORT]));
      for (let i = 0; i < limit; i++) {
        const username = i % 2 === 0 ? HARDENING_USER.username : `user${i}`;
        t.check(
          `guess ${i + 1}`,
          statusOf(await allocateWith(guesser, { username, password: `guess-${i}` })),
          401,
        );
      }
      const blockedAt = Date.now();
      const during = LONG ? 2_000 : 200;
      const attempts = Array.from({ length: during }, (_, i) =>
        i % 2 === 0 ? HARDENING_USER : { username: HARDENING_USER.username, password: `guess-${limit + i}` },
      );
      // 25 in flight: more would overflow the server's socket buffer, and a lost request proves nothing.
      for (let i = 0; i < attempts.length; i += 25) {
        const batch = attempts.slice(i, i + 25).map((c) => allocateWith(guesser, c).then(statusOf, () => 0));
        for (const status of await Promise.all(batch)) t.check('during the block', status, 401);
      }
      t.check('right password, new port, same IP', await freshAllocate(s, HARDENING_USER), 401);
      const blockedFor = Date.now() - blockedAt;
      if (blockedFor >= blockMs)
        t.wrong.push(`the attempts during the block took ${blockedFor} ms, longer than it`);
      t.check('right password from 127.0.0.2', await freshAllocate(s, HARDENING_USER, '127.0.0.2'), 200);
      const attacker = await session(s, '127.0.0.3');
      const spoofed = await session(s, '127.0.0.4');
      spoofed.learn(await attacker.request(StunMethod.allocate, [UDP_TRANSPORT]));
      for (let i = 0; i < 5 * limit; i++)
        t.check(
          'spoofed source, nonce of another IP',
          statusOf(await allocateWith(spoofed, { ...HARDENING_USER, password: 'x' })),
          438,
        );
      t.check('the spoofed IP, right password', await freshAllocate(s, HARDENING_USER, '127.0.0.4'), 200);
      const blocks = await s.metric('ice_doctor_turn_auth_blocks_total');
      const rateLimited = await s.metric('ice_doctor_turn_auth_failures_total', 'reason="rate-limited"');
      const warnings = s.logLines(BLOCK_WARNING);
      await sleep(blockedAt + blockMs + 100 - Date.now());
      t.check('right password after the block', await freshAllocate(s, HARDENING_USER), 200);
      if (blocks !== 1) t.wrong.push(`auth_blocks_total ${blocks}, expected 1`);
      if (rateLimited !== during + 1) t.wrong.push(`rate-limited ${rateLimited}, expected ${during + 1}`);
      if (warnings.length !== 1) t.wrong.push(`${warnings.length} block warnings logged, expected 1`);
      t.report(
        task,
        `brute force: ${limit} failures → blocked ${blockMs / 1000} s, others unaffected`,
        `${during + 1} refused unchecked in ${blockedFor} ms; 1 warn line; spoofed victim unaffected`,
      );
      expect(warnings[0]).toMatchObject({ level: 40, client: '127.0.0.1', failures: limit });
    },
    profile.testTimeoutMs,
  );

  it(
    'refuses a flood of unauthenticated and forged-nonce Allocates from many ports without creating state',
    async ({ task }) => {
      const s = await serve([]);
      const t = new Tally();
      const total = LONG ? 200_000 : 20_000;
      const ports = 100;
      const flooders = await Promise.all(Array.from({ length: ports }, () => session(s)));
      const challenge = await flooders[0]!.request(StunMethod.allocate, [UDP_TRANSPORT]);
      for (const c of flooders) {
        c.learn(challenge);
        c.useNonce(`${c.currentNonce.slice(0, -4)}${c.currentNonce.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`);
      }
      const baseline = s.server.rssBytes();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, s.server.rssBytes());
      }, 100);
      const start = performance.now();
      try {
        // One request in flight per port: 100 in all, which the server's socket buffer holds without a drop.
        await Promise.all(
          flooders.map(async (c, n) => {
            for (let k = n; k < total; k += ports) {
              const forged = k % 4 === 3;
              const response = forged
                ? allocateWith(c, HARDENING_USER)
                : c.request(StunMethod.allocate, [UDP_TRANSPORT]);
              const status = await response.then(statusOf, () => 0);
              t.check(forged ? 'forged nonce' : 'unsigned', status, forged ? 438 : 401);
            }
          }),
        );
      } finally {
        clearInterval(sampler);
      }
      const floodMs = performance.now() - start;
      const active = await s.metric('ice_doctor_turn_active_allocations', 'transport="udp"');
      const created = await s.metric('ice_doctor_turn_allocations_total', 'transport="udp"');
      const legit = await freshAllocate(s, HARDENING_USER);
      const growthBytes = peak - baseline;
      if (active + created !== 0) t.wrong.push(`${created} allocations created, ${active} active`);
      if (legit !== 200) t.wrong.push(`legit Allocate after the flood → ${legit}`);
      t.report(
        task,
        'unauthenticated + forged-nonce Allocate flood → 401/438, no state',
        `${Math.round(t.tried / (floodMs / 1000))}/s; RSS +${(growthBytes / 2 ** 20).toFixed(1)} MiB; 0 allocations; legit 200`,
      );
      expect(growthBytes).toBeLessThan(64 * 2 ** 20);
    },
    profile.testTimeoutMs,
  );
});
