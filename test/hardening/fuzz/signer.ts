import type { TransportAddress } from '../../../src/wire/address.js';
import { type AttributeSpec, buildMessage } from '../../../src/wire/build.js';
import { MIN_CHANNEL } from '../../../src/wire/channel-data.js';
import { Attr, StunClass, StunMethod } from '../../../src/wire/constants.js';
import { appendFingerprint, type IntegrityAlgorithm, longTermKey } from '../../../src/wire/integrity.js';
import { decodeMessage, getAddress, getErrorCode, getString } from '../../../src/wire/message.js';
import { newTransactionId } from '../../../src/wire/transaction-id.js';
import { UDP_TRANSPORT, withCredentials } from '../../support/turn-raw.js';
import { HARDENING_USER } from '../server-process.js';
import { fixLength } from './wire.js';

/** Sends a request and resolves with the response bytes, or `null` when none came within `timeoutMs`. */
export type Exchange = (bytes: Buffer, timeoutMs?: number) => Promise<Buffer | null>;

/**
 * Signs requests as {@link HARDENING_USER} with the long-term credential mechanism (RFC 8489 §9.2): REALM
 * and NONCE come from one 401, the MD5 key from them. Nonces last the server's 600 s, longer than any run.
 */
export class Signer {
  private constructor(
    private readonly realm: string,
    private readonly nonce: string,
    private readonly key: Buffer,
  ) {}

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
    const realm = m && getString(m, Attr.REALM);
    const nonce = m && getString(m, Attr.NONCE);
    if (!m || getErrorCode(m)?.code !== 401 || !realm || !nonce)
      throw new Error('no 401 with REALM and NONCE');
    const { username, password } = HARDENING_USER;
    return new Signer(realm, nonce, longTermKey(username, realm, password));
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
    return buildMessage({
      method,
      cls: StunClass.request,
      transactionId: tid,
      attributes: withCredentials(attributes, HARDENING_USER.username, this.realm, this.nonce),
      integrityKey: this.key,
      integrityAlgorithm: opts.integrity ?? 'sha1',
      fingerprint: opts.fingerprint ?? true,
    });
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

/** The CHANNEL-NUMBER value (RFC 8656 §18.1): the number, then 2 reserved bytes. */
function channelNumberValue(channel: number): Buffer {
  return Buffer.from([channel >> 8, channel & 0xff, 0, 0]);
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
    [
      { type: Attr.XOR_PEER_ADDRESS, address: peer },
      { type: Attr.CHANNEL_NUMBER, raw: channelNumberValue(MIN_CHANNEL) },
    ],
    newTransactionId(),
  );
  const bound = await exchange(bind);
  const b = bound && decodeMessage(bound);
  if (!b || b.cls !== StunClass.successResponse)
    throw new Error(`fuzz ChannelBind refused: ${b ? getErrorCode(b)?.code : 'no answer'}`);
  return relayed;
}
