import type { TransportAddress } from '../../src/wire/address.js';
import { encodeChannelData, MIN_CHANNEL } from '../../src/wire/channel-data.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { getErrorCode } from '../../src/wire/message.js';
import { RawTurnClient } from '../support/turn-raw.js';
import { HARDENING_USER } from './server-process.js';

/** One check of a {@link LegitClient}: whether the server did its job, and how long it took (ms). */
export interface LegitCheck {
  ok: boolean;
  ms: number;
  /** What went wrong, when `ok` is false. */
  error?: string;
}

/**
 * A well-behaved TURN client that keeps using the server while it is under attack: one UDP allocation
 * with a channel bound to an echo peer. Each {@link check} sends a Binding request and one ChannelData
 * round trip through the relay (RFC 8656 §12) and tells whether both came back. Counts its checks.
 */
export class LegitClient {
  checks = 0;
  failures = 0;
  readonly errors: string[] = [];
  private sequence = 0;

  private constructor(private readonly client: RawTurnClient) {}

  /**
   * Allocates on `server` as {@link HARDENING_USER} and binds channel 0x4000 to `peer`.
   * @throws Error when the Allocate or ChannelBind is refused.
   */
  static async open(server: TransportAddress, peer: TransportAddress): Promise<LegitClient> {
    const client = await RawTurnClient.udp(server);
    const allocated = await client.allocate(HARDENING_USER);
    if (allocated.cls !== StunClass.successResponse)
      throw new Error(`legit Allocate refused: ${getErrorCode(allocated)?.code}`);
    const bound = await client.signed(
      StunMethod.channelBind,
      [
        { type: Attr.CHANNEL_NUMBER, raw: Buffer.from([MIN_CHANNEL >> 8, MIN_CHANNEL & 0xff, 0, 0]) },
        { type: Attr.XOR_PEER_ADDRESS, address: { address: peer.address, port: peer.port } },
      ],
      HARDENING_USER,
    );
    if (bound.cls !== StunClass.successResponse)
      throw new Error(`legit ChannelBind refused: ${getErrorCode(bound)?.code}`);
    return new LegitClient(client);
  }

  /** One Binding request and one relayed ChannelData round trip, each within `timeoutMs`. */
  async check(timeoutMs = 2_000): Promise<LegitCheck> {
    const start = performance.now();
    this.checks++;
    try {
      const binding = await this.client.request(StunMethod.binding);
      if (binding.cls !== StunClass.successResponse) throw new Error('Binding not answered with success');
      const payload = Buffer.from(`legit-${this.sequence++}`);
      this.client.received.length = 0;
      this.client.send(encodeChannelData(MIN_CHANNEL, payload, true));
      await this.client.waitFor(
        (b) => b.length >= 4 + payload.length && b.subarray(4).includes(payload),
        timeoutMs,
      );
      return { ok: true, ms: performance.now() - start };
    } catch (err) {
      this.failures++;
      const error = err instanceof Error ? err.message : String(err);
      if (this.errors.length < 5) this.errors.push(error);
      return { ok: false, ms: performance.now() - start, error };
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
