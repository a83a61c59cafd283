/**
 * Unit tests of the brute-force limiter (src/server/turn/auth/limiter.ts) and of how the Authenticator
 * uses it (src/server/turn/auth/authenticate.ts): the window, the block, eviction and the memory cap, the client key
 * (IPv4, IPv4-mapped, IPv6 /64), and that only failures with a valid nonce count.
 */
import { describe, expect, it } from 'vitest';
import { withCredentials } from '../../src/client/turn-check/auth-dance.js';
import { clientKey } from '../../src/net/client-key.js';
import { Authenticator } from '../../src/server/turn/auth/authenticate.js';
import {
  AuthFailureLimiter,
  type AuthLimitSettings,
  DEFAULT_AUTH_LIMIT,
} from '../../src/server/turn/auth/limiter.js';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { longTermKey } from '../../src/wire/integrity.js';
import { decodeMessage } from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';

const SETTINGS: AuthLimitSettings = { failureLimit: 3, windowMs: 10_000, blockMs: 5_000, maxClients: 100 };
const T0 = 1_700_000_000_000;

function limiter(settings: Partial<AuthLimitSettings> = {}) {
  const blocks: [string, number][] = [];
  const l = new AuthFailureLimiter({ ...SETTINGS, ...settings }, (client, failures) =>
    blocks.push([client, failures]),
  );
  return { l, blocks };
}

describe('clientKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6, and reduces IPv6 to its /64', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::FFFF:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:0:7::1')).toBe('2001:db8:0:7::/64');
    expect(clientKey('2001:0DB8:0000:0007:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:7::/64');
    expect(clientKey('2001:db8:0:7:ffff::%eth0')).toBe('2001:db8:0:7::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(clientKey('fe80::1')).toBe('fe80:0:0:0::/64');
  });

  it('leaves text that is not an IP address as it is', () => {
    expect(clientKey('not:an:ip:zz')).toBe('not:an:ip:zz');
    expect(clientKey('')).toBe('');
  });
});

describe('AuthFailureLimiter', () => {
  it('blocks on the failure that reaches the limit, once, and not before', () => {
    const { l, blocks } = limiter();
    expect(l.blocked('192.0.2.1', T0)).toBe(false);
    expect(l.fail('192.0.2.1', T0)).toBe(false);
    expect(l.fail('192.0.2.1', T0 + 1)).toBe(false);
    expect(l.blocked('192.0.2.1', T0 + 2)).toBe(false);
    expect(l.fail('192.0.2.1', T0 + 3)).toBe(true);
    expect(blocks).toEqual([['192.0.2.1', 3]]);
    expect(l.blocked('192.0.2.1', T0 + 4)).toBe(true);
    expect(l.fail('192.0.2.1', T0 + 5)).toBe(false);
    expect(blocks).toHaveLength(1);
    expect(l.blocked('192.0.2.2', T0 + 4)).toBe(false);
  });

  it('lifts the block after blockMs and counts afresh', () => {
    const { l, blocks } = limiter();
    for (let i = 0; i < 3; i++) l.fail('192.0.2.1', T0);
    expect(l.blocked('192.0.2.1', T0 + 4_999)).toBe(true);
    expect(l.blocked('192.0.2.1', T0 + 5_000)).toBe(false);
    expect(l.size).toBe(0);
    expect(l.fail('192.0.2.1', T0 + 5_001)).toBe(false);
    expect(l.fail('192.0.2.1', T0 + 5_002)).toBe(false);
    expect(l.fail('192.0.2.1', T0 + 5_003)).toBe(true);
    expect(blocks).toHaveLength(2);
  });

  it('forgets failures once their window is over', () => {
    const { l } = limiter();
    l.fail('192.0.2.1', T0);
    l.fail('192.0.2.1', T0 + 9_999);
    expect(l.fail('192.0.2.1', T0 + 10_000)).toBe(false);
    expect(l.fail('192.0.2.1', T0 + 10_001)).toBe(false);
    expect(l.blocked('192.0.2.1', T0 + 10_002)).toBe(false);
    expect(l.fail('192.0.2.1', T0 + 10_003)).toBe(true);
  });

  it('drops an idle entry when it is looked up after its window', () => {
    const { l } = limiter();
    l.fail('192.0.2.1', T0);
    expect(l.size).toBe(1);
    expect(l.blocked('192.0.2.1', T0 + 10_000)).toBe(false);
    expect(l.size).toBe(0);
  });

  it('limits an IPv6 /64 as one client, and an IPv4-mapped address as its IPv4 address', () => {
    const { l } = limiter();
    l.fail('2001:db8:0:7::1', T0);
    l.fail('2001:db8:0:7::2', T0);
    l.fail('2001:db8:0:7:ffff:ffff:ffff:ffff', T0);
    expect(l.blocked('2001:db8:0:7::abcd', T0)).toBe(true);
    expect(l.blocked('2001:db8:0:8::1', T0)).toBe(false);
    l.fail('::ffff:198.51.100.1', T0);
    l.fail('198.51.100.1', T0);
    l.fail('::ffff:198.51.100.1', T0);
    expect(l.blocked('198.51.100.1', T0)).toBe(true);
  });

  it('holds at most maxClients, evicting the one that failed least recently', () => {
    const { l } = limiter({ maxClients: 3 });
    l.fail('192.0.2.1', T0);
    l.fail('192.0.2.2', T0 + 1);
    l.fail('192.0.2.3', T0 + 2);
    l.fail('192.0.2.1', T0 + 3);
    l.fail('192.0.2.4', T0 + 4);
    expect(l.size).toBe(3);
    l.fail('192.0.2.1', T0 + 5);
    expect(l.blocked('192.0.2.1', T0 + 6)).toBe(true);
    l.fail('192.0.2.2', T0 + 7);
    expect(l.fail('192.0.2.2', T0 + 8)).toBe(false);
  });

  it('keeps its memory bounded under a flood of distinct clients', () => {
    const { l } = limiter({ maxClients: 1_000 });
    for (let i = 0; i < 50_000; i++) l.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, T0 + i);
    expect(l.size).toBe(1_000);
    for (let i = 0; i < 50_000; i++)
      l.fail(`2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`, T0);
    expect(l.size).toBe(1_000);
  });

  it('is not fooled by a clock stepped back: a block lasts at most blockMs from now', () => {
    const { l } = limiter();
    for (let i = 0; i < 3; i++) l.fail('192.0.2.1', T0);
    expect(l.blocked('192.0.2.1', T0 - 3_600_000)).toBe(false);
  });

  it('defaults to 20 failures within 60 s, a 60 s block, 10,000 clients', () => {
    expect(DEFAULT_AUTH_LIMIT).toEqual({
      failureLimit: 20,
      windowMs: 60_000,
      blockMs: 60_000,
      maxClients: 10_000,
    });
  });
});

