/**
 * Property tests of the STUN decoder and stream framer (fast-check): whatever the bytes, `decodeMessage` and
 * `StreamFramer.push` throw nothing but {@link StunDecodeError}, and what decodes can be verified and read
 * with every getter without a throw. Inputs: random bytes; messages from `buildMessage` with random attributes,
 * then mutated; header-valid random attribute TLVs; valid STUN/ChannelData streams split at random points.
 *
 * Case counts (numRuns) are listed in RUNS; their sum is asserted to be at least 100,000.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResponsePort } from '../../src/wire/attributes/response-port.js';
import { type AttributeSpec, buildMessage } from '../../src/wire/build.js';
import { Attr, HEADER_BYTES, MAGIC_COOKIE, StunClass } from '../../src/wire/constants.js';
import { StunDecodeError } from '../../src/wire/errors.js';
import { type StreamFrame, StreamFramer } from '../../src/wire/framing.js';
import {
  type IntegrityAlgorithm,
  shortTermKey,
  verifyFingerprint,
  verifyIntegrity,
} from '../../src/wire/integrity.js';
import {
  decodeMessage,
  getAddress,
  getErrorCode,
  getString,
  getUint32,
  getUnknownAttributes,
  type StunMessage,
} from '../../src/wire/message.js';

const RUNS = {
  randomBytes: 20_000,
  roundTrip: 5_000,
  mutated: 30_000,
  duplicatedChecks: 5_000,
  headerValidTlvs: 30_000,
  framerValid: 8_000,
  framerGarbage: 7_000,
} as const;

const KEY = shortTermKey('fuzz-password');
const OTHER_KEY = shortTermKey('other');

// ---------------------------------------------------------------------------------------------------------
// Exercising a buffer

const stats = { decoded: 0, rejected: 0 };

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`invariant broken: ${what}`);
}

/** Every getter and both checks over every attribute type present, plus the structural invariants. */
function exerciseDecoded(msg: StunMessage, buf: Buffer): void {
  check(msg.raw === buf, 'raw is the input');
  check(msg.transactionId.length === 12, 'transaction ID is 12 bytes');
  check(msg.type === buf.readUInt16BE(0), 'type');
  let end = HEADER_BYTES;
  for (const a of msg.attributes) {
    check(a.offset === end, 'attributes are contiguous');
    check(a.value.length === buf.readUInt16BE(a.offset + 2), 'value length');
    end = a.offset + 4 + a.value.length + ((4 - (a.value.length % 4)) % 4);
  }
  check(end === buf.length, 'attributes fill the message');
  for (const alg of ['sha1', 'sha256'] as IntegrityAlgorithm[]) {
    const r = verifyIntegrity(msg, KEY, alg);
    check(r === 'valid' || r === 'invalid' || r === 'absent', 'verifyIntegrity result');
  }
  const fp = verifyFingerprint(msg);
  check(fp === 'valid' || fp === 'invalid' || fp === 'absent', 'verifyFingerprint result');
  for (const a of msg.attributes) {
    getAddress(msg, a.type);
    getUint32(msg, a.type);
    getString(msg, a.type);
  }
  getErrorCode(msg);
  getUnknownAttributes(msg);
  ResponsePort.decode(msg);
}

