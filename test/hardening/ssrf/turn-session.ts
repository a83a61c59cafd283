import dgram from 'node:dgram';
import { connect } from 'node:net';
import type { Family, TransportAddress } from '../../../src/wire/address.js';
import { type AttributeSpec, buildMessage } from '../../../src/wire/build.js';
import { encodeChannelData } from '../../../src/wire/channel-data.js';
import { Attr, MAGIC_COOKIE, StunClass, StunMethod } from '../../../src/wire/constants.js';
import { StreamFramer } from '../../../src/wire/framing.js';
import { longTermKey } from '../../../src/wire/integrity.js';
import { decodeMessage, getErrorCode, getString, type StunMessage } from '../../../src/wire/message.js';
import { newTransactionId } from '../../../src/wire/transaction-id.js';
import { ipBytes } from '../../../src/wire/xor-address.js';
import { UDP_TRANSPORT, withCredentials } from '../../support/turn-raw.js';

/** First UDP retransmission timeout, in ms (RFC 8489 §6.2.1 suggests 500 ms; loopback is faster). */
const INITIAL_RTO_MS = 250;
/** How long a request waits for its response, all retransmissions included, in ms. */
const EXCHANGE_TIMEOUT_MS = 8_000;

/** A long-term credential (RFC 8489 §9.2) to sign with. */
export interface Credential {
  username: string;
  password: string;
}

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

/** A CHANNEL-NUMBER attribute (RFC 8656 §18.1). */
export function channelAttribute(channel: number): { type: number; raw: Buffer } {
  return { type: Attr.CHANNEL_NUMBER, raw: Buffer.from([channel >> 8, channel & 0xff, 0, 0]) };
}

/** The status of a response: 200 for a success, the ERROR-CODE otherwise (0 when it has none). */
export function statusOf(m: StunMessage): number {
  return m.cls === StunClass.successResponse ? 200 : (getErrorCode(m)?.code ?? 0);
}

/**
 * A raw TURN client bound to a chosen local address, over UDP or one TCP connection: what a scanner or a
 * second attacking source needs (test/support/turn-raw.ts's RawTurnClient always binds 127.0.0.1 or ::1).
 * Requests are matched by transaction ID and, over UDP, retransmitted as RFC 8489 §6.2.1 asks (a datagram
 * can be dropped even on loopback when a receive buffer is full), each resend counted in
 * {@link retransmissions}; the server answers each copy (RFC 8489 §6.3.1), so a second response to a
 * retransmitted transaction is matched to it and counted in {@link duplicates}; anything else the server
 * sends (Data indications, ChannelData) is only counted, in {@link unsolicited}.
 */
export class TurnSession {
  /** Messages received that were not a response to a pending request. */
  unsolicited = 0;
  /** Requests sent again over UDP because no response came within the retransmission timeout. */
  retransmissions = 0;
  /** Further responses to a transaction already answered (one per extra copy of a retransmitted request). */
  duplicates = 0;
  private readonly waiting = new Map<string, (m: StunMessage) => void>();
  /** Transaction IDs (hex) of answered requests that were sent more than once: their late copies' answers. */
  private readonly retransmitted = new Set<string>();
  private realm = '';
  private nonce = '';

  private constructor(
    private readonly write: (b: Buffer) => void,
    /** The transport this session speaks. */
    readonly transport: 'udp' | 'tcp',
    private readonly closer: () => Promise<void>,
  ) {}