describe('Authenticator with a limiter', () => {
  const source = { realm: 'r', users: new Map([['alice', 'pw']]), authSecrets: [], nonceLifetimeS: 600 };
  const signedAllocate = (username: string, password: string, nonce: string) =>
    decodeMessage(
      buildMessage({
        method: StunMethod.allocate,
        cls: StunClass.request,
        transactionId: newTransactionId(),
        attributes: withCredentials([], username, 'r', nonce),
        integrityKey: longTermKey(username, 'r', password, 'md5'),
        integrityAlgorithm: 'sha1',
      }),
    );
  const nonceOf = (auth: Authenticator, ip: string): string => {
    const nonce = auth.challenge(ip, T0).find((a) => a.type === Attr.NONCE);
    return nonce && 'bytes' in nonce ? String(nonce.bytes) : '';
  };

  it('counts wrong passwords and unknown users, then refuses even the right password, other IPs unaffected', () => {
    const { l, blocks } = limiter();
    const auth = new Authenticator(source, l);
    const nonce = nonceOf(auth, '192.0.2.1');
    expect(auth.authenticate(signedAllocate('alice', 'nope', nonce), '192.0.2.1', T0)).toMatchObject({
      code: 401,
      reason: 'bad-integrity',
    });
    expect(auth.authenticate(signedAllocate('mallory', 'x', nonce), '192.0.2.1', T0)).toMatchObject({
      reason: 'unknown-user',
    });
    expect(auth.authenticate(signedAllocate('alice', 'pw', nonce), '192.0.2.1', T0).ok).toBe(true);
    expect(auth.authenticate(signedAllocate('alice', 'nah', nonce), '192.0.2.1', T0)).toMatchObject({
      reason: 'bad-integrity',
    });
    expect(blocks).toHaveLength(1);
    const refused = auth.authenticate(signedAllocate('alice', 'pw', nonce), '192.0.2.1', T0 + 1);
    expect(refused).toMatchObject({ ok: false, code: 401, reason: 'rate-limited' });
    expect(refused.ok || refused.attributes.map((a) => a.type)).toEqual([
      Attr.REALM,
      Attr.NONCE,
      Attr.PASSWORD_ALGORITHMS,
    ]);
    const other = nonceOf(auth, '192.0.2.2');
    expect(auth.authenticate(signedAllocate('alice', 'pw', other), '192.0.2.2', T0 + 1).ok).toBe(true);
    expect(auth.authenticate(signedAllocate('alice', 'pw', nonce), '192.0.2.1', T0 + 5_000).ok).toBe(true);
  });

  it('does not count requests whose nonce is not valid for the source IP (spoofed, forged or stale)', () => {
    const { l } = limiter();
    const auth = new Authenticator(source, l);
    const victimsNonce = nonceOf(auth, '192.0.2.1');
    for (let i = 0; i < 10; i++) {
      expect(auth.authenticate(signedAllocate('alice', 'x', victimsNonce), '192.0.2.9', T0)).toMatchObject({
        code: 438,
      });
      expect(
        auth.authenticate(signedAllocate('alice', 'x', `${victimsNonce}x`), '192.0.2.1', T0),
      ).toMatchObject({ code: 438 });
      expect(
        auth.authenticate(signedAllocate('alice', 'x', victimsNonce), '192.0.2.1', T0 + 700_000),
      ).toMatchObject({ code: 438 });
    }
    expect(l.size).toBe(0);
    expect(auth.authenticate(signedAllocate('alice', 'pw', victimsNonce), '192.0.2.1', T0).ok).toBe(true);
  });
});
