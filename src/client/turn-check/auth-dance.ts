import { ErrorCode } from '../../wire/attributes/error-code.js';
import { Nonce, Realm, Username } from '../../wire/attributes/texts.js';
import { type AttributeSpec, buildMessage } from '../../wire/build.js';
import { StunClass } from '../../wire/constants.js';
import { longTermKey } from '../../wire/integrity.js';
import type { StunMessage } from '../../wire/message.js';
import { newTransactionId } from '../../wire/transaction-id.js';

/** Long-term credentials (RFC 8489 §9.2), static or minted from a TURN REST secret. */
export interface TurnCredentials {
  username: string;
  password: string;
}

/** What signs a request once the server has challenged: its REALM and NONCE, and the MD5 long-term key. */
export interface LongTermAuth {
  realm: string;
  nonce: string;
  /** MD5(username ":" realm ":" password), RFC 8489 §9.2.2. */
  key: Buffer;
}

/** Authentication attempts of one request: the first, the 401 challenge, then up to two 438 retries. */
const MAX_AUTH_ATTEMPTS = 4;

/**
 * The attributes of a request signed with the long-term mechanism (RFC 8489 §9.2.4): the typed ones of
 * `attributes`, then USERNAME, REALM and NONCE, then its raw ones (buildMessage wants typed attributes
 * first; a raw one may be one a test places deliberately).
 */
export function withCredentials(
  attributes: readonly AttributeSpec[],
  username: string,
  realm: string,
  nonce: string | Buffer,
): AttributeSpec[] {
  return [
    ...attributes.filter((a) => !('raw' in a)),
    Username.encode(username),
    Realm.encode(realm),
    typeof nonce === 'string' ? Nonce.encode(nonce) : { type: Nonce.type, bytes: nonce },
    ...attributes.filter((a) => 'raw' in a),
  ];
}

/**
 * The long-term credential mechanism of a TURN client (RFC 8489 §9.2.4–9.2.5): sends a request unsigned,
 * answers a 401 with the REALM and NONCE it carries and a 438 with the new NONCE, and signs every request
 * after the first challenge (MESSAGE-INTEGRITY with the MD5 long-term key). Keeps REALM and NONCE between
 * requests. Transport-free: {@link run} is given the function that sends one attempt. The one retry policy
 * of the project's TURN clients: turn-check's (session.ts) and the relay bench's setup client; the tests'
 * raw client (test/support/turn-raw.ts) signs with {@link withCredentials} in fixed steps instead.
 */
export class AuthDance {
  private auth: LongTermAuth | null = null;

  constructor(private readonly credentials: TurnCredentials) {}

  /** The realm the server announced in its 401, once known. */
  get realm(): string | null {
    return this.auth?.realm ?? null;
  }

  /**
   * Runs one request of `method` with `attributes` (typed ones first, see buildMessage): each attempt is
   * built here, with a new transaction ID and FINGERPRINT, unsigned before the first challenge, else with
   * USERNAME, REALM, NONCE ({@link withCredentials}) and MESSAGE-INTEGRITY; `send` transmits it and resolves
   * with its final response or null (no answer). On a 401 or 438 that allows a retry (see {@link challenge})
   * the request is sent again with the new credentials, {@link MAX_AUTH_ATTEMPTS} times at most.
   * Rejects only when `send` does.
   * @returns the last attempt's result, the auth it was signed with (null: unsigned), and the error codes
   *   answered by retrying (401, 438), in order.
   */
  async run<T extends { response: StunMessage | null }>(
    method: number,
    attributes: readonly AttributeSpec[],
    send: (bytes: Buffer, transactionId: Buffer) => Promise<T>,
  ): Promise<{ last: T; used: LongTermAuth | null; challenges: number[] }> {
    const challenges: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const used = this.auth;
      const transactionId = newTransactionId();
      const bytes = buildMessage({
        method,
        cls: StunClass.request,
        transactionId,
        attributes: used
          ? withCredentials(attributes, this.credentials.username, used.realm, used.nonce)
          : attributes,
        integrityKey: used?.key,
        fingerprint: true,
      });
      const last = await send(bytes, transactionId);
      const response = last.response;
      const code = response?.cls === StunClass.errorResponse ? ErrorCode.decode(response)?.code : undefined;
      if (!response || (code !== 401 && code !== 438) || attempt === MAX_AUTH_ATTEMPTS)
        return { last, used, challenges };
      const next = this.challenge(response, used);
      if (!next) return { last, used, challenges };
      challenges.push(code);
      this.auth = next;
    }
  }

  /**
   * The credentials to retry with after a 401 or 438 (RFC 8489 §9.2.5), or null when retrying is pointless:
   * no NONCE (or, for a first 401, no REALM), or a 401 to a request signed with the current nonce.
   */
  private challenge(response: StunMessage, used: LongTermAuth | null): LongTermAuth | null {
    const nonce = Nonce.decode(response);
    const realm = Realm.decode(response) ?? used?.realm;
    if (nonce === undefined || realm === undefined) return null;
    const code = ErrorCode.decode(response)?.code;
    if (code === 401 && used && used.nonce === nonce && used.realm === realm) return null;
    const { username, password } = this.credentials;
    return { realm, nonce, key: longTermKey(username, realm, password) };
  }
}
