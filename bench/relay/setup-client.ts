/**
 * The relay bench's TURN setup client over one UDP socket that the bench owns (so the measured loop can reuse
 * the socket afterwards): the long-term credential mechanism of ice-doctor's TURN client
 * (src/client/turn-check/auth-dance.ts), Allocate (RFC 8656 §7.1), ChannelBind (§12.1), Refresh(0) (§7.3),
 * each request retransmitted while unanswered.
 */
import type dgram from 'node:dgram';
import { AuthDance, type TurnCredentials } from '../../src/client/turn-check/auth-dance.js';
import type { TransportAddress } from '../../src/wire/address.js';
import type { AttributeSpec } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { decodeMessage, getAddress, type StunMessage } from '../../src/wire/message.js';

/** REQUESTED-TRANSPORT UDP (RFC 8656 §18.6). */
const UDP_TRANSPORT: AttributeSpec = { type: Attr.REQUESTED_TRANSPORT, raw: Buffer.from([17, 0, 0, 0]) };

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
export class RelaySetupClient {
  private readonly dance: AuthDance;
  private pending: { id: Buffer; done: (m: StunMessage) => void } | null = null;
  private readonly listener = (bytes: Buffer): void => this.onMessage(bytes);

  constructor(
    private readonly socket: dgram.Socket,
    private readonly server: TransportAddress,
    credentials: TurnCredentials,
  ) {
    this.dance = new AuthDance(credentials);
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

  /**
   * Sends `method` through the {@link AuthDance}: unsigned, then signed after the 401 (and with the new
   * nonce after a 438).
   * @throws TurnSetupError for any other error response, or none.
   */
  private async signed(method: number, attributes: AttributeSpec[]): Promise<StunMessage> {
    const { last } = await this.dance.run(method, attributes, async (bytes, transactionId) => ({
      response: await this.exchange(bytes, transactionId),
    }));
    if (last.response?.cls === StunClass.successResponse) return last.response;
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
