/**
 * RFC 5769 ("Test Vectors for Session Traversal Utilities for NAT (STUN)", April 2010) against the wire
 * layer: every vector decodes, gives the values the RFC states, and its MESSAGE-INTEGRITY / FINGERPRINT
 * verify (and stop verifying with a wrong key or any flipped byte). The hex is RFC 5769 §2.1–§2.4 as
 * printed, including the 0x20 padding of §2.1–§2.3, which is deliberate in the RFC.
 */
import { describe, expect, it } from 'vitest';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, HEADER_BYTES, StunClass, StunMethod } from '../../src/wire/constants.js';
import { StunDecodeError } from '../../src/wire/errors.js';
import {
  appendFingerprint,
  appendIntegrity,
  longTermKey,
  shortTermKey,
  verifyFingerprint,
  verifyIntegrity,
} from '../../src/wire/integrity.js';
import {
  decodeMessage,
  findAttribute,
  getAddress,
  getString,
  getUint32,
  type StunMessage,
} from '../../src/wire/message.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** RFC 5769 §2.1 Sample Request (short-term credentials). */
const REQUEST = hex(`
  00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff
  80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf`);

/** RFC 5769 §2.2 Sample IPv4 Response. */
const IPV4_RESPONSE = hex(`
  01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96`);

/** RFC 5769 §2.3 Sample IPv6 Response. */
const IPV6_RESPONSE = hex(`
  01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
  00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
  80 28 00 04 c8 fb 0b 4c`);

/** RFC 5769 §2.4 Sample Request with Long-Term Authentication (no FINGERPRINT). */
const LONG_TERM_REQUEST = hex(`
  00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
  00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
  00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
  00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
  00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66`);

/** §2.1–§2.3: the short-term password. */
const SHORT_TERM_KEY = shortTermKey('VOkJxbRl1RmTxUk/WvJxBt');
/** §2.1–§2.3: the transaction ID. */
const TID = hex('b7 e7 a7 01 bc 34 d6 86 fa 87 df ae');
/** §2.4: the username after SASLprep (unchanged by it): マトリックス. */
const LT_USERNAME = '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9';
const LT_REALM = 'example.org';
const LT_NONCE = 'f//499k954d6OL34oL9FSTvy64sA';
/** §2.4: "The<U+00AD>M<U+00AA>tr<U+2168>" after SASLprep. */
const LT_PASSWORD = 'TheMatrIX';
const LT_KEY = longTermKey(LT_USERNAME, LT_REALM, LT_PASSWORD);

const SHORT_TERM_VECTORS: Array<[string, Buffer]> = [
  ['§2.1 request', REQUEST],
  ['§2.2 IPv4 response', IPV4_RESPONSE],
  ['§2.3 IPv6 response', IPV6_RESPONSE],
];

function types(msg: StunMessage): number[] {
  return msg.attributes.map((a) => a.type);
}

/** The message up to (not including) its first attribute of `type`, with the header length fixed. */
function prefixBefore(msg: StunMessage, type: number): Buffer {
  const at = findAttribute(msg, type);
  if (!at) throw new Error(`no attribute 0x${type.toString(16)}`);
  const head = Buffer.from(msg.raw.subarray(0, at.offset));
  head.writeUInt16BE(head.length - HEADER_BYTES, 2);
  return head;
}

/** Decodes `buf`, or returns the StunDecodeError it raised (anything else fails the test). */
function decodeOrError(buf: Buffer): StunMessage | StunDecodeError {
  try {
    return decodeMessage(buf);
  } catch (err) {
    expect(err).toBeInstanceOf(StunDecodeError);
    return err as StunDecodeError;
  }
}

