import dgram from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { withCredentials } from '../../src/client/turn-check/auth-dance.js';
import type { TransportAddress } from '../../src/wire/address.js';
import { type AttributeSpec, buildMessage } from '../../src/wire/build.js';
import { encodeChannelData } from '../../src/wire/channel-data.js';
import { Attr, MAGIC_COOKIE, StunClass, StunMethod } from '../../src/wire/constants.js';
import { StreamFramer } from '../../src/wire/framing.js';
import { type IntegrityAlgorithm, longTermKey } from '../../src/wire/integrity.js';
import { decodeMessage, getErrorCode, getString, type StunMessage } from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { ipBytes } from '../../src/wire/xor-address.js';

/** REQUESTED-TRANSPORT UDP (RFC 8656 §18.6). */
export const UDP_TRANSPORT: AttributeSpec = {
  type: Attr.REQUESTED_TRANSPORT,
  raw: Buffer.from([17, 0, 0, 0]),
};

/** REQUESTED-ADDRESS-FAMILY IPv6 (RFC 8656 §18.10). */
export const IPV6_FAMILY: AttributeSpec = {
  type: Attr.REQUESTED_ADDRESS_FAMILY,
  raw: Buffer.from([2, 0, 0, 0]),
};

/**
 * An XOR-PEER-ADDRESS (RFC 8656 §18.3) encoded here rather than by buildMessage, so that the family on the
 * wire follows the text exactly: `::ffff:127.0.0.1` goes out as IPv6 (family 0x02), never folded to IPv4.
 * The XOR needs the transaction ID the message will carry (RFC 8489 §14.2).
 * @throws TypeError when `address` is not an IP literal.
 */
export function peerAttribute(
  address: string,
  port: number,
  transactionId: Buffer,
): { type: number; raw: Buffer } {
  const ip = ipBytes(address);
  if (!ip) throw new TypeError(`not an IP address: ${address}`);
  const value = Buffer.alloc(4 + ip.length);
  value[1] = ip.length === 4 ? 0x01 : 0x02;
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  for (let i = 0; i < ip.length; i++) value[4 + i] = ip[i]! ^ mask[i]!;
  return { type: Attr.XOR_PEER_ADDRESS, raw: value };
}

/** A CHANNEL-NUMBER attribute (RFC 8656 §18.1): the number, then 2 reserved bytes. */
export function channelAttribute(channel: number): { type: number; raw: Buffer } {
  return { type: Attr.CHANNEL_NUMBER, raw: Buffer.from([channel >> 8, channel & 0xff, 0, 0]) };
}

/** The status of a response: 200 for a success, the ERROR-CODE otherwise (0 when it has none). */
export function statusOf(m: StunMessage): number {
  return m.cls === StunClass.successResponse ? 200 : (getErrorCode(m)?.code ?? 0);
}

/** How a signed request is signed: the long-term credential, and the test's choice of algorithms. */
export interface Signing {
  username: string;
  password: string;
  /** MESSAGE-INTEGRITY (sha1) or MESSAGE-INTEGRITY-SHA256. */
  integrity?: IntegrityAlgorithm;
  /** Negotiate PASSWORD-ALGORITHM SHA-256 (RFC 8489 §9.2.4), echoing the server's PASSWORD-ALGORITHMS. */
  sha256Key?: boolean;
}

/** What a 401 or 438 taught (RFC 8489 §9.2.4): REALM, NONCE and the offered PASSWORD-ALGORITHMS. */
export interface Challenge {
  realm: string;
  nonce: string;
  algorithms: Buffer | null;
}

/** `previous` with the REALM, NONCE and PASSWORD-ALGORITHMS `m` carries (each kept when absent). */
export function learnChallenge(m: StunMessage, previous: Challenge): Challenge {
  return {
    realm: getString(m, Attr.REALM) ?? previous.realm,
    nonce: getString(m, Attr.NONCE) ?? previous.nonce,
    algorithms: m.attributes.find((a) => a.type === Attr.PASSWORD_ALGORITHMS)?.value ?? previous.algorithms,
  };
}

/**
 * The bytes of a request signed with the long-term mechanism (RFC 8489 §9.2.4) with `challenge`'s REALM and
 * NONCE (whatever they are: a test may forge, replay or empty them): `attributes` with USERNAME, REALM and
 * NONCE (src/client/turn-check/auth-dance.ts `withCredentials`), then PASSWORD-ALGORITHMS and
 * PASSWORD-ALGORITHM with `s.sha256Key`, MESSAGE-INTEGRITY(-SHA256), and FINGERPRINT unless `fingerprint`
 * is false.
 */
