import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The RFC 8489 §9.2 nonce cookie with the "Password algorithms" bit of the security feature set
 * (§18.1: bit 0, the most significant of 24, base64 `gAAA`): clients that know RFC 8489 then negotiate
 * PASSWORD-ALGORITHM; RFC 5389 clients treat the whole nonce as opaque.
 */
export const NONCE_COOKIE = 'obMatJos2gAAA';

const MAC_BYTES = 12;

/**
 * Most nonce MACs {@link NonceIssuer} remembers (one per client IP and expiry second, the oldest forgotten
 * first): about 100 bytes each, so a flood of spoofed sources costs at most ~0.4 MiB of them.
 */
export const NONCE_MAC_MEMO_MAX = 4096;

/** One remembered MAC: as sent in a nonce, and as bytes for the constant-time comparison. */
interface MemoMac {
  text: string;
  bytes: Buffer;
}

/** Outcome of checking a nonce a client sent back. */
export type NonceCheck = 'valid' | 'stale' | 'invalid';

/**
 * Stateless nonces (RFC 8489 §9.2.2): `cookie + expiry (unix s, hex) + "." + base64url(HMAC-SHA256(key,
 * expiry | client IP))[0..12 bytes]`. The server keeps no table of nonces given out, so a flood of
 * unauthenticated requests creates no state beyond a bounded memo of recent MACs
 * ({@link NONCE_MAC_MEMO_MAX}), which spares the HMAC when a client gets its 401 and sends its nonce back
 * within the same second; a nonce is bound to the client's IP and expires after `lifetimeS`.
 */
export class NonceIssuer {
  private readonly key: Buffer;
  private readonly memo = new Map<string, MemoMac>();

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

  /** The MAC of `id` (`expiry | client IP`), computed. */
  private compute(id: string): MemoMac {
    const text = createHmac('sha256', this.key)
      .update(id)
      .digest()
      .subarray(0, MAC_BYTES)
      .toString('base64url');
    return { text, bytes: Buffer.from(text, 'latin1') };
  }

  /** Remembers a MAC, forgetting the oldest one when the memo is full. */
  private remember(id: string, mac: MemoMac): void {
    if (this.memo.size >= NONCE_MAC_MEMO_MAX) this.memo.delete(this.memo.keys().next().value!);
    this.memo.set(id, mac);
  }

  /** A fresh nonce for `clientIp`, valid `lifetimeS` from `nowMs` (ms since the epoch). */
  issue(clientIp: string, nowMs: number = Date.now()): string {
    const expiryHex = Math.floor(nowMs / 1000 + this.lifetimeS).toString(16);
    const id = `${expiryHex}|${clientIp}`;
    let mac = this.memo.get(id);
    if (!mac) {
      mac = this.compute(id);
      this.remember(id, mac);
    }
    return `${NONCE_COOKIE}${expiryHex}.${mac.text}`;
  }

  /**
   * Checks a nonce sent back by `clientIp`: `'invalid'` when it was not issued by this server for that IP,
   * `'stale'` when it was but has expired (answered 438, RFC 8489 §9.2.4), else `'valid'`.
   * The MAC is compared in constant time; only a valid MAC is remembered.
   */
  check(nonce: string, clientIp: string, nowMs: number = Date.now()): NonceCheck {
    if (!nonce.startsWith(NONCE_COOKIE)) return 'invalid';
    const rest = nonce.slice(NONCE_COOKIE.length);
    const dot = rest.indexOf('.');
    if (dot < 1 || dot > 12) return 'invalid';
    const expiryHex = rest.slice(0, dot);
    if (!/^[0-9a-f]+$/.test(expiryHex)) return 'invalid';
    const given = Buffer.from(rest.slice(dot + 1), 'utf8');
    const id = `${expiryHex}|${clientIp}`;
    const known = this.memo.get(id);
    const expected = known ?? this.compute(id);
    if (given.length !== expected.bytes.length || !timingSafeEqual(given, expected.bytes)) return 'invalid';
    if (!known) this.remember(id, expected);
    return Number.parseInt(expiryHex, 16) * 1000 <= nowMs ? 'stale' : 'valid';
  }
}