describe('RFC 5769 §2.1 sample request', () => {
  const msg = decodeMessage(REQUEST);

  it('decodes header and attributes', () => {
    expect(msg.type).toBe(0x0001);
    expect(msg.method).toBe(StunMethod.binding);
    expect(msg.cls).toBe(StunClass.request);
    expect(msg.transactionId.equals(TID)).toBe(true);
    expect(types(msg)).toEqual([
      Attr.SOFTWARE,
      0x0024,
      0x8029,
      Attr.USERNAME,
      Attr.MESSAGE_INTEGRITY,
      Attr.FINGERPRINT,
    ]);
    expect(getString(msg, Attr.SOFTWARE)).toBe('STUN test client');
    expect(getUint32(msg, 0x0024)).toBe(0x6e0001ff); // PRIORITY
    expect(findAttribute(msg, 0x8029)?.value.toString('hex')).toBe('932ff9b151263b36'); // ICE-CONTROLLED
    expect(getString(msg, Attr.USERNAME)).toBe('evtj:h6vY'); // 9 bytes; the three 0x20 are padding
    expect(getUint32(msg, Attr.FINGERPRINT)).toBe(0xe57a3bcf);
  });

  it('verifies MESSAGE-INTEGRITY with the short-term password and FINGERPRINT', () => {
    expect(verifyIntegrity(msg, SHORT_TERM_KEY)).toBe('valid');
    expect(verifyFingerprint(msg)).toBe('valid');
    expect(verifyIntegrity(msg, SHORT_TERM_KEY, 'sha256')).toBe('absent');
  });

  it('rejects a wrong password', () => {
    expect(verifyIntegrity(msg, shortTermKey('VOkJxbRl1RmTxUk/WvJxBT'))).toBe('invalid');
    expect(verifyIntegrity(msg, Buffer.alloc(0))).toBe('invalid');
  });
});

describe('RFC 5769 §2.2 sample IPv4 response', () => {
  const msg = decodeMessage(IPV4_RESPONSE);

  it('decodes XOR-MAPPED-ADDRESS 192.0.2.1:32853 and SOFTWARE', () => {
    expect(msg.type).toBe(0x0101);
    expect(msg.cls).toBe(StunClass.successResponse);
    expect(msg.transactionId.equals(TID)).toBe(true);
    expect(types(msg)).toEqual([
      Attr.SOFTWARE,
      Attr.XOR_MAPPED_ADDRESS,
      Attr.MESSAGE_INTEGRITY,
      Attr.FINGERPRINT,
    ]);
    expect(getAddress(msg, Attr.XOR_MAPPED_ADDRESS)).toEqual({
      address: '192.0.2.1',
      port: 32853,
      family: 'IPv4',
    });
    expect(getString(msg, Attr.SOFTWARE)).toBe('test vector');
  });

  it('verifies MESSAGE-INTEGRITY and FINGERPRINT', () => {
    expect(verifyIntegrity(msg, SHORT_TERM_KEY)).toBe('valid');
    expect(verifyFingerprint(msg)).toBe('valid');
    expect(verifyIntegrity(msg, shortTermKey('wrong'))).toBe('invalid');
  });
});

describe('RFC 5769 §2.3 sample IPv6 response', () => {
  const msg = decodeMessage(IPV6_RESPONSE);

  // Regression (the former @msimerson/stun codec): it un-XORed bytes 4–15 of an IPv6 address with zeros
  // instead of the transaction ID and gave 2001:db8:a5d3:f179:bc25:f4b5:bed2:b9d9.
  it('decodes XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853', () => {
    expect(msg.type).toBe(0x0101);
    expect(getAddress(msg, Attr.XOR_MAPPED_ADDRESS)).toEqual({
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
      family: 'IPv6',
    });
    expect(getString(msg, Attr.SOFTWARE)).toBe('test vector');
  });

  it('verifies MESSAGE-INTEGRITY and FINGERPRINT', () => {
    expect(verifyIntegrity(msg, SHORT_TERM_KEY)).toBe('valid');
    expect(verifyFingerprint(msg)).toBe('valid');
    expect(verifyIntegrity(msg, shortTermKey('wrong'))).toBe('invalid');
  });
});

