import {
  PasswordAlgorithm,
  PasswordAlgorithmNumber,
  PasswordAlgorithms,
} from '../../../wire/attributes/password-algorithms.js';
import { Nonce, Realm, Username } from '../../../wire/attributes/texts.js';
import type { AttributeSpec } from '../../../wire/build.js';
import { Attr } from '../../../wire/constants.js';
import { type IntegrityAlgorithm, longTermKey, verifyIntegrity } from '../../../wire/integrity.js';
import { findAttribute, type StunMessage } from '../../../wire/message.js';
import { restPassword, restUsernameExpiry } from '../../../wire/rest-credentials.js';
import type { AuthFailureLimiter } from './limiter.js';
import { NONCE_COOKIE, NonceIssuer } from './nonce.js';

/** Why a request was not authenticated; the label of the auth-failure metric. */
export type AuthFailureReason =
  | 'no-credentials'
  | 'unknown-user'
  | 'bad-integrity'
  | 'stale-nonce'
  | 'expired-rest-credentials'
  | 'rate-limited'
  | 'malformed';

/** An authenticated request: who, with which key, and which MESSAGE-INTEGRITY the response must carry. */
export interface Authenticated {
  ok: true;
  username: string;
  /** Long-term key (RFC 8489 §9.2.2): 16 bytes (MD5) or 32 bytes (SHA-256). */
  key: Buffer;
  /** The integrity attribute the client used, and the one its responses get (RFC 8489 §9.2.4). */
  integrity: IntegrityAlgorithm;
  /** True for a report page credential (minted from {@link CredentialSource.pageSecret}): see page-scope.ts. */
  scoped: boolean;
}

/** A refused request: the error code and the attributes (REALM, NONCE, ...) its error response carries. */
export interface AuthRefusal {
  ok: false;
  code: 400 | 401 | 438;
  reason: AuthFailureReason;
  /** Frozen: the same list for every refusal with the same nonce (see {@link Authenticator.challenge}). */
  attributes: readonly AttributeSpec[];
}

/** Long-term credentials the server accepts: static users, and TURN REST API shared secrets. */
export interface CredentialSource {
  realm: string;
  /** username → password; a `Map`, so a username like `__proto__` is just a missing key. */
  users: ReadonlyMap<string, string>;
  /** TURN REST API secrets, newest first; several during a rotation. */
  authSecrets: readonly string[];
  /**
   * The report page's TURN REST secret, or `null`: credentials it signs authenticate like the others but
   * are scoped (page-scope.ts). Tried after the static users and `authSecrets`.
   */
  pageSecret?: string | null;
  /** Seconds a nonce stays valid. */
  nonceLifetimeS: number;
}

/** Challenges an {@link Authenticator} remembers, by nonce (the oldest forgotten first). */
export const CHALLENGE_MEMO_MAX = 256;

/** The attributes of a 400 from the authenticator: none (a frozen list, see {@link AuthRefusal}). */
const NO_ATTRIBUTES: readonly AttributeSpec[] = Object.freeze([]);

/** The PASSWORD-ALGORITHMS this server offers (RFC 8489 §14.11): SHA-256 first, then MD5. */
const OFFERED_ALGORITHMS: readonly number[] = [PasswordAlgorithmNumber.sha256, PasswordAlgorithmNumber.md5];
/** {@link OFFERED_ALGORITHMS} encoded, once. */
const OFFERED_ATTRIBUTE = Object.freeze(PasswordAlgorithms.encode(OFFERED_ALGORITHMS));

const DUMMY_PASSWORD = '\u0000ice-doctor-no-such-user';

/** Most usernames whose long-term keys an {@link Authenticator} remembers (the oldest forgotten first). */
export const KEY_MEMO_MAX = 1024;
/**
 * Longest username whose keys are remembered, in UTF-16 units (RFC 8489 §14.3: USERNAME is under 509
 * bytes): with {@link KEY_MEMO_MAX}, at most ~1 MiB of memo whatever usernames clients send.
 */
export const KEY_MEMO_MAX_USERNAME = 512;

/** The long-term keys a username may have used (RFC 8489 §9.2.2), or a dummy one for an unknown user. */
interface CandidateKeys {
  /** Each key, and whether it is the page secret's (a scoped credential). */
  keys: { key: Buffer; scoped: boolean }[];
  /** False when `keys` holds only the dummy key of an unknown username. */
  known: boolean;
}

/** Attributes that may follow MESSAGE-INTEGRITY (RFC 8489 §14.5). */
const AFTER_INTEGRITY: ReadonlySet<number> = new Set([
  Attr.MESSAGE_INTEGRITY,
  Attr.MESSAGE_INTEGRITY_SHA256,
  Attr.FINGERPRINT,
]);

