/**
 * TURN responses (src/server/turn/reply.ts): an unauthenticated error response copied from the encoding
 * kept for a frozen challenge is byte for byte the response encoded from scratch, with its own transaction
 * ID and FINGERPRINT (RFC 8489 §14.7); unauthenticated error responses carry no SOFTWARE (issue 12, item 10).
 */
import { describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/server/turn/auth/authenticate.js';
import { turnError } from '../../src/server/turn/reply.js';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { verifyFingerprint } from '../../src/wire/integrity.js';
import { decodeMessage, getErrorCode, getString } from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';

const auth = new Authenticator({
  realm: 'example.org',
  users: new Map([['alice', 'wonderland']]),
  authSecrets: [],
  nonceLifetimeS: 600,
});

function request(method: number) {
  return decodeMessage(buildMessage({ method, cls: StunClass.request, transactionId: newTransactionId() }));
}

describe('turnError from a kept encoding', () => {
  it('gives the bytes of a fresh encoding, without SOFTWARE, for every method, code and SOFTWARE setting', () => {
    const challenge = auth.challenge('192.0.2.1', 1_700_000_000_000);
    expect(Object.isFrozen(challenge)).toBe(true);
    expect(auth.challenge('192.0.2.1', 1_700_000_000_000)).toBe(challenge);
    for (const method of [StunMethod.allocate, StunMethod.refresh, StunMethod.channelBind]) {
      for (const code of [401, 438] as const) {
        for (const software of ['', 'ice-doctor test']) {
          for (let i = 0; i < 3; i++) {
            const req = request(method);
            const kept = turnError(req, code, null, challenge, software);
            expect(kept.equals(turnError(req, code, null, [...challenge], software))).toBe(true);
            const m = decodeMessage(kept);
            expect(m.transactionId.equals(req.transactionId)).toBe(true);
            expect(m.method).toBe(method);
            expect(verifyFingerprint(m)).toBe('valid');
            expect(getErrorCode(m)?.code).toBe(code);
            expect(getString(m, Attr.REALM)).toBe('example.org');
            expect(getString(m, Attr.SOFTWARE)).toBeUndefined();
          }
        }
      }
    }
  });

  it('answers a 400 without attributes the same way', () => {
    const req = request(StunMethod.allocate);
    const frozen = Object.freeze([]);
    expect(turnError(req, 400, null, frozen, 'sw').equals(turnError(req, 400, null, [], 'sw'))).toBe(true);
  });

  it('gives a new nonce a new challenge, and a new encoding', () => {
    const a = auth.challenge('192.0.2.1', 1_700_000_000_000);
    const b = auth.challenge('192.0.2.1', 1_700_000_001_000);
    expect(b).not.toBe(a);
    const req = request(StunMethod.allocate);
    const nonceOf = (bytes: Buffer) => getString(decodeMessage(bytes), Attr.NONCE);
    expect(nonceOf(turnError(req, 401, null, b, ''))).not.toBe(nonceOf(turnError(req, 401, null, a, '')));
  });
});
