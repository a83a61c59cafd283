import type { TransportAddress } from '../../wire/address.js';
import { Data } from '../../wire/attributes/data.js';
import { XorPeerAddress } from '../../wire/attributes/xor-peer-address.js';
import { type AttributeSpec, buildMessage } from '../../wire/build.js';
import { encodeChannelData, readChannelData } from '../../wire/channel-data.js';
import { StunClass, StunMethod } from '../../wire/constants.js';
import { StunDecodeError } from '../../wire/errors.js';
import type { StreamFrame } from '../../wire/framing.js';
import { verifyIntegrity } from '../../wire/integrity.js';
import { decodeMessage, type StunMessage } from '../../wire/message.js';
import { newTransactionId } from '../../wire/transaction-id.js';
import type { RttEstimator } from '../transport/rtt.js';
import { type SendUntilResult, sendUntil } from '../transport/transaction.js';
import { AuthDance, type TurnCredentials } from './auth-dance.js';
import { type LinkFailure, type LinkOptions, openTurnLink, type TurnLink } from './link.js';

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

/**
 * One TURN client over one transport (RFC 8656): runs transactions on the link (retransmitted over UDP per
 * RFC 8489 §6.2.1, framed over TCP/TLS) through the long-term credential mechanism ({@link AuthDance}:
 * 401 and 438 answered, every request after the first challenge signed, RFC 8489 §9.2.4–9.2.5), and checks
 * MESSAGE-INTEGRITY of success responses (§9.2.5).
 * Indications and ChannelData (RFC 8656 §11–12) go out unsigned; relayed data arrives through
 * {@link onRelayed}. Owns the link: `close()` frees it.
 */
export class TurnSession {
  private readonly pending = new Map<string, (msg: StunMessage) => void>();
  private readonly relayedListeners = new Set<(d: RelayedData) => void>();
  private readonly failureListeners = new Set<(f: LinkFailure) => void>();
  private readonly dance: AuthDance;
  private failure: LinkFailure | null = null;
  private unparseable: string | null = null;
  private link!: TurnLink;

  private constructor(
    credentials: TurnCredentials,
    private readonly rtt: RttEstimator,
    private readonly signal: AbortSignal,
  ) {
    this.dance = new AuthDance(credentials);
  }

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
    return this.dance.realm;
  }

  /** The message of the link's failure (closed, reset), or null while it works. */
  get linkFailure(): string | null {
    return this.failure?.message ?? null;
  }

  /**
   * Calls `listener` with the link's failure message (closed, reset) when the link fails — at once, before
   * returning, when it already has; returns a function that removes it.
   */
  onLinkFailure(listener: (message: string) => void): () => void {
    if (this.failure) {
      listener(this.failure.message);
      return () => undefined;
    }
    const onFailure = (f: LinkFailure): void => listener(f.message);
    this.failureListeners.add(onFailure);
    return () => this.failureListeners.delete(onFailure);
  }

  /** Registers a listener for relayed data; returns a function that removes it. */
  onRelayed(listener: (d: RelayedData) => void): () => void {
    this.relayedListeners.add(listener);
    return () => this.relayedListeners.delete(listener);
  }

  /**
   * Runs one request of `method` with `attributes` (typed ones first, see `buildMessage`) through the
   * {@link AuthDance}: retried on 401 and 438 at most four times in all, stopping at a 401 that answers a
   * request signed with the nonce the server had just handed out (wrong credentials). Never rejects.
   */
  async request(method: number, attributes: AttributeSpec[] = []): Promise<TurnRequestResult> {
    const start = performance.now();
    let requestsSent = 0;
    const { last, used, challenges } = await this.dance.run(
      method,
      attributes,
      async (bytes, transactionId) => {
        const r = await this.transact(bytes, transactionId);
        requestsSent += r.sent;
        return r;
      },
    );
    const { response, failure } = last;
    return {
      response,
      failure: response ? null : failure,
      requestsSent,
      elapsedMs: performance.now() - start,
      authenticated: used !== null,
      challenges,
      integrity: response?.cls === StunClass.successResponse && used ? integrityOf(response, used.key) : null,
    };
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
        const unfail = this.onLinkFailure(fail);
        const stop = listen(done);
        return () => {
          stop();
          unfail();
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
