import type { TransportAddress } from '../../../src/wire/address.js';
import { type AttributeSpec, buildMessage } from '../../../src/wire/build.js';
import { MIN_CHANNEL } from '../../../src/wire/channel-data.js';
import { Attr, StunClass, StunMethod } from '../../../src/wire/constants.js';
import { appendFingerprint, type IntegrityAlgorithm } from '../../../src/wire/integrity.js';
import { decodeMessage, getAddress, getErrorCode } from '../../../src/wire/message.js';
import { newTransactionId } from '../../../src/wire/transaction-id.js';
import {
  type Challenge,
  channelAttribute,
  learnChallenge,
  signRequest,
  UDP_TRANSPORT,
} from '../../support/turn-raw.js';
import { HARDENING_USER } from '../server-process.js';
import { fixLength } from './wire.js';

/** Sends a request and resolves with the response bytes, or `null` when none came within `timeoutMs`. */
export type Exchange = (bytes: Buffer, timeoutMs?: number) => Promise<Buffer | null>;

/**
 * Signs requests as {@link HARDENING_USER} over the fuzzers' own sockets, with the tests' raw signing
 * (test/support/turn-raw.ts `signRequest`): REALM and NONCE come from one 401. Nonces last the server's
 * 600 s, longer than any run.
 */
export class Signer {
  private constructor(private readonly challenge: Challenge) {}

  /**
   * Learns REALM and NONCE from the 401 to an unsigned Allocate sent through `exchange`.
   * @throws Error when no 401 with both comes back.
   */
  static async learn(exchange: Exchange): Promise<Signer> {
    const bytes = buildMessage({
      method: StunMethod.allocate,
      cls: StunClass.request,
      transactionId: newTransactionId(),
      attributes: [UDP_TRANSPORT],
    });
    const reply = await exchange(bytes);
    const m = reply && decodeMessage(reply);
    const challenge = m && learnChallenge(m, { realm: '', nonce: '', algorithms: null });
    if (!m || getErrorCode(m)?.code !== 401 || !challenge?.realm || !challenge.nonce)
      throw new Error('no 401 with REALM and NONCE');
    return new Signer(challenge);
  }

  /**
   * A signed request: typed attributes, USERNAME, REALM, NONCE, raw attributes, MESSAGE-INTEGRITY (or
   * -SHA256), and FINGERPRINT unless `fingerprint` is false.
   */
  sign(
    method: number,
    attributes: AttributeSpec[],
    tid: Buffer,
    opts: { integrity?: IntegrityAlgorithm; fingerprint?: boolean } = {},
  ): Buffer {
    const signing = { ...HARDENING_USER, ...(opts.integrity && { integrity: opts.integrity }) };
    return signRequest(method, attributes, signing, this.challenge, tid, opts.fingerprint ?? true);
  }

  /**
   * A signed request with `trailer` (attribute TLVs) after its MESSAGE-INTEGRITY(-SHA256), then FINGERPRINT:
   * attributes outside the integrity check, which the server must ignore (RFC 8489 §14.5).
   */
  signWithTrailer(
    method: number,
    attributes: AttributeSpec[],
    tid: Buffer,
    trailer: Buffer[],
    opts: { integrity?: IntegrityAlgorithm; fingerprint?: boolean } = {},
  ): Buffer {
    const signed = this.sign(method, attributes, tid, { integrity: opts.integrity, fingerprint: false });
    const out = fixLength(Buffer.concat([signed, ...trailer]));
    return opts.fingerprint === false ? out : appendFingerprint(out);
  }
}

/**
 * Allocates a UDP relay through `exchange` (RFC 8656 §7) and binds channel 0x4000 to `peer` (§12).
 * @returns the relayed transport address.
 * @throws Error when the Allocate or the ChannelBind is refused.
 */
export async function allocateWithChannel(
  exchange: Exchange,
  signer: Signer,
  peer: TransportAddress,
): Promise<TransportAddress> {
  const allocated = await exchange(signer.sign(StunMethod.allocate, [UDP_TRANSPORT], newTransactionId()));
  const a = allocated && decodeMessage(allocated);
  const relayed = a && getAddress(a, Attr.XOR_RELAYED_ADDRESS);
  if (!a || !relayed) throw new Error(`fuzz Allocate refused: ${a ? getErrorCode(a)?.code : 'no answer'}`);
  const bind = signer.sign(
    StunMethod.channelBind,
    [{ type: Attr.XOR_PEER_ADDRESS, address: peer }, channelAttribute(MIN_CHANNEL)],
    newTransactionId(),
  );
  const bound = await exchange(bind);
  const b = bound && decodeMessage(bound);
  if (!b || b.cls !== StunClass.successResponse)
    throw new Error(`fuzz ChannelBind refused: ${b ? getErrorCode(b)?.code : 'no answer'}`);
  return relayed;
}