describe('RFC 5769 §2.4 sample request with long-term authentication', () => {
  const msg = decodeMessage(LONG_TERM_REQUEST);

  it('decodes USERNAME, NONCE, REALM', () => {
    expect(msg.type).toBe(0x0001);
    expect(msg.transactionId.toString('hex')).toBe('78ad3433c6ad72c029da412e');
    expect(types(msg)).toEqual([Attr.USERNAME, Attr.NONCE, Attr.REALM, Attr.MESSAGE_INTEGRITY]);
    expect(getString(msg, Attr.USERNAME)).toBe(LT_USERNAME);
    expect(getString(msg, Attr.NONCE)).toBe(LT_NONCE);
    expect(getString(msg, Attr.REALM)).toBe(LT_REALM);
  });

  it('verifies with MD5(username:realm:password) over raw UTF-8 (SASLprep leaves these inputs as they are)', () => {
    // MD5("マトリックス:example.org:TheMatrIX"), also checked with `openssl dgst -md5`.
    expect(LT_KEY.toString('hex')).toBe('e8ca7ad59d5eb0518e312911d2dab2a9');
    expect(verifyIntegrity(msg, LT_KEY)).toBe('valid');
    expect(verifyFingerprint(msg)).toBe('absent');
  });

  it('does not verify with the un-prepared password, another realm, or the SHA-256 key', () => {
    expect(verifyIntegrity(msg, longTermKey(LT_USERNAME, LT_REALM, 'The\u00adM\u00aatr\u2168'))).toBe(
      'invalid',
    );
    expect(verifyIntegrity(msg, longTermKey(LT_USERNAME, 'example.com', LT_PASSWORD))).toBe('invalid');
    expect(verifyIntegrity(msg, longTermKey(LT_USERNAME, LT_REALM, LT_PASSWORD, 'sha256'))).toBe('invalid');
  });
});

describe('RFC 5769 vectors: any flipped byte breaks a check', () => {
  const cases: Array<[string, Buffer, Buffer]> = [
    ...SHORT_TERM_VECTORS.map(([n, v]): [string, Buffer, Buffer] => [n, v, SHORT_TERM_KEY]),
    ['§2.4 long-term request', LONG_TERM_REQUEST, LT_KEY],
  ];
  it.each(cases)('%s', (_name, vector, key) => {
    const original = decodeMessage(vector);
    const miEnd = findAttribute(original, Attr.MESSAGE_INTEGRITY)!.offset + 24;
    const hasFingerprint = findAttribute(original, Attr.FINGERPRINT) !== undefined;
    let decodedCount = 0;
    for (let i = 0; i < vector.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(vector);
        bad[i]! ^= mask;
        const r = decodeOrError(bad);
        if (r instanceof StunDecodeError) continue; // header length, cookie, top bits, attribute lengths
        decodedCount++;
        // Every byte up to the end of MESSAGE-INTEGRITY is covered by the HMAC.
        if (i < miEnd) expect(verifyIntegrity(r, key), `byte ${i} ^ ${mask}`).not.toBe('valid');
        // FINGERPRINT covers everything (a CRC-32 catches every single-bit error).
        if (hasFingerprint) expect(verifyFingerprint(r), `byte ${i} ^ ${mask}`).not.toBe('valid');
      }
    }
    // Most flips still decode (attribute values, transaction ID), so the checks above did run.
    expect(decodedCount).toBeGreaterThan(vector.length);
  });
});

