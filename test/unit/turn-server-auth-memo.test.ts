/**
 * The memos on the TURN server's authentication path (src/server/turn/auth/nonce.ts, auth.ts): remembered nonce
 * MACs and long-term keys change what is computed, never what is answered — a nonce stays bound to its IP
 * and expiry, a REST username still expires, an unknown user still fails, and the memos stay bounded.
 */
import { describe, expect, it } from 'vitest';
import { withCredentials } from '../../src/client/turn-check/auth-dance.js';
import {
  Authenticator,
  type CredentialSource,
  KEY_MEMO_MAX,
} from '../../src/server/turn/auth/authenticate.js';
import { NONCE_COOKIE, NONCE_MAC_MEMO_MAX, NonceIssuer } from '../../src/server/turn/auth/nonce.js';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { longTermKey } from '../../src/wire/integrity.js';
import { decodeMessage } from '../../src/wire/message.js';
import { restPassword } from '../../src/wire/rest-credentials.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';

const T0 = 1_700_000_000_000;
const IP = '192.0.2.7';

describe('NonceIssuer with its MAC memo', () => {
  it('answers a nonce the same whether its MAC was remembered or not', () => {
    const key = Buffer.alloc(32, 7);
    const a = new NonceIssuer(600, key);
    const b = new NonceIssuer(600, key);
    const nonce = a.issue(IP, T0);
    expect(b.issue(IP, T0)).toBe(nonce);
    for (const n of [a, b]) {
      expect(n.check(nonce, IP, T0 + 1000)).toBe('valid');
      expect(n.check(nonce, '192.0.2.8', T0 + 1000)).toBe('invalid');
      expect(n.check(nonce, IP, T0 + 601_000)).toBe('stale');
    }
  });

  it('refuses a forged MAC for an expiry and IP it remembers', () => {
    const n = new NonceIssuer(600);
    const nonce = n.issue(IP, T0);
    const dot = nonce.indexOf('.');
    const mac = nonce.slice(dot + 1);
    const forged = `${nonce.slice(0, dot + 1)}${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    expect(n.check(forged, IP, T0)).toBe('invalid');
    expect(n.check(`${nonce.slice(0, dot + 1)}${mac.slice(1)}`, IP, T0)).toBe('invalid');
    expect(n.check(`${NONCE_COOKIE}zz.${mac}`, IP, T0)).toBe('invalid');
  });

  it('still checks nonces whose MACs were forgotten (more IPs than the memo holds)', () => {
    const n = new NonceIssuer(600);
    const ips = Array.from(
      { length: NONCE_MAC_MEMO_MAX + 10 },
      (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
    );
    const nonces = ips.map((ip) => n.issue(ip, T0));
    expect(n.check(nonces[0]!, ips[0]!, T0)).toBe('valid');
    expect(n.check(nonces.at(-1)!, ips.at(-1)!, T0)).toBe('valid');
    expect(n.check(nonces[0]!, ips[1]!, T0)).toBe('invalid');
  });
});

const REALM = 'example.org';
const SECRET = 'rest-secret';

function source(users: [string, string][] = [['alice', 'wonderland']]): CredentialSource {
  return { realm: REALM, users: new Map(users), authSecrets: [SECRET], nonceLifetimeS: 600 };
}

/** An Allocate signed with `password`, carrying the nonce the authenticator gave `IP`. */
function signed(auth: Authenticator, username: string, password: string, nowMs: number) {
  const challenge = auth.challenge(IP, nowMs);
  const nonce = challenge.find((a) => a.type === Attr.NONCE);
  if (!nonce || !('bytes' in nonce)) throw new Error('no NONCE in the challenge');
  return decodeMessage(
    buildMessage({
      method: StunMethod.allocate,
      cls: StunClass.request,
      transactionId: newTransactionId(),
      attributes: withCredentials([], username, REALM, nonce.bytes),
      integrityKey: longTermKey(username, REALM, password),
    }),
  );
}

describe('Authenticator with its key memo', () => {
  it('authenticates a user again and again, and refuses a wrong password after a right one', () => {
    const auth = new Authenticator(source());
    for (let i = 0; i < 3; i++) {
      const who = auth.authenticate(signed(auth, 'alice', 'wonderland', T0), IP, T0);
      expect(who).toMatchObject({
        ok: true,
        username: 'alice',
        key: longTermKey('alice', REALM, 'wonderland'),
      });
    }
    expect(auth.authenticate(signed(auth, 'alice', 'Wonderland', T0), IP, T0)).toMatchObject({
      ok: false,
      code: 401,
      reason: 'bad-integrity',
    });
  });

  it('lets a TURN REST username expire although its keys are remembered', () => {
    const auth = new Authenticator(source());
    const expiryS = T0 / 1000 + 60;
    const username = `${expiryS}:bob`;
    const password = restPassword(SECRET, username);
    expect(auth.authenticate(signed(auth, username, password, T0), IP, T0)).toMatchObject({ ok: true });
    const later = T0 + 61_000;
    expect(auth.authenticate(signed(auth, username, password, later), IP, later)).toMatchObject({
      ok: false,
      code: 401,
      reason: 'expired-rest-credentials',
    });
  });

  it('fails an unknown user every time, and keeps authenticating past KEY_MEMO_MAX usernames', () => {
    const auth = new Authenticator(source());
    for (let i = 0; i < 2; i++)
      expect(auth.authenticate(signed(auth, 'mallory', 'x', T0), IP, T0)).toMatchObject({
        ok: false,
        reason: 'unknown-user',
      });
    for (let i = 0; i <= KEY_MEMO_MAX; i++) auth.authenticate(signed(auth, `u${i}`, 'x', T0), IP, T0);
    expect(auth.authenticate(signed(auth, 'alice', 'wonderland', T0), IP, T0)).toMatchObject({ ok: true });
    const long = 'l'.repeat(600);
    const withLong = new Authenticator(source([[long, 'pw']]));
    for (let i = 0; i < 2; i++)
      expect(withLong.authenticate(signed(withLong, long, 'pw', T0), IP, T0)).toMatchObject({ ok: true });
  });
});
