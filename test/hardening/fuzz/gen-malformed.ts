import { looksLikeClassicBindingRequest } from '../../../src/wire/classic.js';
import {
  Attr,
  HEADER_BYTES,
  MAGIC_COOKIE,
  messageType,
  StunClass,
  StunMethod,
} from '../../../src/wire/constants.js';
import type { Expect, Probe } from './expect.js';
import type { Prng } from './prng.js';
import { attribute, stunMessage } from './wire.js';

const METHODS = Object.values(StunMethod);
const CLASSES = [
  StunClass.request,
  StunClass.request,
  StunClass.indication,
  StunClass.successResponse,
  StunClass.errorResponse,
];

/** A message type: a known method (or any 12-bit one, 1 in 8) in a request-heavy mix of classes. */
function messageTypeOf(rng: Prng): { type: number; cls: number } {
  const method = rng.chance(0.125) ? rng.int(0, 0xfff) : rng.pick(METHODS);
  const cls = rng.pick(CLASSES);
  return { type: messageType(method, cls as StunClass), cls };
}

/** A request answered 400 (RFC 8489 §6.3: malformed); anything else discarded. */
function badRequestOrNothing(cls: number): Expect {
  return cls === StunClass.request ? { kind: 'error', code: 400 } : { kind: 'none' };
}

/** A well-formed attribute TLV the decoder accepts: comprehension-optional and unknown, random value. */
export function harmlessAttribute(rng: Prng): Buffer {
  return attribute(rng.int(0x8030, 0xbfff), rng.bytes(rng.int(0, 40)));
}

function harmlessBody(rng: Prng, count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, () => harmlessAttribute(rng)));
}

/** A datagram length: mostly small, sometimes up to a few KiB, rarely up to 16 KiB. */
function randomLength(rng: Prng): number {
  const r = rng.next();
  if (r < 0.5) return rng.int(0, 64);
  if (r < 0.9) return rng.int(65, 600);
  if (r < 0.99) return rng.int(601, 4_000);
  return rng.int(4_001, 16_384);
}

/**
 * Random bytes: fully random (half), with the STUN first bits and magic cookie so the decoder goes past the
 * header (a quarter), or header-valid with random attribute TLVs (a quarter). Bytes that can be neither STUN
 * nor ChannelData from this 5-tuple (empty, or first bits other than 00: the sender has no allocation) must
 * go unanswered; the rest is not judged.
 */
export function randomDatagram(rng: Prng): Probe {
  const r = rng.next();
  let bytes = rng.bytes(randomLength(rng));
  if (r >= 0.5 && bytes.length >= HEADER_BYTES) {
    bytes[0]! &= 0x3f;
    bytes.writeUInt32BE(MAGIC_COOKIE, 4);
    if (r >= 0.75) {
      const length = (bytes.length - HEADER_BYTES) & ~3;
      bytes.writeUInt16BE(length, 2);
      bytes = bytes.subarray(0, HEADER_BYTES + length);
    }
  }
  const silent = bytes.length === 0 || (bytes[0]! & 0xc0) !== 0;
  return { bytes, expect: silent ? { kind: 'none' } : { kind: 'any' } };
}

/** Truncated headers: the first 0–19 bytes of a real header (STUN first bits 00): never answered. */
export function truncatedHeader(rng: Prng): Probe {
  const { type } = messageTypeOf(rng);
  const full = stunMessage(type, rng.bytes(12), harmlessBody(rng, rng.int(0, 3)));
  return { bytes: full.subarray(0, rng.int(0, HEADER_BYTES - 1)), expect: { kind: 'none' } };
}

/**
 * Header lengths that lie: longer or shorter than the attributes by a multiple of 4, off by 1–3, 0xFFFF, or
 * a body whose size is not a multiple of 4 (RFC 8489 §5). With the cookie: a request gets 400, anything else
 * nothing. Without it (an RFC 3489 Binding request shape, 1 in 10): nothing, the length does not match.
 */
export function lyingLength(rng: Prng): Probe {
  const { type, cls } = messageTypeOf(rng);
  let body = harmlessBody(rng, rng.int(0, 6));
  const actual = body.length;
  const lies = [
    () => actual + 4 * rng.int(1, 64),
    () => Math.max(0, actual - 4 * rng.int(1, 16)),
    () => actual + rng.pick([1, 2, 3, -1, -2, -3]),
    () => 0xffff,
    () => {
      body = Buffer.concat([body, rng.bytes(rng.int(1, 3))]);
      return body.length;
    },
  ];
  let length = rng.pick(lies)();
  if (length === actual && body.length === actual) length = actual + 4;
  if (length < 0) length = actual + 4;
  if (rng.chance(0.1)) {
    const bytes = stunMessage(messageType(StunMethod.binding, StunClass.request), rng.bytes(12), body, {
      length,
      cookie: rng.int(0, MAGIC_COOKIE - 1),
    });
    return { bytes, expect: looksLikeClassicBindingRequest(bytes) ? { kind: 'any' } : { kind: 'none' } };
  }
  return { bytes: stunMessage(type, rng.bytes(12), body, { length }), expect: badRequestOrNothing(cls) };
}

/**
 * Attribute values the decoder must reject for their type, each verified to fail decoding: an address of 3
 * bytes, a CHANNEL-NUMBER of 2, an empty LIFETIME ... (type, value length).
 */
const SHORT_VALUES: readonly (readonly [number, number])[] = [
  [Attr.XOR_MAPPED_ADDRESS, 3],
  [Attr.XOR_MAPPED_ADDRESS, 0],
  [Attr.XOR_MAPPED_ADDRESS, 8],
  [Attr.XOR_PEER_ADDRESS, 4],
  [Attr.MAPPED_ADDRESS, 3],
  [Attr.CHANNEL_NUMBER, 2],
  [Attr.CHANNEL_NUMBER, 0],
  [Attr.REQUESTED_TRANSPORT, 0],
  [Attr.ERROR_CODE, 2],
  [Attr.UNKNOWN_ATTRIBUTES, 3],
  [Attr.PASSWORD_ALGORITHM, 2],
  [Attr.FINGERPRINT, 2],
  [Attr.RESPONSE_PORT, 1],
  [Attr.CHANGE_REQUEST, 0],
  [Attr.RESPONSE_ORIGIN, 5],
];

/**
 * Attributes that overrun: a header-valid message (length right, a multiple of 4) whose last attribute's
 * length runs past the end (RFC 8489 §14), or (1 in 4) a known attribute whose value is too short for its
 * type. A request gets 400, anything else nothing.
 */
export function overrunningAttribute(rng: Prng): Probe {
  const { type, cls } = messageTypeOf(rng);
  const prefix = harmlessBody(rng, rng.int(0, 5));
  let last: Buffer;
  if (rng.chance(0.25)) {
    const [t, len] = rng.pick(SHORT_VALUES);
    last = attribute(t, Buffer.alloc(len, 0x02));
  } else {
    const tail = rng.bytes(4 * rng.int(0, 8));
    const claimed = rng.chance(0.2) ? 0xffff : rng.int(tail.length + 1, tail.length + 64);
    last = attribute(rng.int(0, 0xffff), tail, { length: claimed });
  }
  return {
    bytes: stunMessage(type, rng.bytes(12), Buffer.concat([prefix, last])),
    expect: badRequestOrNothing(cls),
  };
}