/** Decodes `buf`; only a StunDecodeError may escape decodeMessage, nothing may escape the rest. */
function exercise(buf: Buffer): StunMessage | undefined {
  let msg: StunMessage;
  try {
    msg = decodeMessage(buf);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    check(typeof err.code === 'string' && err.code.length > 0, 'error code');
    stats.rejected++;
    return undefined;
  }
  stats.decoded++;
  exerciseDecoded(msg, buf);
  return msg;
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
/** Full-form IPv6 (8 groups): always a literal the decoder and node:net accept. */
const ipv6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((x) => x.toString(16)).join(':'));
const port = fc.integer({ min: 1, max: 65535 });
const bytes = (maxLength: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((u) => Buffer.from(u));

const ADDRESS_TYPES = [
  Attr.MAPPED_ADDRESS,
  Attr.XOR_MAPPED_ADDRESS,
  Attr.XOR_PEER_ADDRESS,
  Attr.XOR_RELAYED_ADDRESS,
  Attr.OTHER_ADDRESS,
  Attr.RESPONSE_ORIGIN,
  Attr.ALTERNATE_SERVER,
];
const UINT32_TYPES = [
  Attr.CHANGE_REQUEST,
  Attr.LIFETIME,
  Attr.CHANNEL_NUMBER,
  Attr.REQUESTED_TRANSPORT,
  0x0024,
];
const BYTES_TYPES = [
  Attr.USERNAME,
  Attr.REALM,
  Attr.NONCE,
  Attr.SOFTWARE,
  Attr.DATA,
  Attr.EVEN_PORT,
  Attr.RESERVATION_TOKEN,
  Attr.DONT_FRAGMENT,
  Attr.PADDING,
  Attr.USERHASH,
  Attr.ALTERNATE_DOMAIN,
  0x8029,
  0x802a,
];
/** Every type the decoder parses specially (and so can reject), plus a few it does not know. */
const INTERESTING_TYPES = [
  ...ADDRESS_TYPES,
  ...UINT32_TYPES,
  ...BYTES_TYPES,
  Attr.ERROR_CODE,
  Attr.UNKNOWN_ATTRIBUTES,
  Attr.MESSAGE_INTEGRITY,
  Attr.MESSAGE_INTEGRITY_SHA256,
  Attr.FINGERPRINT,
  Attr.RESPONSE_PORT,
  Attr.PASSWORD_ALGORITHM,
  Attr.PASSWORD_ALGORITHMS,
  Attr.REQUESTED_ADDRESS_FAMILY,
  0x0025,
  0xff00,
  0xc001,
  0xc057,
  0x0002,
  0x7fff,
  0xffff,
];

const typedSpec: fc.Arbitrary<AttributeSpec> = fc.oneof(
  fc.record({
    type: fc.constantFrom(...ADDRESS_TYPES),
    address: fc.record({ address: fc.oneof(ipv4, ipv6), port }),
  }),
  fc.record({ type: fc.constantFrom(...UINT32_TYPES), uint32: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({
    type: fc.constantFrom(...BYTES_TYPES),
    bytes: fc.oneof(bytes(48), fc.string({ maxLength: 40 })),
  }),
  fc.record({
    type: fc.constant(Attr.ERROR_CODE),
    error: fc.record({ code: fc.integer({ min: 300, max: 699 }), reason: fc.string({ maxLength: 60 }) }),
  }),
);
/**
 * Raw attributes that a conforming message may carry: types the decoder does not parse (0x8030–0xBFFF), and
 * RESPONSE-PORT / UNKNOWN-ATTRIBUTES / REQUESTED-ADDRESS-FAMILY with well-formed values.
 */
const rawSpec: fc.Arbitrary<AttributeSpec> = fc.oneof(
  fc.record({ type: fc.integer({ min: 0x8030, max: 0xbfff }), raw: bytes(40) }),
  port.map((p) => ResponsePort.encode(p)),
  fc
    .array(fc.nat(0xffff), { maxLength: 6 })
    .map((ts) => ({ type: Attr.UNKNOWN_ATTRIBUTES, raw: Buffer.from(Uint16Array.from(ts).buffer).swap16() })),
  fc.constantFrom(1, 2).map((f) => ({ type: Attr.REQUESTED_ADDRESS_FAMILY, raw: Buffer.from([f, 0, 0, 0]) })),
);

interface Built {
  buf: Buffer;
  typed: AttributeSpec[];
  key: Buffer | undefined;
  alg: IntegrityAlgorithm;
  fingerprint: boolean;
}

const builtMessage: fc.Arbitrary<Built> = fc
  .record({
    method: fc.nat(0xfff),
    cls: fc.constantFrom(
      StunClass.request,
      StunClass.indication,
      StunClass.successResponse,
      StunClass.errorResponse,
    ),
    transactionId: fc.uint8Array({ minLength: 12, maxLength: 12 }).map((u) => Buffer.from(u)),
    typed: fc.uniqueArray(typedSpec, { maxLength: 6, selector: (a) => a.type }),
    raw: fc.array(rawSpec, { maxLength: 3 }),
    withKey: fc.boolean(),
    alg: fc.constantFrom<IntegrityAlgorithm>('sha1', 'sha256'),
    fingerprint: fc.boolean(),
  })
  .map(({ method, cls, transactionId, typed, raw, withKey, alg, fingerprint }) => ({
    buf: buildMessage({
      method,
      cls,
      transactionId,
      attributes: [...typed, ...raw],
      integrityKey: withKey ? KEY : undefined,
      integrityAlgorithm: alg,
      fingerprint,
    }),
    typed,
    key: withKey ? KEY : undefined,
    alg,
    fingerprint,
  }));

/** Offsets of the attribute headers of `buf`, walked leniently (stops at the first overrun). */
function attributeOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  let off = HEADER_BYTES;
  while (off + 4 <= buf.length) {
    out.push(off);
    const len = buf.readUInt16BE(off + 2);
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  return out;
}

function tlv(type: number, value: Uint8Array, padByte = 0): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const out = Buffer.alloc(4 + value.length + pad, padByte);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  Buffer.from(value).copy(out, 4);
  return out;
}

function fixLength(buf: Buffer): Buffer {
  if (buf.length >= 4) buf.writeUInt16BE((buf.length - HEADER_BYTES) & 0xffff, 2);
  return buf;
}

type Mutation = (buf: Buffer) => Buffer;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // byte flips
  fc.record({ at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }).map(({ at, mask }) => (buf: Buffer) => {
    if (buf.length === 0) return buf;
    const out = Buffer.from(buf);
    out[at % out.length]! ^= mask;
    return out;
  }),
  // truncation
  fc.nat().map((at) => (buf: Buffer) => buf.subarray(0, at % (buf.length + 1))),
  // header length lie
  fc.nat(0xffff).map((len) => (buf: Buffer) => {
    if (buf.length < 4) return buf;
    const out = Buffer.from(buf);
    out.writeUInt16BE(len, 2);
    return out;
  }),
  // attribute length lie
  fc
    .record({ which: fc.nat(), len: fc.oneof(fc.nat(0xffff), fc.nat(64)) })
    .map(({ which, len }) => (buf: Buffer) => {
      const offs = attributeOffsets(buf);
      if (offs.length === 0) return buf;
      const out = Buffer.from(buf);
      out.writeUInt16BE(len, offs[which % offs.length]! + 2);
      return out;
    }),
  // appended junk, header length fixed or not
  fc
    .record({ junk: fc.uint8Array({ minLength: 1, maxLength: 40 }), fix: fc.boolean() })
    .map(({ junk, fix }) => (buf: Buffer) => {
      const out = Buffer.concat([buf, junk]);
      return fix ? fixLength(out) : out;
    }),
  // many MESSAGE-INTEGRITY / -SHA256 / FINGERPRINT attributes, of odd sizes too
  fc
    .array(
      fc.record({
        type: fc.constantFrom(Attr.MESSAGE_INTEGRITY, Attr.MESSAGE_INTEGRITY_SHA256, Attr.FINGERPRINT),
        value: fc.oneof(
          fc.constantFrom(0, 4, 16, 20, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
          fc.uint8Array({ maxLength: 40 }),
        ),
      }),
      { minLength: 1, maxLength: 20 },
    )
    .map(
      (attrs) => (buf: Buffer) => fixLength(Buffer.concat([buf, ...attrs.map((a) => tlv(a.type, a.value))])),
    ),
  // unknown comprehension-required attribute inserted at an attribute boundary
  fc
    .record({
      type: fc.constantFrom(
        0x0002,
        0x0004,
        0x0005,
        0x0007,
        0x000b,
        0x0010,
        0x0011,
        0x0021,
        0x0030,
        0x7fff,
        0x4000,
      ),
      value: fc.uint8Array({ maxLength: 24 }),
      where: fc.nat(),
    })
    .map(({ type, value, where }) => (buf: Buffer) => {
      const offs = [...attributeOffsets(buf), buf.length];
      const at = Math.max(HEADER_BYTES, Math.min(buf.length, offs[where % offs.length]!));
      return fixLength(Buffer.concat([buf.subarray(0, at), tlv(type, value), buf.subarray(at)]));
    }),
);

/** A header-valid message (cookie, length, 4-byte padding) whose attribute TLVs are random. */
const headerValidMessage: fc.Arbitrary<Buffer> = fc
  .record({
    type: fc.nat(0x3fff),
    tid: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    attrs: fc.array(
      fc.record({
        type: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...INTERESTING_TYPES) },
          { weight: 1, arbitrary: fc.nat(0xffff) },
        ),
        value: fc.oneof(
          fc.uint8Array({ maxLength: 36 }),
          // address-shaped values: family 1 or 2 (or junk), a port, 4 or 16 address bytes, maybe cut short
          fc
            .record({
              fam: fc.constantFrom(0, 1, 2, 3),
              port: fc.nat(0xffff),
              addr: fc.uint8Array({ maxLength: 20 }),
            })
            .map(({ fam, port: p, addr }) => Uint8Array.from([0, fam, p >> 8, p & 0xff, ...addr])),
        ),
        padByte: fc.nat(255),
      }),
      { maxLength: 8 },
    ),
  })
  .map(({ type, tid, attrs }) => {
    const head = Buffer.alloc(HEADER_BYTES);
    head.writeUInt16BE(type, 0);
    head.writeUInt32BE(MAGIC_COOKIE, 4);
    Buffer.from(tid).copy(head, 8);
    return fixLength(Buffer.concat([head, ...attrs.map((a) => tlv(a.type, a.value, a.padByte))]));
  });

