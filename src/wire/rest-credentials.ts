import { createHmac } from 'node:crypto';

/** TURN REST API credentials (draft-uberti-behave-turn-rest-00 §2.2, as coturn's `use-auth-secret`). */
export interface RestCredentials {
  /** `<expiry unix seconds>:<user>`. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  password: string;
  /** Expiry, unix time in seconds. */
  expiresAtS: number;
}

/**
 * The password the TURN REST API scheme derives from a shared secret: base64(HMAC-SHA1(secret, username)).
 * @param secret the static auth secret shared by the web service and the TURN server.
 * @param username `<expiry>:<user>` (or any username for a server that accepts other forms).
 */
export function restPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64');
}

/**
 * Mints time-limited TURN REST API credentials for `user`, valid for `ttlS` seconds from `nowMs`.
 * @param ttlS lifetime in seconds (> 0).
 * @param nowMs current time in ms since the epoch (default `Date.now()`).
 * @throws RangeError when `ttlS` is not a positive number.
 */
export function mintRestCredentials(
  secret: string,
  user: string,
  ttlS: number,
  nowMs: number = Date.now(),
): RestCredentials {
  if (!(ttlS > 0)) throw new RangeError('ttlS must be a positive number of seconds');
  const expiresAtS = Math.floor(nowMs / 1000) + Math.ceil(ttlS);
  const username = user ? `${expiresAtS}:${user}` : String(expiresAtS);
  return { username, password: restPassword(secret, username), expiresAtS };
}

/**
 * The expiry (unix seconds) a TURN REST username carries: the leading decimal field before the first `:`
 * (or the whole username when it is only digits), or `null` when it has none.
 */
export function restUsernameExpiry(username: string): number | null {
  const m = /^(\d{1,12})(?::|$)/.exec(username);
  return m ? Number(m[1]) : null;
}
