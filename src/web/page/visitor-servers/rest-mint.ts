/**
 * TURN REST API credentials minted in the page from a shared secret the visitor pasted
 * (draft-uberti-behave-turn-rest-00 §2.2; what coturn's `use-auth-secret` + `static-auth-secret` accept):
 * username `<expiry unix s>:<user>`, credential base64(HMAC-SHA1(secret, username)). WebCrypto
 * (`crypto.subtle`, W3C Web Cryptography API) computes the HMAC, so the secret never leaves the page.
 * The same scheme as the server's `wire/rest-credentials.ts` (node:crypto), which the page cannot import.
 */
import { toBase64 } from '../base64url.js';

/** A minted TURN credential. */
export interface MintedCredential {
  /** `<expiry>:<user>`, or `<expiry>` alone for an empty user. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)), RFC 4648 §4 with padding. */
  credential: string;
  /** Expiry, unix time in s. */
  expiresAtS: number;
}

/**
 * Mints a credential for `user`, valid `ttlS` seconds from `nowMs`.
 * @param secret the shared secret (its UTF-8 bytes are the HMAC key).
 * @param ttlS lifetime in s (> 0).
 * @param nowMs current time in ms since the epoch.
 * @throws RangeError when `ttlS` is not positive; DOMException when WebCrypto is unavailable (an insecure
 * context on some browsers: `crypto.subtle` exists only on HTTPS or localhost in Chromium and Firefox).
 */
export async function mintRestCredential(
  secret: string,
  user: string,
  ttlS: number,
  nowMs: number = Date.now(),
): Promise<MintedCredential> {
  if (!(ttlS > 0)) throw new RangeError('ttlS must be a positive number of seconds');
  if (!globalThis.crypto?.subtle)
    throw new DOMException(
      'this browser offers no WebCrypto here (crypto.subtle needs HTTPS or localhost)',
      'NotSupportedError',
    );
  const expiresAtS = Math.floor(nowMs / 1000) + Math.ceil(ttlS);
  const username = user ? `${expiresAtS}:${user}` : String(expiresAtS);
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(username));
  return { username, credential: toBase64(new Uint8Array(mac)), expiresAtS };
}
