import type { TransportAddress } from '../../wire/address.js';
import { Data } from '../../wire/attributes/data.js';
import { ErrorCode } from '../../wire/attributes/error-code.js';
import { Nonce, Realm, Username } from '../../wire/attributes/texts.js';
import { XorPeerAddress } from '../../wire/attributes/xor-peer-address.js';
import { type AttributeSpec, buildMessage } from '../../wire/build.js';
import { encodeChannelData, readChannelData } from '../../wire/channel-data.js';
import { StunClass, StunMethod } from '../../wire/constants.js';
import { StunDecodeError } from '../../wire/errors.js';
import type { StreamFrame } from '../../wire/framing.js';
import { longTermKey, verifyIntegrity } from '../../wire/integrity.js';
import { decodeMessage, type StunMessage } from '../../wire/message.js';
import { newTransactionId } from '../../wire/transaction-id.js';
import type { RttEstimator } from '../transport/rtt.js';
import { type SendUntilResult, sendUntil } from '../transport/transaction.js';
import { type LinkFailure, type LinkOptions, openTurnLink, type TurnLink } from './link.js';

/** Long-term credentials (RFC 8489 §9.2), static or minted from a TURN REST secret. */
export interface TurnCredentials {
  username: string;
  password: string;
}

/**
 * Why a request got no usable answer: `timeout` (silence for the whole RFC 8489 §6.2.1 schedule),
 * `aborted` (the check's deadline), `unparseable` (only bytes that are not a well-formed STUN message came
 * back), or the link's own failure (`closed`, `unreachable`, `garbage`, `error`).
 */
export interface TurnFailure {
  kind: 'timeout' | 'aborted' | 'unparseable' | LinkFailure['kind'];
  message: string;
}

/** Whether MESSAGE-INTEGRITY of a success response checks out (null: the request was not authenticated). */
export type IntegrityState = 'valid' | 'invalid' | 'absent' | null;

/** One request as it went, authentication retries included (RFC 8489 §9.2.4–9.2.5). */
export interface TurnRequestResult {
  /** The final response (success or error), or null with a `failure`. */
  response: StunMessage | null;
  failure: TurnFailure | null;
  /** Datagrams or writes sent, retransmissions and authentication retries included. */
  requestsSent: number;
  /** From the first send to the final response or to giving up, in ms. */
  elapsedMs: number;
  /** True when the last request sent carried USERNAME, REALM, NONCE and MESSAGE-INTEGRITY. */
  authenticated: boolean;
  /** Error codes answered by retrying with new REALM/NONCE: 401 (first challenge), 438 (stale nonce). */
  challenges: number[];
  /** MESSAGE-INTEGRITY (SHA-1, else SHA-256) of a success response to an authenticated request. */
  integrity: IntegrityState;
}

/** Data the server relayed to this client: a Data indication (RFC 8656 §11.6) or ChannelData (§12.6). */
export interface RelayedData {
  via: 'data-indication' | 'channel-data';
  /** XOR-PEER-ADDRESS of a Data indication; null for ChannelData. */
  peer: TransportAddress | null;
  /** The channel number of ChannelData; null for a Data indication. */
  channel: number | null;
  data: Buffer;
}

/** Options of {@link TurnSession.open}: the link's, plus the credentials and the path's RTT estimate. */
export interface TurnSessionOptions extends Omit<LinkOptions, 'events'> {
  credentials: TurnCredentials;
  rtt: RttEstimator;
}

/** Authentication attempts of one request: the first, the 401 challenge, then up to two 438 retries. */
const MAX_ATTEMPTS = 4;

interface Auth {
  realm: string;
  nonce: string;
  key: Buffer;
}

/**
 * One TURN client over one transport (RFC 8656): runs transactions on the link (retransmitted over UDP per
 * RFC 8489 §6.2.1, framed over TCP/TLS), answers a 401 with the REALM and NONCE it carries and a 438 with
 * the new NONCE (RFC 8489 §9.2.4–9.2.5), signs every request after the first challenge with
 * MESSAGE-INTEGRITY (long-term key, MD5), and checks MESSAGE-INTEGRITY of success responses (§9.2.5).
 * Indications and ChannelData (RFC 8656 §11–12) go out unsigned; relayed data arrives through
 * {@link onRelayed}. Owns the link: `close()` frees it.
 */