// ---------------------------------------------------------------------------------------------------------
// Decoder properties

describe('decodeMessage never throws anything but StunDecodeError', () => {
  /**
   * Runs `fn` and checks that at least `minShare` of its inputs decoded: the properties must reach past the
   * header checks often enough to exercise the decoder, the getters and the checks.
   */
  function withDecodedShare(minShare: number, runs: number, fn: () => void): void {
    const before = stats.decoded;
    fn();
    const share = (stats.decoded - before) / runs;
    expect(share).toBeGreaterThan(minShare);
  }

  it(`(a) on random bytes (${RUNS.randomBytes} cases)`, () => {
    withDecodedShare(0.01, RUNS.randomBytes, () =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 120 }),
            // random bytes behind a valid cookie and a length that matches, so the attribute walk runs
            fc.uint8Array({ minLength: 20, maxLength: 120 }).map((u) => {
              const b = Buffer.from(u);
              b[0]! &= 0x3f;
              b.writeUInt32BE(MAGIC_COOKIE, 4);
              return fixLength(b);
            }),
          ),
          (u) => {
            exercise(Buffer.from(u));
          },
        ),
        { numRuns: RUNS.randomBytes },
      ),
    );
  });

  it(`built messages decode to what was built (${RUNS.roundTrip} cases)`, () => {
    fc.assert(
      fc.property(builtMessage, ({ buf, typed, key, alg, fingerprint }) => {
        const msg = exercise(buf);
        expect(msg).toBeDefined();
        if (!msg) return;
        expect(verifyIntegrity(msg, KEY, alg)).toBe(key ? 'valid' : 'absent');
        if (key) expect(verifyIntegrity(msg, OTHER_KEY, alg)).toBe('invalid');
        expect(verifyFingerprint(msg)).toBe(fingerprint ? 'valid' : 'absent');
        for (const a of typed) {
          if ('uint32' in a) expect(getUint32(msg, a.type)).toBe(a.uint32);
          else if ('bytes' in a) expect(getString(msg, a.type)).toBe(Buffer.from(a.bytes).toString('utf8'));
          else if ('error' in a)
            expect(getErrorCode(msg)).toEqual({ code: a.error.code, reason: a.error.reason });
          else if ('address' in a) {
            const got = getAddress(msg, a.type);
            expect(got?.port).toBe(a.address.port);
            expect(normalizeIp(got?.address ?? '')).toBe(normalizeIp(a.address.address));
          }
        }
      }),
      { numRuns: RUNS.roundTrip },
    );
  });

  it(`(b) on built messages after 1–4 mutations (${RUNS.mutated} cases)`, () => {
    withDecodedShare(0.1, RUNS.mutated, () =>
      fc.assert(
        fc.property(builtMessage, fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ buf }, muts) => {
          exercise(muts.reduce((b, m) => m(b), buf));
        }),
        { numRuns: RUNS.mutated },
      ),
    );
  });

  it(`(b) duplicated MESSAGE-INTEGRITY / FINGERPRINT: the first one decides, nothing throws (${RUNS.duplicatedChecks} cases)`, () => {
    fc.assert(
      fc.property(
        builtMessage,
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(Attr.MESSAGE_INTEGRITY, Attr.MESSAGE_INTEGRITY_SHA256, Attr.FINGERPRINT),
        ({ buf, key, alg, fingerprint }, n, type) => {
          const size = type === Attr.FINGERPRINT ? 4 : type === Attr.MESSAGE_INTEGRITY ? 20 : 32;
          const extra = Array.from({ length: n }, () => tlv(type, Buffer.alloc(size, 0xab)));
          const msg = exercise(fixLength(Buffer.concat([buf, ...extra])));
          expect(msg).toBeDefined();
          if (!msg) return;
          // The appended copies are never valid: a FINGERPRINT is not last any more, and the originals' HMAC
          // still covers only the bytes before them, so an original MESSAGE-INTEGRITY stays valid.
          if (type === Attr.FINGERPRINT || fingerprint) expect(verifyFingerprint(msg)).toBe('invalid');
          if (key) expect(verifyIntegrity(msg, KEY, alg)).toBe('valid');
          // Copies of an integrity attribute the message did not have: the first copy decides, and it is junk.
          const miType = alg === 'sha1' ? Attr.MESSAGE_INTEGRITY : Attr.MESSAGE_INTEGRITY_SHA256;
          if (!key && type === miType) expect(verifyIntegrity(msg, KEY, alg)).toBe('invalid');
        },
      ),
      { numRuns: RUNS.duplicatedChecks },
    );
  });

  it(`(c) on header-valid messages with random attribute TLVs (${RUNS.headerValidTlvs} cases)`, () => {
    withDecodedShare(0.3, RUNS.headerValidTlvs, () =>
      fc.assert(
        fc.property(headerValidMessage, (buf) => {
          exercise(buf);
        }),
        { numRuns: RUNS.headerValidTlvs },
      ),
    );
  });
});

