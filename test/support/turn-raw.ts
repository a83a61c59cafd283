import dgram from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TransportAddress } from '../../src/wire/address.js';
import { type AttributeSpec, buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { StreamFramer } from '../../src/wire/framing.js';
import { type IntegrityAlgorithm, longTermKey } from '../../src/wire/integrity.js';
import { decodeMessage, getErrorCode, getString, type StunMessage } from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';

/** REQUESTED-TRANSPORT UDP (RFC 8656 §18.6). */
export const UDP_TRANSPORT: AttributeSpec = {
  type: Attr.REQUESTED_TRANSPORT,
  raw: Buffer.from([17, 0, 0, 0]),
};

/** How a signed request is signed. */
/**
 * The attributes of a long-term-signed request (RFC 8489 §9.2.4): the typed ones of `attributes`, then
 * USERNAME, REALM and NONCE, then its raw ones (a raw attribute may be one a test places deliberately).
 */
export function withCredentials(
  attributes: readonly AttributeSpec[],
  username: string,
  realm: string,
  nonce: string | Buffer,
): AttributeSpec[] {
  return [
    ...attributes.filter((a) => !('raw' in a)),
    { type: Attr.USERNAME, bytes: username },
    { type: Attr.REALM, bytes: realm },
    { type: Attr.NONCE, bytes: nonce },
    ...attributes.filter((a) => 'raw' in a),
  ];
}

export interface Signing {
  username: string;
  password: string;
  /** MESSAGE-INTEGRITY (sha1) or MESSAGE-INTEGRITY-SHA256. */
  integrity?: IntegrityAlgorithm;
  /** Negotiate PASSWORD-ALGORITHM SHA-256 (RFC 8489 §9.2.4), echoing the server's PASSWORD-ALGORITHMS. */
  sha256Key?: boolean;
}

/**
 * A deliberately raw TURN client for server tests: one socket (UDP, or one TCP connection), requests sent
 * once (loopback loses nothing), responses matched by transaction ID, every other message kept in
 * `received`. `signed()` performs the 401 dance and then signs with the long-term key.
 */
export class RawTurnClient {
  readonly received: Buffer[] = [];
  private readonly waiting = new Map<string, (m: StunMessage) => void>();
  private realm = '';
  private nonce = '';
  private algorithms: Buffer | null = null;

  private constructor(
    private readonly sendBytes: (b: Buffer) => void,
    readonly local: () => TransportAddress,
    private readonly closer: () => Promise<void>,
  ) {}

  private onBytes(bytes: Buffer): void {
    if ((bytes[0]! & 0xc0) === 0 && bytes.length >= 20) {
      const m = decodeMessage(bytes);
      const key = m.transactionId.toString('hex');
      const w = this.waiting.get(key);
      if (w && (m.cls === StunClass.successResponse || m.cls === StunClass.errorResponse)) {
        this.waiting.delete(key);
        w(m);
        return;
      }
    }
    this.received.push(bytes);
  }

  /** A UDP client bound on 127.0.0.1 (or ::1) talking to `server`. */
  static async udp(server: TransportAddress): Promise<RawTurnClient> {
    const socket = dgram.createSocket(server.family === 'IPv6' ? 'udp6' : 'udp4');
    await new Promise<void>((r) => socket.bind(0, server.family === 'IPv6' ? '::1' : '127.0.0.1', r));
    const c = new RawTurnClient(
      (b) => socket.send(b, server.port, server.address),
      () => {
        const a = socket.address();
        return { address: a.address, port: a.port, family: server.family };
      },
      () => new Promise((r) => socket.close(() => r())),
    );
    socket.on('message', (b) => c.onBytes(b));
    return c;
  }

  /** A TCP client connected to `server`; `closed` settles when the server closes the connection. */
  static async tcp(server: TransportAddress): Promise<RawTurnClient & { socket: Socket }> {
    const socket = connect(server.port, server.address);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return RawTurnClient.overStream(socket, server);
  }

  /**
   * A TURN-over-TLS client (RFC 8656 §3.1, `turns:`) connected to `server`, its handshake done; the
   * server's certificate is not verified (the bundled server's is self-signed).
   * @throws Error when the handshake fails (the server's TLS alert or a reset).
   */
  static async tls(server: TransportAddress): Promise<RawTurnClient & { socket: Socket }> {
    const socket = tlsConnect({ port: server.port, host: server.address, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return RawTurnClient.overStream(socket, server);
  }

  /** A client on a connected stream (TCP or TLS), responses cut out by RFC 8489 §6.2.2 framing. */
  private static overStream(socket: Socket, server: TransportAddress): RawTurnClient & { socket: Socket } {
    socket.on('error', () => undefined);
    const framer = new StreamFramer();
    const c = new RawTurnClient(
      (b) => socket.write(b),
      () => ({ address: socket.localAddress!, port: socket.localPort!, family: server.family }),
      () =>
        new Promise((r) => {
          socket.once('close', () => r());
          socket.end();
        }),
    );
    socket.on('data', (chunk) => {
      for (const f of framer.push(chunk)) c.onBytes(f.bytes);
    });
    return Object.assign(c, { socket });
  }

  /** Sends raw bytes (a prepared request, ChannelData, an indication). */
  send(bytes: Buffer): void {
    this.sendBytes(bytes);
  }

  /** Sends `bytes` (a request with `transactionId`) and waits for its response, at most `timeoutMs`. */
  exchange(bytes: Buffer, transactionId: Buffer, timeoutMs = 2000): Promise<StunMessage> {
    return new Promise((resolve, reject) => {
      const key = transactionId.toString('hex');
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(key, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.sendBytes(bytes);
    });
  }

  /** An unsigned request. */
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

  /** The bytes of a signed request with the current REALM/NONCE (call {@link signed} once first). */
  signedBytes(method: number, attributes: AttributeSpec[], s: Signing, transactionId: Buffer): Buffer {
    const algorithm: AttributeSpec[] =
      s.sha256Key && this.algorithms
        ? [
            { type: Attr.PASSWORD_ALGORITHMS, raw: this.algorithms },
            { type: Attr.PASSWORD_ALGORITHM, raw: Buffer.from([0, 2, 0, 0]) },
          ]
        : [];
    return buildMessage({
      method,
      cls: StunClass.request,
      transactionId,
      attributes: [...withCredentials(attributes, s.username, this.realm, this.nonce), ...algorithm],
      integrityKey: longTermKey(s.username, this.realm, s.password, s.sha256Key ? 'sha256' : 'md5'),
      integrityAlgorithm: s.integrity ?? 'sha1',
      fingerprint: true,
    });
  }

  /**
   * A signed request: gets REALM and NONCE from a 401 (or 438) first when it has none, then signs.
   * Returns the final response (which may be an error).
   */
  async signed(
    method: number,
    attributes: AttributeSpec[],
    s: Signing,
    transactionId = newTransactionId(),
  ): Promise<StunMessage> {
    if (!this.nonce) {
      const challenge = await this.request(
        method,
        attributes.filter((a) => a.type !== Attr.DONT_FRAGMENT),
      );
      this.learn(challenge);
    }
    const res = await this.exchange(this.signedBytes(method, attributes, s, transactionId), transactionId);
    if (getErrorCode(res)?.code === 438) {
      this.learn(res);
      const again = newTransactionId();
      return this.exchange(this.signedBytes(method, attributes, s, again), again);
    }
    return res;
  }

  /** Takes REALM, NONCE and PASSWORD-ALGORITHMS from a 401/438. */
  learn(m: StunMessage): void {
    this.realm = getString(m, Attr.REALM) ?? this.realm;
    this.nonce = getString(m, Attr.NONCE) ?? this.nonce;
    this.algorithms = m.attributes.find((a) => a.type === Attr.PASSWORD_ALGORITHMS)?.value ?? this.algorithms;
  }

  /** Replaces the nonce in use (to send a forged or stale one). */
  useNonce(nonce: string): void {
    this.nonce = nonce;
  }

  /** The nonce in use. */
  get currentNonce(): string {
    return this.nonce;
  }

  /** An Allocate for UDP with extra attributes. */
  allocate(s: Signing, extra: AttributeSpec[] = []): Promise<StunMessage> {
    return this.signed(StunMethod.allocate, [UDP_TRANSPORT, ...extra], s);
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