export function signRequest(
  method: number,
  attributes: readonly AttributeSpec[],
  s: Signing,
  challenge: Challenge,
  transactionId: Buffer,
  fingerprint = true,
): Buffer {
  const algorithm: AttributeSpec[] =
    s.sha256Key && challenge.algorithms
      ? [
          { type: Attr.PASSWORD_ALGORITHMS, raw: challenge.algorithms },
          { type: Attr.PASSWORD_ALGORITHM, raw: Buffer.from([0, 2, 0, 0]) },
        ]
      : [];
  return buildMessage({
    method,
    cls: StunClass.request,
    transactionId,
    attributes: [...withCredentials(attributes, s.username, challenge.realm, challenge.nonce), ...algorithm],
    integrityKey: longTermKey(s.username, challenge.realm, s.password, s.sha256Key ? 'sha256' : 'md5'),
    integrityAlgorithm: s.integrity ?? 'sha1',
    fingerprint,
  });
}

/** How a {@link RawTurnClient} is opened beside its server. */
export interface RawClientOptions {
  /** The local address to bind (a second attacking source such as 127.0.0.66); default 127.0.0.1 or ::1. */
  localAddress?: string;
  /**
   * UDP: send an unanswered request again after 250 ms, then after each doubled interval (RFC 8489 §6.2.1;
   * a datagram can be dropped even on loopback when a receive buffer is full). Default: sent once.
   */
  retransmit?: boolean;
  /** How long {@link RawTurnClient.exchange} waits for a response by default, in ms (default 2,000). */
  timeoutMs?: number;
}

/** First UDP retransmission timeout with {@link RawClientOptions.retransmit}, in ms (loopback is fast). */
const INITIAL_RTO_MS = 250;

/**
 * How long a retransmitting client (the hardening scans and floods) waits for a response, all
 * retransmissions included, in ms.
 */
export const EXCHANGE_TIMEOUT_MS = 8_000;

/** The attributes of a request, or a function of its transaction ID (an XOR-PEER-ADDRESS depends on it). */
export type RequestAttributes = readonly AttributeSpec[] | ((transactionId: Buffer) => AttributeSpec[]);

/**
 * The tests' one raw TURN client, for servers under test: one socket (UDP, one TCP connection, or TLS) from
 * a chosen local address, requests matched by transaction ID, every other message kept in `received`. It
 * sends what a test tells it, malformed or forged included, and signs with whatever REALM and NONCE it holds
 * ({@link useNonce} forges one). `signed()` runs fixed steps, never a retry loop, so a test knows each
 * request the server saw: an unsigned request to learn REALM and NONCE when it has none, the signed request,
 * and once more after a 438 with the new nonce. (The product's retry policy is src/client/turn-check's
 * AuthDance.) With `retransmit`, a second response to a retransmitted transaction is counted in
 * {@link duplicates}, not kept.
 */
export class RawTurnClient {
  /** Messages received that answered no pending request (Data indications, ChannelData, late answers). */
  readonly received: Buffer[] = [];
  /** Requests sent again over UDP because no response came within the retransmission timeout. */
  retransmissions = 0;
  /** Further responses to a transaction already answered (one per extra copy of a retransmitted request). */
  duplicates = 0;
  private readonly waiting = new Map<string, (m: StunMessage) => void>();
  /** Transaction IDs (hex) of answered requests that were sent more than once: their late copies' answers. */
  private readonly retransmitted = new Set<string>();
  private challenge: Challenge = { realm: '', nonce: '', algorithms: null };

  private constructor(
    private readonly sendBytes: (b: Buffer) => void,
    /** The transport this client speaks. */
    readonly transport: 'udp' | 'tcp' | 'tls',
    readonly local: () => TransportAddress,
    private readonly closer: () => Promise<void>,
    private readonly options: RawClientOptions,
  ) {}

  private onBytes(bytes: Buffer): void {
    if ((bytes[0]! & 0xc0) === 0 && bytes.length >= 20) {
      const m = decodeMessage(bytes);
      const key = m.transactionId.toString('hex');
      const isResponse = m.cls === StunClass.successResponse || m.cls === StunClass.errorResponse;
      const w = this.waiting.get(key);
      if (w && isResponse) {
        this.waiting.delete(key);
        w(m);
        return;
      }
      if (isResponse && this.retransmitted.has(key)) {
        this.duplicates++;
        return;
      }
    }
    this.received.push(bytes);
  }

  /** Messages received that answered no pending request, counted. */
  get unsolicited(): number {
    return this.received.length;
  }