  /**
   * Opens a session to `server` from `localAddress` (port picked): a UDP socket, or a TCP connection.
   * @throws Error when the bind or the connection fails.
   */
  static async open(
    transport: 'udp' | 'tcp',
    server: TransportAddress,
    localAddress: string,
  ): Promise<TurnSession> {
    if (transport === 'udp') {
      const socket = dgram.createSocket(server.family === 'IPv6' ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, localAddress, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      socket.on('error', () => undefined);
      const s = new TurnSession(
        (b) => socket.send(b, server.port, server.address),
        'udp',
        () => new Promise((r) => socket.close(() => r())),
      );
      socket.on('message', (b) => s.onBytes(b));
      return s;
    }
    const socket = connect({ port: server.port, host: server.address, localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    const framer = new StreamFramer();
    const s = new TurnSession(
      (b) => socket.write(b),
      'tcp',
      () =>
        new Promise((r) => {
          socket.once('close', () => r());
          socket.end();
          setTimeout(() => socket.destroy(), 500).unref();
        }),
    );
    socket.on('data', (chunk) => {
      try {
        for (const f of framer.push(chunk)) s.onBytes(f.bytes);
      } catch {
        socket.destroy();
      }
    });
    return s;
  }

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
    this.unsolicited++;
  }

  /** Sends bytes that get no answer (an indication, ChannelData). */
  send(bytes: Buffer): void {
    this.write(bytes);
  }

  /**
   * Sends a request's bytes and waits for the response with its transaction ID. Over UDP the request is
   * sent again after {@link INITIAL_RTO_MS}, then after each doubled interval (RFC 8489 §6.2.1), until
   * `timeoutMs` has passed since the first send; the server's transaction cache answers a resend the
   * same way (RFC 8489 §6.3.1).
   * @throws Error when no response comes within `timeoutMs`.
   */
  exchange(bytes: Buffer, transactionId: Buffer, timeoutMs = EXCHANGE_TIMEOUT_MS): Promise<StunMessage> {
    const key = transactionId.toString('hex');
    return new Promise((resolve, reject) => {
      let resend: NodeJS.Timeout | undefined;
      const schedule = (rtoMs: number): void => {
        resend = setTimeout(() => {
          this.retransmissions++;
          this.retransmitted.add(key);
          this.write(bytes);
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
      this.write(bytes);
      if (this.transport === 'udp') schedule(INITIAL_RTO_MS);
    });
  }

  /** An unsigned request (the first leg of the 401 dance, or an unauthenticated flood). */
  unsigned(method: number, attributes: AttributeSpec[] = []): Promise<StunMessage> {
    const transactionId = newTransactionId();
    return this.exchange(
      buildMessage({ method, cls: StunClass.request, transactionId, attributes, fingerprint: true }),
      transactionId,
    );
  }

  /** Takes REALM and NONCE from a 401 or 438. */
  learn(m: StunMessage): void {
    this.realm = getString(m, Attr.REALM) ?? this.realm;
    this.nonce = getString(m, Attr.NONCE) ?? this.nonce;
  }

  /** The nonce in use; setting it sends a replayed, forged or stale one. */
  get currentNonce(): string {
    return this.nonce;
  }

  set currentNonce(nonce: string) {
    this.nonce = nonce;
  }

  /**
   * The bytes of a request signed with `credential` and the current REALM and NONCE (MESSAGE-INTEGRITY,
   * MD5 long-term key, RFC 8489 §9.2.2); raw attributes go after the typed ones.
   */
  signedBytes(
    method: number,
    attributes: AttributeSpec[],
    credential: Credential,
    transactionId: Buffer,
  ): Buffer {
    return buildMessage({
      method,
      cls: StunClass.request,
      transactionId,
      attributes: withCredentials(attributes, credential.username, this.realm, this.nonce),
      integrityKey: longTermKey(credential.username, this.realm, credential.password, 'md5'),
      fingerprint: true,
    });
  }

  /**
   * A signed request: learns REALM and NONCE from a 401 first when it has none, and retries once after a
   * 438 with the new nonce. `attributes` builds the attributes for a transaction ID (an XOR-PEER-ADDRESS
   * depends on it). Returns the final response, which may be an error.
   */
  async signed(
    method: number,
    attributes: (transactionId: Buffer) => AttributeSpec[],
    credential: Credential,
  ): Promise<StunMessage> {
    if (!this.nonce)
      this.learn(await this.unsigned(method, method === StunMethod.allocate ? [UDP_TRANSPORT] : []));
    let transactionId = newTransactionId();
    let res = await this.exchange(
      this.signedBytes(method, attributes(transactionId), credential, transactionId),
      transactionId,
    );
    if (getErrorCode(res)?.code === 438) {
      this.learn(res);
      transactionId = newTransactionId();
      res = await this.exchange(
        this.signedBytes(method, attributes(transactionId), credential, transactionId),
        transactionId,
      );
    }
    return res;
  }

  /** An Allocate for a UDP relay of `family` (REQUESTED-ADDRESS-FAMILY, RFC 8656 §18.10, for IPv6). */
  allocate(credential: Credential, family: Family = 'IPv4'): Promise<StunMessage> {
    const familyAttr: AttributeSpec[] =
      family === 'IPv6' ? [{ type: Attr.REQUESTED_ADDRESS_FAMILY, raw: Buffer.from([2, 0, 0, 0]) }] : [];
    return this.signed(StunMethod.allocate, () => [UDP_TRANSPORT, ...familyAttr], credential);
  }

  /** A Send indication (RFC 8656 §11.1) of `data` to `peer`. */
  sendIndication(address: string, port: number, data: Buffer): void {
    const transactionId = newTransactionId();
    this.write(
      buildMessage({
        method: StunMethod.send,
        cls: StunClass.indication,
        transactionId,
        attributes: [peerAttribute(address, port, transactionId), { type: Attr.DATA, raw: data }],
        fingerprint: true,
      }),
    );
  }

  /** A ChannelData message (RFC 8656 §12.4), padded to 4 bytes over TCP. */
  channelData(channel: number, data: Buffer): void {
    this.write(encodeChannelData(channel, data, this.transport === 'tcp'));
  }

  /** Closes the socket or connection. */
  close(): Promise<void> {
    return this.closer();
  }
}