export class TurnSession {
  private readonly pending = new Map<string, (msg: StunMessage) => void>();
  private readonly relayedListeners = new Set<(d: RelayedData) => void>();
  private readonly failureListeners = new Set<(f: LinkFailure) => void>();
  private auth: Auth | null = null;
  private failure: LinkFailure | null = null;
  private unparseable: string | null = null;
  private link!: TurnLink;

  private constructor(
    private readonly credentials: TurnCredentials,
    private readonly rtt: RttEstimator,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Opens the link (see `openTurnLink`) and returns a session on it.
   * @throws LinkConnectError when the TCP/TLS connection cannot be made (refused, certificate, timeout).
   */
  static async open(opts: TurnSessionOptions): Promise<TurnSession> {
    const session = new TurnSession(opts.credentials, opts.rtt, opts.signal);
    session.link = await openTurnLink({
      ...opts,
      events: {
        frame: (f) => session.onFrame(f),
        garbage: (b) => {
          session.unparseable = `a ${b.length}-byte datagram that is neither STUN nor ChannelData`;
        },
        failure: (f) => {
          session.failure = f;
          for (const l of session.failureListeners) l(f);
        },
      },
    });
    return session;
  }

  /** The realm the server announced in its 401, once known. */
  get realm(): string | null {
    return this.auth?.realm ?? null;
  }

  /** Registers a listener for relayed data; returns a function that removes it. */
  onRelayed(listener: (d: RelayedData) => void): () => void {
    this.relayedListeners.add(listener);
    return () => this.relayedListeners.delete(listener);
  }

  /**
   * Runs one request of `method` with `attributes` (typed ones first, see `buildMessage`), retrying on 401
   * and 438 at most {@link MAX_ATTEMPTS} times in all, and stopping at a 401 that answers a request signed
   * with the nonce the server had just handed out (wrong credentials). Never rejects.
   */
  async request(method: number, attributes: AttributeSpec[] = []): Promise<TurnRequestResult> {
    const start = performance.now();
    const challenges: number[] = [];
    let requestsSent = 0;
    for (let attempt = 1; ; attempt++) {
      const auth = this.auth;
      const transactionId = newTransactionId();
      const bytes = buildMessage({
        method,
        cls: StunClass.request,
        transactionId,
        attributes: auth ? [...attributes, ...this.authAttributes(auth)] : attributes,
        integrityKey: auth?.key,
        fingerprint: true,
      });
      const r = await this.transact(bytes, transactionId);
      requestsSent += r.sent;
      const done = (response: StunMessage | null, failure: TurnFailure | null): TurnRequestResult => ({
        response,
        failure,
        requestsSent,
        elapsedMs: performance.now() - start,
        authenticated: auth !== null,
        challenges,
        integrity:
          response?.cls === StunClass.successResponse && auth ? integrityOf(response, auth.key) : null,
      });
      const response = r.response;
      if (!response) return done(null, r.failure);
      const code = response.cls === StunClass.errorResponse ? ErrorCode.decode(response)?.code : undefined;
      if ((code !== 401 && code !== 438) || attempt === MAX_ATTEMPTS) return done(response, null);
      const next = this.challenge(response, auth);
      if (!next) return done(response, null);
      challenges.push(code);
      this.auth = next;
    }
  }

  /**
   * Sends an indication (RFC 8656 §11.4 Send) with FINGERPRINT and no MESSAGE-INTEGRITY: indications
   * cannot be authenticated (RFC 8489 §9.2.3).
   */
  indication(method: number, attributes: AttributeSpec[]): void {
    this.link.send(
      buildMessage({
        method,
        cls: StunClass.indication,
        transactionId: newTransactionId(),
        attributes,
        fingerprint: true,
      }),
    );
  }

  /**
   * Sends a ChannelData message (RFC 8656 §12.4): 2-byte channel, 2-byte length, the data, padded to a
   * multiple of 4 bytes over TCP/TLS (§12.5).
   * @param channel 0x4000–0x4FFF.
   * @throws RangeError (from `encodeChannelData`) for a channel outside 0x4000–0x7FFF or over 65535 bytes.
   */
  channelData(channel: number, data: Buffer): void {
    this.link.send(encodeChannelData(channel, data, this.link.reliable));
  }

  /**
   * Sends with {@link sendUntil} until `listen` hears an answer: the retransmission schedule of requests,
   * for data sent through the relay. Ends early with the link's failure.
   */
  retransmit<T>(
    send: () => void,
    listen: (done: (value: T) => void) => () => void,
  ): Promise<SendUntilResult<T>> {
    return sendUntil<T>({
      send,
      listen: (done, fail) => {
        if (this.failure) {
          fail(this.failure.message);
          return () => undefined;
        }
        const onFailure = (f: LinkFailure): void => fail(f.message);
        this.failureListeners.add(onFailure);
        const stop = listen(done);
        return () => {
          stop();
          this.failureListeners.delete(onFailure);
        };
      },
      reliable: this.link.reliable,
      rtt: this.rtt,
      signal: this.signal,
    });
  }

  /** Closes the link (the server learns nothing; delete allocations first with Refresh(0)). */
  close(): void {
    this.link.close();
  }

  private authAttributes(auth: Auth): AttributeSpec[] {
    return [Username.encode(this.credentials.username), Realm.encode(auth.realm), Nonce.encode(auth.nonce)];
  }

  /**
   * The credentials to retry with after a 401 or 438 (RFC 8489 §9.2.5), or null when retrying is pointless:
   * no NONCE (or, for a first 401, no REALM), or a 401 to a request signed with the current nonce.
   */
  private challenge(response: StunMessage, used: Auth | null): Auth | null {
    const nonce = Nonce.decode(response);
    const realm = Realm.decode(response) ?? used?.realm;
    if (nonce === undefined || realm === undefined) return null;
    const code = ErrorCode.decode(response)?.code;
    if (code === 401 && used && used.nonce === nonce && used.realm === realm) return null;
    const { username, password } = this.credentials;
    return { realm, nonce, key: longTermKey(username, realm, password) };
  }

  private async transact(
    bytes: Buffer,
    transactionId: Buffer,
  ): Promise<{ response: StunMessage | null; failure: TurnFailure | null; sent: number }> {
    const key = transactionId.toString('hex');
    this.unparseable = null;
    const r = await this.retransmit<StunMessage>(
      () => this.link.send(bytes),
      (done) => {
        this.pending.set(key, done);
        return () => this.pending.delete(key);
      },
    );
    if (r.value) return { response: r.value, failure: null, sent: r.sent };
    return { response: null, failure: this.failureOf(r.failure), sent: r.sent };
  }

  private failureOf(reason: string | null): TurnFailure {
    if (this.failure) return this.failure;
    if (reason === 'aborted') return { kind: 'aborted', message: 'the check ran out of time' };
    if (this.unparseable)
      return { kind: 'unparseable', message: `only unparseable replies: ${this.unparseable}` };
    return { kind: 'timeout', message: 'no reply' };
  }

  private onFrame(frame: StreamFrame): void {
    if (frame.kind === 'channel-data') {
      const cd = readChannelData(frame.bytes);
      if (cd) this.emitRelayed({ via: 'channel-data', peer: null, channel: cd.channel, data: cd.data });
      return;
    }
    let msg: StunMessage;
    try {
      msg = decodeMessage(frame.bytes);
    } catch (err) {
      this.unparseable =
        err instanceof StunDecodeError ? `a malformed STUN message (${err.message})` : String(err);
      return;
    }
    if (msg.cls === StunClass.indication) {
      if (msg.method !== StunMethod.data) return;
      const data = Data.decode(msg);
      if (data) {
        const peer = XorPeerAddress.decode(msg) ?? null;
        this.emitRelayed({ via: 'data-indication', peer, channel: null, data });
      }
      return;
    }
    if (msg.cls !== StunClass.request) this.pending.get(msg.transactionId.toString('hex'))?.(msg);
  }

  private emitRelayed(d: RelayedData): void {
    for (const l of this.relayedListeners) l(d);
  }
}

/** MESSAGE-INTEGRITY of a success response: SHA-1 when present, else SHA-256 (RFC 8489 §14.5–14.6). */
function integrityOf(msg: StunMessage, key: Buffer): IntegrityState {
  const sha1 = verifyIntegrity(msg, key, 'sha1');
  return sha1 === 'absent' ? verifyIntegrity(msg, key, 'sha256') : sha1;
}