  /**
   * A UDP client talking to `server`, bound on `options.localAddress` (default 127.0.0.1 or ::1).
   * @throws Error when the bind fails.
   */
  static async udp(server: TransportAddress, options: RawClientOptions = {}): Promise<RawTurnClient> {
    const socket = dgram.createSocket(server.family === 'IPv6' ? 'udp6' : 'udp4');
    const local = options.localAddress ?? (server.family === 'IPv6' ? '::1' : '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, local, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => undefined);
    const c = new RawTurnClient(
      (b) => socket.send(b, server.port, server.address),
      'udp',
      () => {
        const a = socket.address();
        return { address: a.address, port: a.port, family: server.family };
      },
      () => new Promise((r) => socket.close(() => r())),
      options,
    );
    socket.on('message', (b) => c.onBytes(b));
    return c;
  }

  /**
   * A TCP client connected to `server` (from `options.localAddress` when given).
   * @throws Error when the connection fails.
   */
  static async tcp(
    server: TransportAddress,
    options: RawClientOptions = {},
  ): Promise<RawTurnClient & { socket: Socket }> {
    const socket = connect({
      port: server.port,
      host: server.address,
      ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return RawTurnClient.overStream(socket, server, 'tcp', options);
  }

  /**
   * A TURN-over-TLS client (RFC 8656 §3.1, `turns:`) connected to `server`, its handshake done; the
   * server's certificate is not verified (the bundled server's is self-signed).
   * @throws Error when the handshake fails (the server's TLS alert or a reset).
   */
  static async tls(
    server: TransportAddress,
    options: RawClientOptions = {},
  ): Promise<RawTurnClient & { socket: Socket }> {
    const socket = tlsConnect({
      port: server.port,
      host: server.address,
      rejectUnauthorized: false,
      ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return RawTurnClient.overStream(socket, server, 'tls', options);
  }

  /**
   * A client on a connected stream (TCP or TLS), messages cut out by RFC 8489 §6.2.2 framing; a stream
   * that cannot be framed is destroyed. `close()` ends it (destroyed after 500 ms) and waits for its close.
   */
  private static overStream(
    socket: Socket,
    server: TransportAddress,
    transport: 'tcp' | 'tls',
    options: RawClientOptions,
  ): RawTurnClient & { socket: Socket } {
    socket.on('error', () => undefined);
    const framer = new StreamFramer();
    const c = new RawTurnClient(
      (b) => socket.write(b),
      transport,
      () => ({ address: socket.localAddress!, port: socket.localPort!, family: server.family }),
      () =>
        new Promise((r) => {
          if (socket.destroyed) return r();
          socket.once('close', () => r());
          socket.end();
          setTimeout(() => socket.destroy(), 500).unref();
        }),
      options,
    );
    socket.on('data', (chunk) => {
      try {
        for (const f of framer.push(chunk)) c.onBytes(f.bytes);
      } catch {
        socket.destroy();
      }
    });
    return Object.assign(c, { socket });
  }

  /** Sends raw bytes (a prepared request, ChannelData, an indication). */
  send(bytes: Buffer): void {
    this.sendBytes(bytes);
  }

  /**
   * Sends `bytes` (a request with `transactionId`) and waits for its response, at most `timeoutMs`
   * (default {@link RawClientOptions.timeoutMs}); retransmitted over UDP with
   * {@link RawClientOptions.retransmit} (the server answers each copy the same way, RFC 8489 §6.3.1).
   * @throws Error when no response comes within `timeoutMs`.
   */
  exchange(
    bytes: Buffer,
    transactionId: Buffer,
    timeoutMs = this.options.timeoutMs ?? 2000,
  ): Promise<StunMessage> {
    const key = transactionId.toString('hex');
    return new Promise((resolve, reject) => {
      let resend: NodeJS.Timeout | undefined;
      const schedule = (rtoMs: number): void => {
        resend = setTimeout(() => {
          this.retransmissions++;
          this.retransmitted.add(key);
          this.sendBytes(bytes);
          schedule(rtoMs * 2);
        }, rtoMs);
      };
      const timer = setTimeout(() => {
        clearTimeout(resend);
        this.waiting.delete(key);
        reject(new Error(`no response within ${timeoutMs} ms (${this.transport})`));
      }, timeoutMs);
      this.waiting.set(key, (m) => {
        clearTimeout(timer);
        clearTimeout(resend);
        resolve(m);
      });
      this.sendBytes(bytes);
      if (this.options.retransmit && this.transport === 'udp') schedule(INITIAL_RTO_MS);
    });
  }

  /** An unsigned request (the first leg of the long-term mechanism, or an unauthenticated flood). */
  request(
    method: number,
    attributes: AttributeSpec[] = [],
    transactionId = newTransactionId(),
  ): Promise<StunMessage> {
    return this.exchange(
      buildMessage({ method, cls: StunClass.request, transactionId, attributes, fingerprint: true }),
      transactionId,
    );
  }

  /** The bytes of a request signed with `s` and the current REALM and NONCE (see {@link signRequest}). */
  signedBytes(
    method: number,
    attributes: readonly AttributeSpec[],
    s: Signing,
    transactionId: Buffer,
  ): Buffer {
    return signRequest(method, attributes, s, this.challenge, transactionId);
  }

  /**
   * A signed request: an unsigned one first (its attributes without DONT-FRAGMENT) to learn REALM and NONCE
   * when none is known, then the signed one, and once more after a 438 with its new nonce. Returns the final
   * response, which may be an error.
   * @throws Error when a request gets no response within the client's timeout.
   */
  async signed(
    method: number,
    attributes: RequestAttributes,
    s: Signing,
    transactionId = newTransactionId(),
  ): Promise<StunMessage> {
    const of = (tid: Buffer): AttributeSpec[] =>
      typeof attributes === 'function' ? attributes(tid) : [...attributes];
    if (!this.challenge.nonce) {
      const tid = newTransactionId();
      this.learn(
        await this.request(
          method,
          of(tid).filter((a) => a.type !== Attr.DONT_FRAGMENT),
          tid,
        ),
      );
    }
    const res = await this.exchange(
      this.signedBytes(method, of(transactionId), s, transactionId),
      transactionId,
    );
    if (getErrorCode(res)?.code !== 438) return res;
    this.learn(res);
    const again = newTransactionId();
    return this.exchange(this.signedBytes(method, of(again), s, again), again);
  }

  /** Takes REALM, NONCE and PASSWORD-ALGORITHMS from a 401/438 (each kept when absent). */
  learn(m: StunMessage): void {
    this.challenge = learnChallenge(m, this.challenge);
  }

  /** Replaces the nonce in use (to send a forged, replayed or stale one). */
  useNonce(nonce: string): void {
    this.challenge = { ...this.challenge, nonce };
  }

  /** The nonce in use. */
  get currentNonce(): string {
    return this.challenge.nonce;
  }

  /** A signed Allocate for a UDP relay (RFC 8656 §7.1) with extra attributes ({@link IPV6_FAMILY} …). */
  allocate(s: Signing, extra: AttributeSpec[] = []): Promise<StunMessage> {
    return this.signed(StunMethod.allocate, [UDP_TRANSPORT, ...extra], s);
  }

  /** A Send indication (RFC 8656 §11.1) of `data` to `address`:`port`, the peer's family as written. */
  sendIndication(address: string, port: number, data: Buffer): void {
    const transactionId = newTransactionId();
    this.sendBytes(
      buildMessage({
        method: StunMethod.send,
        cls: StunClass.indication,
        transactionId,
        attributes: [peerAttribute(address, port, transactionId), { type: Attr.DATA, raw: data }],
        fingerprint: true,
      }),
    );
  }

  /** A ChannelData message (RFC 8656 §12.4), padded to 4 bytes over TCP/TLS (§12.5). */
  channelData(channel: number, data: Buffer): void {
    this.sendBytes(encodeChannelData(channel, data, this.transport !== 'udp'));
  }

  /** Waits until `predicate` holds for a received message, at most `timeoutMs`. */
  async waitFor(predicate: (b: Buffer) => boolean, timeoutMs = 2000): Promise<Buffer> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(predicate);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`nothing matching within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Closes the socket or connection. */
  close(): Promise<void> {
    return this.closer();
  }
}

/** A UDP echo peer on 127.0.0.1 (or ::1): echoes every datagram to its sender; counts them. */
export async function echoPeer(family: 'IPv4' | 'IPv6' = 'IPv4'): Promise<{
  address: TransportAddress;
  count: () => number;
  close: () => Promise<void>;
}> {
  const s = dgram.createSocket(family === 'IPv6' ? 'udp6' : 'udp4');
  let n = 0;
  s.on('message', (b, r) => {
    n++;
    s.send(b, r.port, r.address);
  });
  await new Promise<void>((r) => s.bind(0, family === 'IPv6' ? '::1' : '127.0.0.1', r));
  const a = s.address();
  return {
    address: { address: a.address, port: a.port, family },
    count: () => n,
    close: () => new Promise((r) => s.close(() => r())),
  };
}
