/**
 * The relay bench's TURN setup client over one UDP socket that the bench owns (so the measured loop can reuse
 * the socket afterwards): the 401 dance (RFC 8489 §9.2), Allocate (RFC 8656 §7.1), ChannelBind (§12.1),
 * each request retransmitted while unanswered.
 */
import type dgram from 'node:dgram';
import type { TransportAddress } from '../../src/wire/address.js';
import { type AttributeSpec, buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { longTermKey } from '../../src/wire/integrity.js';
import {
  decodeMessage,
  getAddress,
  getErrorCode,
  getString,
  type StunMessage,
} from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';
import { UDP_TRANSPORT } from '../../test/support/turn-raw.js';

/** Long-term credentials (RFC 8489 §9.2) of the bench user. */
export interface Credentials {
  username: string;
  password: string;
}

/** How long one transmission of a setup request waits for its answer, in ms. */
export const SETUP_RTO_MS = 500;
/** Transmissions of one setup request before it fails. */
export const SETUP_TRANSMISSIONS = 3;

/** A TURN request that got an error response, a malformed one, or none at all. */
export class TurnSetupError extends Error {
  override readonly name = 'TurnSetupError';
}

/**
 * One client 5-tuple's TURN session. It listens on the socket for its responses until {@link detach}; the
 * socket must be bound, and is neither connected nor closed here.
 */
export class TurnSession {
  private realm = '';
  private nonce = '';
  private key: Buffer | null = null;
  private pending: { id: Buffer; done: (m: StunMessage) => void } | null = null;
  private readonly listener = (bytes: Buffer): void => this.onMessage(bytes);

  constructor(
    private readonly socket: dgram.Socket,
    private readonly server: TransportAddress,
    private readonly credentials: Credentials,
  ) {
    socket.on('message', this.listener);
  }

  private onMessage(bytes: Buffer): void {
    if (!this.pending || bytes.length < 20 || (bytes[0]! & 0xc0) !== 0) return;
    let m: StunMessage;
    try {
      m = decodeMessage(bytes);
    } catch {
      return;
    }
    if (m.cls === StunClass.request || m.cls === StunClass.indication) return;
    if (!m.transactionId.equals(this.pending.id)) return;
    this.pending.done(m);
  }

  /** Sends `bytes` until the response to `id` arrives, at most {@link SETUP_TRANSMISSIONS} times. */
  private exchange(bytes: Buffer, id: Buffer): Promise<StunMessage> {
    return new Promise((resolve, reject) => {
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const transmit = (): void => {
        if (sent++ === SETUP_TRANSMISSIONS) {
          this.pending = null;
          reject(new TurnSetupError(`no answer from ${this.server.address}:${this.server.port}`));
          return;
        }
        this.socket.send(bytes, this.server.port, this.server.address);
        timer = setTimeout(transmit, SETUP_RTO_MS);
      };
      this.pending = {
        id,
        done: (m) => {
          clearTimeout(timer);
          this.pending = null;
          resolve(m);
        },
      };
      transmit();
    });
  }

  /** A request signed with the long-term key once REALM and NONCE are known; unsigned before. */
  private request(method: number, attributes: AttributeSpec[]): Promise<StunMessage> {
    const transactionId = newTransactionId();
    const signed = this.key !== null;
    const auth: AttributeSpec[] = signed
      ? [
          { type: Attr.USERNAME, bytes: this.credentials.username },
          { type: Attr.REALM, bytes: this.realm },
          { type: Attr.NONCE, bytes: this.nonce },
        ]
      : [];
    const typed = attributes.filter((a) => !('raw' in a));
    const raw = attributes.filter((a) => 'raw' in a);
    const bytes = buildMessage({
      method,
      cls: StunClass.request,
      transactionId,
      attributes: [...typed, ...auth, ...raw],
      ...(this.key ? { integrityKey: this.key } : {}),
      fingerprint: true,
    });
    return this.exchange(bytes, transactionId);
  }

  /**
   * Sends `method` signed, learning REALM and NONCE from a 401 (first request) or a 438 (stale nonce) and
   * retrying once with them.
   * @throws TurnSetupError for any other error response, or none.
   */
  private async signed(method: number, attributes: AttributeSpec[]): Promise<StunMessage> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await this.request(method, attributes);
      const code = getErrorCode(res)?.code;
      if (res.cls === StunClass.successResponse) return res;
      if (code !== 401 && code !== 438) break;
      this.realm = getString(res, Attr.REALM) ?? this.realm;
      this.nonce = getString(res, Attr.NONCE) ?? this.nonce;
      this.key = longTermKey(this.credentials.username, this.realm, this.credentials.password);
    }
    throw new TurnSetupError(`method 0x${method.toString(16)} refused`);
  }

  /**
   * Allocates a UDP relayed transport address (RFC 8656 §7.1), doing the 401 dance first when needed.
   * @returns the XOR-RELAYED-ADDRESS.
   * @throws TurnSetupError when the server refuses or does not answer.
   */
  async allocate(): Promise<TransportAddress> {
    const res = await this.signed(StunMethod.allocate, [UDP_TRANSPORT]);
    const relayed = getAddress(res, Attr.XOR_RELAYED_ADDRESS);
    if (!relayed) throw new TurnSetupError('Allocate success without XOR-RELAYED-ADDRESS');
    return relayed;
  }

  /**
   * Binds `channel` (0x4000–0x4FFF) to `peer` on the allocation (RFC 8656 §12.1), which also installs a
   * permission for the peer's IP (§12.2).
   * @throws TurnSetupError when the server refuses or does not answer.
   */
  async channelBind(channel: number, peer: TransportAddress): Promise<void> {
    const number = Buffer.alloc(4);
    number.writeUInt16BE(channel, 0);
    await this.signed(StunMethod.channelBind, [
      { type: Attr.XOR_PEER_ADDRESS, address: peer },
      { type: Attr.CHANNEL_NUMBER, raw: number },
    ]);
  }

  /**
   * Deletes the allocation: a Refresh with LIFETIME 0 (RFC 8656 §7.3), which frees its relay port,
   * permissions and channels on the server.
   * @throws TurnSetupError when the server refuses or does not answer.
   */
  async release(): Promise<void> {
    await this.signed(StunMethod.refresh, [{ type: Attr.LIFETIME, uint32: 0 }]);
  }

  /** Stops listening on the socket (the socket itself is left as it is). */
  detach(): void {
    this.socket.off('message', this.listener);
    this.pending = null;
  }
}