describe('RFC 5769 vectors rebuilt with buildMessage', () => {
  it('§2.4 comes out byte for byte (zero padding, MESSAGE-INTEGRITY from the long-term key)', () => {
    const built = buildMessage({
      method: StunMethod.binding,
      cls: StunClass.request,
      transactionId: hex('78ad3433c6ad72c029da412e'),
      attributes: [
        { type: Attr.USERNAME, bytes: LT_USERNAME },
        { type: Attr.NONCE, bytes: LT_NONCE },
        { type: Attr.REALM, bytes: LT_REALM },
      ],
      integrityKey: LT_KEY,
    });
    expect(built.toString('hex')).toBe(LONG_TERM_REQUEST.toString('hex'));
  });

  // §2.1–§2.3 pad with 0x20 where buildMessage pads with zeros (both are legal, RFC 8489 §14), and the
  // HMAC and CRC cover the padding: so the attributes are compared with padding zeroed, and
  // MESSAGE-INTEGRITY + FINGERPRINT are compared by appending them to the RFC's own bytes.
  const rebuilt: Array<[string, Buffer, () => Buffer]> = [
    [
      '§2.1 request',
      REQUEST,
      () =>
        buildMessage({
          method: StunMethod.binding,
          cls: StunClass.request,
          transactionId: TID,
          attributes: [
            { type: Attr.SOFTWARE, bytes: 'STUN test client' },
            { type: 0x0024, uint32: 0x6e0001ff },
            { type: 0x8029, bytes: hex('932ff9b151263b36') },
            { type: Attr.USERNAME, bytes: 'evtj:h6vY' },
          ],
        }),
    ],
    [
      '§2.2 IPv4 response',
      IPV4_RESPONSE,
      () =>
        buildMessage({
          method: StunMethod.binding,
          cls: StunClass.successResponse,
          transactionId: TID,
          attributes: [
            { type: Attr.SOFTWARE, bytes: 'test vector' },
            { type: Attr.XOR_MAPPED_ADDRESS, address: { address: '192.0.2.1', port: 32853 } },
          ],
        }),
    ],
    [
      '§2.3 IPv6 response',
      IPV6_RESPONSE,
      () =>
        buildMessage({
          method: StunMethod.binding,
          cls: StunClass.successResponse,
          transactionId: TID,
          attributes: [
            { type: Attr.SOFTWARE, bytes: 'test vector' },
            {
              type: Attr.XOR_MAPPED_ADDRESS,
              address: { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 },
            },
          ],
        }),
    ],
  ];

  it.each(rebuilt)('%s: attributes encode like the RFC (padding zeroed)', (_name, vector, build) => {
    const msg = decodeMessage(vector);
    const expected = prefixBefore(msg, Attr.MESSAGE_INTEGRITY);
    for (const a of msg.attributes) {
      const padStart = a.offset + 4 + a.value.length;
      const padEnd = padStart + ((4 - (a.value.length % 4)) % 4);
      if (padEnd <= expected.length) expected.fill(0, padStart, padEnd);
    }
    expect(build().toString('hex')).toBe(expected.toString('hex'));
  });

  it.each(rebuilt)('%s: appendIntegrity + appendFingerprint reproduce the RFC bytes', (_name, vector) => {
    const prefix = prefixBefore(decodeMessage(vector), Attr.MESSAGE_INTEGRITY);
    const out = appendFingerprint(appendIntegrity(prefix, SHORT_TERM_KEY));
    expect(out.toString('hex')).toBe(vector.toString('hex'));
  });

  it('decode → build of the §2.2 XOR-MAPPED-ADDRESS round-trips through the typed getters', () => {
    for (const vector of [IPV4_RESPONSE, IPV6_RESPONSE]) {
      const msg = decodeMessage(vector);
      const addr = getAddress(msg, Attr.XOR_MAPPED_ADDRESS)!;
      const again = decodeMessage(
        buildMessage({
          method: msg.method,
          cls: msg.cls,
          transactionId: msg.transactionId,
          attributes: [{ type: Attr.XOR_MAPPED_ADDRESS, address: addr }],
        }),
      );
      expect(getAddress(again, Attr.XOR_MAPPED_ADDRESS)).toEqual(addr);
      expect(
        findAttribute(again, Attr.XOR_MAPPED_ADDRESS)!.value.equals(
          findAttribute(msg, Attr.XOR_MAPPED_ADDRESS)!.value,
        ),
      ).toBe(true);
    }
  });
});