/**
 * The part of a request its MESSAGE-INTEGRITY covers: the attributes before the first MESSAGE-INTEGRITY or
 * MESSAGE-INTEGRITY-SHA256. Anyone on the path can append attributes after them without breaking the HMAC,
 * so RFC 8489 §14.5 has the receiver ignore all but MESSAGE-INTEGRITY-SHA256 and FINGERPRINT there; an
 * authenticated request must be acted on only through this view (an appended XOR-PEER-ADDRESS or
 * LIFETIME 0 would otherwise be obeyed under the victim's credentials).
 * @returns `msg` itself when nothing else follows (no copy on the usual path), else a copy without the
 *   trailing attributes.
 */
export function integrityCovered(msg: StunMessage): StunMessage {
  const { attributes } = msg;
  const first = attributes.findIndex(
    (a) => a.type === Attr.MESSAGE_INTEGRITY || a.type === Attr.MESSAGE_INTEGRITY_SHA256,
  );
  if (first < 0) return msg;
  let extra = false;
  for (let i = first + 1; i < attributes.length; i++)
    if (!AFTER_INTEGRITY.has(attributes[i]!.type)) extra = true;
  if (!extra) return msg;
  return { ...msg, attributes: attributes.slice(0, first) };
}

/**
 * The long-term credential mechanism of RFC 8489 §9.2 for a TURN server (RFC 8656 §5), stateless:
 * nonces are HMACs ({@link NonceIssuer}), so unauthenticated requests create no state.
 *
 * Order of checks (RFC 8489 §9.2.4): no MESSAGE-INTEGRITY(-SHA256) → 401 with REALM, NONCE and
 * PASSWORD-ALGORITHMS; integrity without USERNAME, REALM or NONCE → 400; a PASSWORD-ALGORITHMS that differs
 * from the offered list or a PASSWORD-ALGORITHM not in it → 400 (bid-down protection); a nonce that is not
 * this server's or has expired → 438 with a new NONCE; an expired TURN REST username → 401; an unknown user
 * or a wrong HMAC → 401. The HMAC is checked in constant time, and an unknown user costs the same work as a
 * known one. USERHASH (username anonymity) is not offered.
 *
 * With an {@link AuthFailureLimiter}, every 401 given to a request whose nonce was valid (wrong realm,
 * expired REST username, unknown user, wrong HMAC) counts as a failure of its client IP; while that IP is
 * blocked, requests with a valid nonce are answered 401 with a fresh challenge, exactly like a wrong
 * password, without checking the password: guesses made during a block are wasted, and the answer does
 * not tell whether a guess was right. Nonce problems (438) come first and never count, so a spoofed
 * source cannot push a victim's IP over the limit.
 */
export class Authenticator {
  private readonly nonces: NonceIssuer;
  private readonly keyMemo = new Map<string, CandidateKeys>();
  private readonly challenges = new Map<string, readonly AttributeSpec[]>();

  /**
   * @param source the accepted credentials.
   * @param limiter brute-force limiter, or `null` for none.
   */
  constructor(
    private readonly source: CredentialSource,
    private readonly limiter: AuthFailureLimiter | null = null,
  ) {
    this.nonces = new NonceIssuer(source.nonceLifetimeS);
  }

  /**
   * REALM, a fresh NONCE for `clientIp` and PASSWORD-ALGORITHMS: the attributes of a 401 or 438. A frozen
   * list, the same one for the same nonce while it is among the newest {@link CHALLENGE_MEMO_MAX}, so its
   * encoding can be reused (`turnError`): a nonce stays the same for one client IP for a second.
   */
  challenge(clientIp: string, nowMs: number = Date.now()): readonly AttributeSpec[] {
    const nonce = this.nonces.issue(clientIp, nowMs);
    const known = this.challenges.get(nonce);
    if (known) return known;
    const attrs: readonly AttributeSpec[] = Object.freeze([
      Object.freeze(Realm.encode(this.source.realm)),
      Object.freeze(Nonce.encode(nonce)),
      OFFERED_ATTRIBUTE,
    ]);
    if (this.challenges.size >= CHALLENGE_MEMO_MAX)
      this.challenges.delete(this.challenges.keys().next().value!);
    this.challenges.set(nonce, attrs);
    return attrs;
  }

  private refuse(
    code: 400 | 401 | 438,
    reason: AuthFailureReason,
    clientIp: string,
    nowMs: number,
  ): AuthRefusal {
    return {
      ok: false,
      code,
      reason,
      attributes: code === 400 ? NO_ATTRIBUTES : this.challenge(clientIp, nowMs),
    };
  }

  /** A 401 for a request with a valid nonce: one failure of `clientIp` for the limiter. */
  private failed(reason: AuthFailureReason, clientIp: string, nowMs: number): AuthRefusal {
    this.limiter?.fail(clientIp, nowMs);
    return this.refuse(401, reason, clientIp, nowMs);
  }