function normalizeIp(address: string): string {
  return address.includes(':') ? new URL(`http://[${address}]/`).hostname : address;
}

// ---------------------------------------------------------------------------------------------------------
// Framer properties

interface Frame {
  kind: StreamFrame['kind'];
  bytes: Buffer;
  /** What goes on the stream: the frame plus, for ChannelData, padding to 4 bytes (RFC 8656 §12.5). */
  wire: Buffer;
}

const stunFrame: fc.Arbitrary<Frame> = fc.oneof(
  builtMessage.map(({ buf }) => ({ kind: 'stun' as const, bytes: buf, wire: buf })),
  // any header with the top two bits 0: the framer cuts by the length field alone
  fc
    .record({ head: fc.uint8Array({ minLength: 20, maxLength: 20 }), body: fc.uint8Array({ maxLength: 64 }) })
    .map(({ head, body }) => {
      const buf = Buffer.concat([head, body]);
      buf[0]! &= 0x3f;
      fixLength(buf);
      return { kind: 'stun' as const, bytes: buf, wire: buf };
    }),
);

const channelDataFrame: fc.Arbitrary<Frame> = fc
  .record({
    channel: fc.integer({ min: 0x4000, max: 0x4fff }),
    data: fc.uint8Array({ maxLength: 70 }),
    padByte: fc.nat(255),
  })
  .map(({ channel, data, padByte }) => {
    const bytes = Buffer.alloc(4 + data.length);
    bytes.writeUInt16BE(channel, 0);
    bytes.writeUInt16BE(data.length, 2);
    Buffer.from(data).copy(bytes, 4);
    const pad = Buffer.alloc((4 - (data.length % 4)) % 4, padByte);
    return { kind: 'channel-data' as const, bytes, wire: Buffer.concat([bytes, pad]) };
  });

