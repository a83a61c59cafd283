import type { AttributeSpec } from '../build.js';
import { findAttribute, type StunMessage } from '../message.js';

/**
 * One STUN/TURN attribute's encoder and decoder, the one pair client and server both call (pion/stun's
 * AddTo/GetFrom). `encode` gives the {@link AttributeSpec} `buildMessage` writes; `decode` reads the first
 * attribute of {@link type} from a message `decodeMessage` accepted (so its value already has the minimum
 * length `attribute-checks.ts` demands), undefined when absent.
 */
export interface AttributeCodec<In, Out = In> {
  /** The attribute type (RFC 8489 §18.3, RFC 8656 §18, RFC 5780 §7). */
  readonly type: number;
  /** @throws TypeError when `value` cannot be encoded (see each codec). */
  encode(value: In): AttributeSpec;
  decode(msg: StunMessage): Out | undefined;
}

/** A codec whose value has one length fixed by its RFC, in bytes. */
export interface FixedLengthCodec<In, Out = In> extends AttributeCodec<In, Out> {
  readonly bytes: number;
}

/**
 * True when `msg` carries the codec's attribute with a value of another length than its RFC fixes (a TURN
 * server answers such a request 400, RFC 8489 §14: a malformed attribute). False when absent. Only the first
 * attribute of the type is looked at, as every decoder does.
 */
export function hasWrongLength(
  msg: StunMessage,
  codec: Pick<FixedLengthCodec<never>, 'type' | 'bytes'>,
): boolean {
  const a = findAttribute(msg, codec.type);
  return a !== undefined && a.value.length !== codec.bytes;
}