  /** The password algorithm the request asks for, or `null` when its negotiation is malformed. */
  private passwordAlgorithm(msg: StunMessage, nonce: string): 'md5' | 'sha256' | null {
    const offered = PasswordAlgorithms.decode(msg);
    const chosen = PasswordAlgorithm.decode(msg);
    if (!nonce.startsWith(NONCE_COOKIE) || (offered === undefined && chosen === undefined)) return 'md5';
    if (!offered || chosen === undefined || offered.join() !== OFFERED_ALGORITHMS.join()) return null;
    if (chosen === PasswordAlgorithmNumber.sha256) return 'sha256';
    return chosen === PasswordAlgorithmNumber.md5 ? 'md5' : null;
  }

  /**
   * Candidate passwords for `username`: its static password, the REST password under each secret, and
   * under the page secret (scoped).
   */
  private passwords(username: string, withRest: boolean): { password: string; scoped: boolean }[] {
    const out: { password: string; scoped: boolean }[] = [];
    const stat = this.source.users.get(username);
    if (stat !== undefined) out.push({ password: stat, scoped: false });
    if (!withRest) return out;
    for (const s of this.source.authSecrets) out.push({ password: restPassword(s, username), scoped: false });
    const page = this.source.pageSecret;
    if (page) out.push({ password: restPassword(page, username), scoped: true });
    return out;
  }

  /**
   * The keys `username` may have used with `hash` (RFC 8489 §9.2.2: MD5 or SHA-256 of `username:realm:
   * password`), or `'expired'` for a TURN REST username past its expiry and no static user of that name.
   * An unknown username gets the key of a dummy password, so it costs what a known one does. Keys are
   * remembered per username, algorithm and REST state ({@link KEY_MEMO_MAX}): the users and secrets are
   * fixed for the authenticator's life, so a key never changes.
   */
  private candidateKeys(username: string, hash: 'md5' | 'sha256', nowMs: number): CandidateKeys | 'expired' {
    const rest = this.source.authSecrets.length > 0 || Boolean(this.source.pageSecret);
    const expiry = rest ? restUsernameExpiry(username) : null;
    const withRest = expiry !== null && expiry * 1000 > nowMs;
    if (expiry !== null && !withRest && !this.source.users.has(username)) return 'expired';
    const id = `${hash}${withRest ? '+' : '-'}${username}`;
    const known = this.keyMemo.get(id);
    if (known) return known;
    const passwords = this.passwords(username, withRest);
    const { realm } = this.source;
    const found: CandidateKeys = {
      keys: (passwords.length > 0 ? passwords : [{ password: DUMMY_PASSWORD, scoped: false }]).map((p) => ({
        key: longTermKey(username, realm, p.password, hash),
        scoped: p.scoped,
      })),
      known: passwords.length > 0,
    };
    if (username.length <= KEY_MEMO_MAX_USERNAME) {
      if (this.keyMemo.size >= KEY_MEMO_MAX) this.keyMemo.delete(this.keyMemo.keys().next().value!);
      this.keyMemo.set(id, found);
    }
    return found;
  }

  /**
   * Authenticates one request (RFC 8489 §9.2.4).
   * @param clientIp the source IP, which nonces are bound to.
   * @param nowMs current time, ms since the epoch.
   * @returns {@link Authenticated}, or an {@link AuthRefusal} to answer with.
   */
  authenticate(msg: StunMessage, clientIp: string, nowMs: number = Date.now()): Authenticated | AuthRefusal {
    const integrity: IntegrityAlgorithm | null = findAttribute(msg, Attr.MESSAGE_INTEGRITY_SHA256)
      ? 'sha256'
      : findAttribute(msg, Attr.MESSAGE_INTEGRITY)
        ? 'sha1'
        : null;
    if (!integrity) return this.refuse(401, 'no-credentials', clientIp, nowMs);
    const username = Username.decode(msg);
    const realm = Realm.decode(msg);
    const nonce = Nonce.decode(msg);
    if (username === undefined || realm === undefined || nonce === undefined)
      return this.refuse(400, 'malformed', clientIp, nowMs);
    const hash = this.passwordAlgorithm(msg, nonce);
    if (!hash) return this.refuse(400, 'malformed', clientIp, nowMs);
    if (this.nonces.check(nonce, clientIp, nowMs) !== 'valid')
      return this.refuse(438, 'stale-nonce', clientIp, nowMs);
    if (this.limiter?.blocked(clientIp, nowMs)) return this.refuse(401, 'rate-limited', clientIp, nowMs);
    if (realm !== this.source.realm) return this.failed('bad-integrity', clientIp, nowMs);
    const candidates = this.candidateKeys(username, hash, nowMs);
    if (candidates === 'expired') return this.failed('expired-rest-credentials', clientIp, nowMs);
    for (const { key, scoped } of candidates.keys) {
      if (verifyIntegrity(msg, key, integrity) === 'valid' && candidates.known)
        return { ok: true, username, key, integrity, scoped };
    }
    return this.failed(candidates.known ? 'bad-integrity' : 'unknown-user', clientIp, nowMs);
  }
}