/** Splits `buf` at the given cut points (any order, any duplicates). */
function chunk(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

/** Pushes every chunk; only a StunDecodeError may escape, after which the stream is abandoned. */
function feed(chunks: Buffer[]): {
  frames: StreamFrame[];
  error: StunDecodeError | undefined;
  framer: StreamFramer;
} {
  const framer = new StreamFramer();
  const frames: StreamFrame[] = [];
  for (const c of chunks) {
    try {
      frames.push(...framer.push(c));
    } catch (err) {
      if (!(err instanceof StunDecodeError)) throw err;
      return { frames, error: err, framer };
    }
  }
  return { frames, error: undefined, framer };
}

describe('StreamFramer.push', () => {
  it(`returns exactly the frames of a valid STUN/ChannelData stream split at random points (${RUNS.framerValid} cases)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(stunFrame, channelDataFrame), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.nat(),
        (frames, cuts, cutTail) => {
          const stream = Buffer.concat(frames.map((f) => f.wire));
          const { frames: got, error, framer } = feed(chunk(stream, cuts));
          expect(error).toBeUndefined();
          expect(got.map((f) => f.kind)).toEqual(frames.map((f) => f.kind));
          for (const [i, f] of got.entries()) expect(f.bytes.equals(frames[i]!.bytes)).toBe(true);
          expect(framer.bufferedBytes).toBe(0);
          // Reassembly: each frame plus its ChannelData padding gives back the stream.
          const pads = got.map((f) => (f.kind === 'channel-data' ? (4 - (f.bytes.length % 4)) % 4 : 0));
          expect(got.reduce((n, f, i) => n + f.bytes.length + pads[i]!, 0)).toBe(stream.length);
          // A stream cut short keeps the incomplete frame back.
          const cut = cutTail % (stream.length + 1);
          const partial = feed(chunk(stream.subarray(0, cut), cuts));
          // Exactly the frames whose wire bytes (ChannelData padding included) end at or before the cut.
          let ends = 0;
          let complete = 0;
          for (const f of frames) {
            if (ends + f.wire.length > cut) break;
            ends += f.wire.length;
            complete++;
          }
          expect(partial.frames.length).toBe(complete);
          expect(partial.framer.bufferedBytes).toBe(cut - ends);
        },
      ),
      { numRuns: RUNS.framerValid },
    );
  });

  it(`throws nothing but StunDecodeError on garbage, random chunking (${RUNS.framerGarbage} cases)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(stunFrame, channelDataFrame), { maxLength: 3 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, junk, cuts) => {
          const stream = Buffer.concat([...frames.map((f) => f.wire), junk]);
          const { frames: got, error } = feed(chunk(stream, cuts));
          // What comes out before the garbage is the valid frames, in order. Frames completed in the same
          // push as the garbage are dropped with the throw (see the @throws of push), so only a prefix.
          for (let i = 0; i < Math.min(got.length, frames.length); i++)
            expect(got[i]!.bytes.equals(frames[i]!.bytes)).toBe(true);
          if (!error) expect(got.length).toBeGreaterThanOrEqual(frames.length);
          for (const f of got) {
            const len = f.bytes.readUInt16BE(2);
            expect(f.bytes.length).toBe(f.kind === 'stun' ? HEADER_BYTES + len : 4 + len);
          }
        },
      ),
      { numRuns: RUNS.framerGarbage },
    );
  });
});

it('runs at least 100,000 property cases in total', () => {
  expect(Object.values(RUNS).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100_000);
});
