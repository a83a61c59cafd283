import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The RFC 8489 §9.2 nonce cookie with the "Password algorithms" bit of the security feature set
 * (§18.1: bit 0, the most significant of 24, base64 `gAAA`): clients that know RFC 8489 then negotiate
 * PASSWORD-ALGORITHM; RFC 5389 clients treat the whole nonce as opaque.
 */
export const NONCE_COOKIE = 'obMatJos2gAAA';

const MAC_BYTES = 12;

/** Outcome of checking a nonce a client sent back. */
export type NonceCheck = 'valid' | 'stale' | 'invalid';

/**
 * Stateless nonces (RFC 8489 §9.2.2): `cookie + expiry (unix s, hex) + "." + base64url(HMAC-SHA256(key,
 * expiry | client IP))[0..12 bytes]`. The server keeps no table, so a flood of unauthenticated requests
 * creates no state; a nonce is bound to the client's IP and expires after `lifetimeS`.
 */
export class NonceIssuer {
  private readonly key: Buffer;

  /**
   * @param lifetimeS seconds a nonce stays valid (coturn's default is 600).
   * @param key HMAC key (default: 32 random bytes, so nonces do not survive a restart).
   */
  constructor(
    private readonly lifetimeS: number,
    key: Buffer = randomBytes(32),
  ) {
    this.key = key;
  }

  private mac(expiryHex: string, clientIp: string): string {
    return createHmac('sha256', this.key)
      .update(`${expiryHex}|${clientIp}`)
      .digest()
      .subarray(0, MAC_BYTES)
      .toString('base64url');
  }

  /** A fresh nonce for `clientIp`, valid `lifetimeS` from `nowMs` (ms since the epoch). */
  issue(clientIp: string, nowMs: number = Date.now()): string {
    const expiryHex = Math.floor(nowMs / 1000 + this.lifetimeS).toString(16);
    return `${NONCE_COOKIE}${expiryHex}.${this.mac(expiryHex, clientIp)}`;
  }

  /**
   * Checks a nonce sent back by `clientIp`: `'invalid'` when it was not issued by this server for that IP,
   * `'stale'` when it was but has expired (answered 438, RFC 8489 §9.2.4), else `'valid'`.
   * The MAC is compared in constant time.
   */
  check(nonce: string, clientIp: string, nowMs: number = Date.now()): NonceCheck {
    if (!nonce.startsWith(NONCE_COOKIE)) return 'invalid';
    const rest = nonce.slice(NONCE_COOKIE.length);
    const dot = rest.indexOf('.');
    if (dot < 1 || dot > 12) return 'invalid';
    const expiryHex = rest.slice(0, dot);
    if (!/^[0-9a-f]+$/.test(expiryHex)) return 'invalid';
    const given = Buffer.from(rest.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.mac(expiryHex, clientIp), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number.parseInt(expiryHex, 16) * 1000 <= nowMs ? 'stale' : 'valid';
  }
}
