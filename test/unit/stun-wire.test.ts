/**
 * Unit tests of the STUN wire layer (src/stun): message types (RFC 8489 §5), RFC 5780 attributes, ERROR-CODE,
 * UNKNOWN-ATTRIBUTES, XOR addresses, MESSAGE-INTEGRITY(-SHA256), FINGERPRINT, long-term keys, transaction IDs,
 * decoder rejections and stream framing.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChangeRequest } from '../../src/wire/attributes/change-request.js';
import { ResponsePort } from '../../src/wire/attributes/response-port.js';
import { buildMessage } from '../../src/wire/build.js';
import {
  Attr,
  ChangeFlag,
  classOf,
  HEADER_BYTES,
  isComprehensionRequired,
  MAGIC_COOKIE,
  messageType,
  methodOf,
  StunClass,
  StunMethod,
} from '../../src/wire/constants.js';
import { StunDecodeError } from '../../src/wire/errors.js';
import { StreamFramer } from '../../src/wire/framing.js';
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
  getErrorCode,
  getUint32,
  getUnknownAttributes,
  looksLikeStun,
  type StunMessage,
} from '../../src/wire/message.js';
import { newTransactionId } from '../../src/wire/transaction-id.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const TID = hex('0102030405060708090a0b0c');
const CLASSES = [StunClass.request, StunClass.indication, StunClass.successResponse, StunClass.errorResponse];

/** The bytes of the first attribute of `type` as on the wire: header, value and padding. */
function wireAttribute(msg: StunMessage, type: number): string {
  const a = findAttribute(msg, type);
  if (!a) throw new Error(`no attribute 0x${type.toString(16)}`);
  const end = a.offset + 4 + a.value.length + ((4 - (a.value.length % 4)) % 4);
  return msg.raw.subarray(a.offset, end).toString('hex');
}

function expectDecodeError(buf: Buffer, code: string): void {
  let thrown: unknown;
  try {
    decodeMessage(buf);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(StunDecodeError);
  expect((thrown as StunDecodeError).code).toBe(code);
}

describe('message type (RFC 8489 §5, figure 3)', () => {
  it('round-trips every 12-bit method and 2-bit class, with the two top bits 0', () => {
    const seen = new Set<number>();
    for (let method = 0; method < 0x1000; method++) {
      for (const cls of CLASSES) {
        const t = messageType(method, cls);
        expect(t & 0xc000).toBe(0);
        expect(methodOf(t)).toBe(method);
        expect(classOf(t)).toBe(cls);
        seen.add(t);
      }
    }
    expect(seen.size).toBe(0x4000); // a bijection onto the 14-bit types
  });

  it('gives the known values', () => {
    expect(messageType(StunMethod.binding, StunClass.request)).toBe(0x0001);
    expect(messageType(StunMethod.binding, StunClass.indication)).toBe(0x0011);
    expect(messageType(StunMethod.binding, StunClass.successResponse)).toBe(0x0101);
    expect(messageType(StunMethod.binding, StunClass.errorResponse)).toBe(0x0111);
    expect(messageType(StunMethod.allocate, StunClass.request)).toBe(0x0003);
    expect(messageType(StunMethod.allocate, StunClass.errorResponse)).toBe(0x0113);
    expect(messageType(StunMethod.refresh, StunClass.request)).toBe(0x0004);
    expect(messageType(StunMethod.send, StunClass.indication)).toBe(0x0016);
    expect(messageType(StunMethod.data, StunClass.indication)).toBe(0x0017);
    expect(messageType(StunMethod.createPermission, StunClass.successResponse)).toBe(0x0108);
    expect(messageType(StunMethod.channelBind, StunClass.successResponse)).toBe(0x0109);
    // M11..M0 = 0xfff, C = 0b11: every bit but the two top ones.
    expect(messageType(0xfff, StunClass.errorResponse)).toBe(0x3fff);
    expect(methodOf(0x0109)).toBe(StunMethod.channelBind);
    expect(classOf(0x0109)).toBe(StunClass.successResponse);
    expect(methodOf(0x0017)).toBe(StunMethod.data);
    expect(classOf(0x0017)).toBe(StunClass.indication);
  });

  it('puts the class bits at positions 4 and 8', () => {
    expect(messageType(0, StunClass.indication)).toBe(0x0010);
    expect(messageType(0, StunClass.successResponse)).toBe(0x0100);
    expect(messageType(0x010, StunClass.request)).toBe(0x0020); // M4 skips C0
    expect(messageType(0x080, StunClass.request)).toBe(0x0200); // M7 skips C1
  });

  it('tells comprehension-required from optional attributes (RFC 8489 §14)', () => {
    expect(isComprehensionRequired(0x0000)).toBe(true);
    expect(isComprehensionRequired(0x7fff)).toBe(true);
    expect(isComprehensionRequired(0x8000)).toBe(false);
    expect(isComprehensionRequired(Attr.FINGERPRINT)).toBe(false);
  });
});

describe('RFC 5780 attributes', () => {
  it('CHANGE-REQUEST carries the flags in the low bits of a 32-bit value (§7.2)', () => {
    const flags = (ip: boolean, port: boolean) => ChangeRequest.encode({ ip, port });
    expect(flags(false, false)).toEqual({ type: Attr.CHANGE_REQUEST, uint32: 0 });
    expect(flags(true, false)).toEqual({ type: Attr.CHANGE_REQUEST, uint32: ChangeFlag.ip });
    expect(flags(false, true)).toEqual({ type: Attr.CHANGE_REQUEST, uint32: ChangeFlag.port });
    expect(flags(true, true)).toEqual({ type: Attr.CHANGE_REQUEST, uint32: 0x06 });
    const buf = buildMessage({
      method: StunMethod.binding,
      cls: StunClass.request,
      transactionId: TID,
      attributes: [flags(true, true)],
    });
    const msg = decodeMessage(buf);
    expect(wireAttribute(msg, Attr.CHANGE_REQUEST)).toBe('0003000400000006');
    expect(getUint32(msg, Attr.CHANGE_REQUEST)).toBe(6);
    expect(buf.readUInt16BE(2)).toBe(8);
  });

  it('RESPONSE-PORT is 4 bytes on the wire: the port then 2 bytes of padding inside the value (§7.5)', () => {
    expect(ResponsePort.encode(3478)).toEqual({
      type: Attr.RESPONSE_PORT,
      raw: Buffer.from('0d960000', 'hex'),
    });
    const buf = buildMessage({
      method: StunMethod.binding,
      cls: StunClass.request,
      transactionId: TID,
      attributes: [{ type: Attr.CHANGE_REQUEST, uint32: 0 }, ResponsePort.encode(3478)],
    });
    const msg = decodeMessage(buf);
    expect(wireAttribute(msg, Attr.RESPONSE_PORT)).toBe('002700040d960000');
    expect(findAttribute(msg, Attr.RESPONSE_PORT)?.value.length).toBe(4);
    expect(ResponsePort.decode(msg)).toBe(3478);
    expect(buf.length).toBe(HEADER_BYTES + 8 + 8);
    expect(buf.readUInt16BE(2)).toBe(16);
    expect(
      ResponsePort.decode(
        decodeMessage(
          buildMessage({
            method: 1,
            cls: 0,
            transactionId: TID,
            attributes: [ResponsePort.encode(65535)],
          }),
        ),
      ),
    ).toBe(65535);
  });

  it('rejects typed attributes after raw ones', () => {
    expect(() =>
      buildMessage({
        method: 1,
        cls: 0,
        transactionId: TID,
        attributes: [ResponsePort.encode(1), { type: Attr.CHANGE_REQUEST, uint32: 0 }],
      }),
    ).toThrow(TypeError);
    expect(() => buildMessage({ method: 1, cls: 0, transactionId: Buffer.alloc(11) })).toThrow(TypeError);
  });

  // Regression (the former @msimerson/stun codec): it kept port 0 for an out-of-range port (a silently
  // wrong message) and threw a plain Error ("Invalid ip address: null") for a bad IP; buildMessage checks both.
  it.each([
    ['1.2.3.4', 70000],
    ['1.2.3.4', -1],
    ['1.2.3.4', 1.5],
    ['not-an-ip', 3478],
    ['2001:db8::12345', 3478],
  ])('rejects address %s port %s with a TypeError', (address, port) => {
    for (const type of [Attr.XOR_MAPPED_ADDRESS, Attr.MAPPED_ADDRESS]) {
      expect(() =>
        buildMessage({
          method: 1,
          cls: 2,
          transactionId: TID,
          attributes: [{ type, address: { address, port } }],
        }),
      ).toThrow(TypeError);
    }
  });
});

describe('ERROR-CODE (RFC 8489 §14.8) and UNKNOWN-ATTRIBUTES (§14.9)', () => {
  it('encodes class and number and decodes them back', () => {
    const buf = buildMessage({
      method: StunMethod.allocate,
      cls: StunClass.errorResponse,
      transactionId: TID,
      attributes: [{ type: Attr.ERROR_CODE, error: { code: 438, reason: 'Stale Nonce' } }],
    });
    const msg = decodeMessage(buf);
    expect(msg.type).toBe(0x0113);
    // 2 reserved bytes, class 4, number 38, "Stale Nonce" (11 bytes) and 1 byte of padding.
    expect(wireAttribute(msg, Attr.ERROR_CODE)).toBe(
      `0009000f00000426${Buffer.from('Stale Nonce').toString('hex')}00`,
    );
    expect(getErrorCode(msg)).toEqual({ code: 438, reason: 'Stale Nonce' });
  });

  it('decodes hand-written ERROR-CODE bytes, ignoring the reserved bits above the class', () => {
    const body = hex(`0009 0015 0000 0414 ${Buffer.from('Unknown Attribute').toString('hex')} 000000`);
    const buf = Buffer.concat([hex('0111 001c 2112a442'), TID, body]);
    expect(getErrorCode(decodeMessage(buf))).toEqual({ code: 420, reason: 'Unknown Attribute' });
    const reserved = Buffer.concat([hex('0111 0008 2112a442'), TID, hex('0009 0004 ffff fc01')]);
    expect(getErrorCode(decodeMessage(reserved))).toEqual({ code: 401, reason: '' });
    const short = Buffer.concat([hex('0111 0004 2112a442'), TID, hex('0009 0000')]);
    // The decoder refuses an ERROR-CODE shorter than its 4 fixed bytes, so the whole message is rejected.
    expectDecodeError(short, 'bad-attribute');
  });

  it('UNKNOWN-ATTRIBUTES lists 16-bit types (odd count padded)', () => {
    const buf = buildMessage({
      method: StunMethod.binding,
      cls: StunClass.errorResponse,
      transactionId: TID,
      attributes: [
        { type: Attr.ERROR_CODE, error: { code: 420, reason: 'Unknown Attribute' } },
        { type: Attr.UNKNOWN_ATTRIBUTES, raw: hex('0026 7777 0099') },
      ],
    });
    const msg = decodeMessage(buf);
    expect(wireAttribute(msg, Attr.UNKNOWN_ATTRIBUTES)).toBe('000a0006002677770099' + '0000');
    expect(getUnknownAttributes(msg)).toEqual([0x0026, 0x7777, 0x0099]);
    expect(getErrorCode(msg)?.code).toBe(420);
    expect(
      getUnknownAttributes(decodeMessage(buildMessage({ method: 1, cls: 2, transactionId: TID }))),
    ).toEqual([]);
  });
});

describe('XOR address attributes (RFC 8489 §14.2, RFC 8656 §14.3, §14.5)', () => {
  it('IPv4: XORs port with 0x2112 and address with the cookie', () => {
    const msg = decodeMessage(
      buildMessage({
        method: StunMethod.binding,
        cls: StunClass.successResponse,
        transactionId: TID,
        attributes: [{ type: Attr.XOR_MAPPED_ADDRESS, address: { address: '203.0.113.7', port: 54321 } }],
      }),
    );
    const port = (54321 ^ 0x2112).toString(16).padStart(4, '0');
    const addr = ((0xcb007107 ^ MAGIC_COOKIE) >>> 0).toString(16).padStart(8, '0');
    expect(wireAttribute(msg, Attr.XOR_MAPPED_ADDRESS)).toBe(`002000080001${port}${addr}`);
    expect(getAddress(msg, Attr.XOR_MAPPED_ADDRESS)).toEqual({
      address: '203.0.113.7',
      port: 54321,
      family: 'IPv4',
    });
  });

  // Regression for the former codec's IPv6 un-XOR with a zero transaction ID (see stun-rfc5769.test.ts §2.3).
  it.each([Attr.XOR_MAPPED_ADDRESS, Attr.XOR_PEER_ADDRESS, Attr.XOR_RELAYED_ADDRESS])(
    'IPv6 0x%s: XORs the address with cookie + transaction ID, both ways',
    (type) => {
      for (let i = 0; i < 50; i++) {
        const tid = newTransactionId();
        const address =
          i === 0 ? '::1' : `2001:db8:${i.toString(16)}::${((i * 7919) & 0xffff).toString(16)}:1`;
        const port = 1 + ((i * 4099) % 65535);
        const msg = decodeMessage(
          buildMessage({
            method: StunMethod.allocate,
            cls: StunClass.successResponse,
            transactionId: tid,
            attributes: [{ type, address: { address, port } }],
          }),
        );
        const value = findAttribute(msg, type)!.value;
        const key = Buffer.concat([hex('2112a442'), tid]);
        const plain = Buffer.from(value.subarray(4, 20).map((b, j) => b ^ key[j]!));
        expect(value.readUInt16BE(0)).toBe(0x0002);
        expect(value.readUInt16BE(2) ^ 0x2112).toBe(port);
        expect(plain.toString('hex')).toBe(ipv6Bytes(address).toString('hex'));
        expect(getAddress(msg, type)).toEqual({ address, port, family: 'IPv6' });
      }
    },
  );

  it('plain MAPPED-ADDRESS and OTHER-ADDRESS are not XORed', () => {
    const msg = decodeMessage(
      buildMessage({
        method: StunMethod.binding,
        cls: StunClass.successResponse,
        transactionId: TID,
        attributes: [
          { type: Attr.MAPPED_ADDRESS, address: { address: '192.0.2.1', port: 3478 } },
          { type: Attr.OTHER_ADDRESS, address: { address: '2001:db8::2', port: 3479 } },
        ],
      }),
    );
    expect(wireAttribute(msg, Attr.MAPPED_ADDRESS)).toBe('0001000800010d96c0000201');
    expect(getAddress(msg, Attr.OTHER_ADDRESS)).toEqual({
      address: '2001:db8::2',
      port: 3479,
      family: 'IPv6',
    });
  });
});

/** Bitwise CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), independent of node:zlib. */
function crc32Ref(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** 16 bytes of an IPv6 literal (no `::ffff:a.b.c.d` forms), written without the code under test. */
function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

describe('MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6)', () => {
  // RFC 8489 Appendix B.1 as corrected in its errata (the request with USERHASH, NONCE, REALM and
  // PASSWORD-ALGORITHM SHA-256): HMAC-SHA256 under SHA-256("マトリックス:example.org:TheMatrIX").
  const user = '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9';
  const b1Key = longTermKey(user, 'example.org', 'TheMatrIX', 'sha256');
  const b1 = buildMessage({
    method: StunMethod.binding,
    cls: StunClass.request,
    transactionId: hex('78ad3433c6ad72c029da412e'),
    attributes: [
      { type: Attr.USERHASH, bytes: hex('4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704') },
      { type: Attr.NONCE, bytes: 'obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA' },
      { type: Attr.REALM, bytes: 'example.org' },
      { type: Attr.PASSWORD_ALGORITHM, raw: hex('00020000') },
    ],
    integrityKey: b1Key,
    integrityAlgorithm: 'sha256',
  });

  it('appendIntegrity(sha256) gives the known HMAC of RFC 8489 B.1 (corrected)', () => {
    expect(b1.length).toBe(164);
    expect(b1.readUInt16BE(2)).toBe(0x90);
    expect(b1.subarray(-36).toString('hex')).toBe(
      '001c0020b5c7bf005b6c52a21c51c5e892f81924136296cb927c43149309278cc6518e65',
    );
    const msg = decodeMessage(b1);
    expect(verifyIntegrity(msg, b1Key, 'sha256')).toBe('valid');
    expect(verifyIntegrity(msg, b1Key, 'sha1')).toBe('absent');
    expect(verifyIntegrity(msg, longTermKey(user, 'example.org', 'TheMatrIX', 'md5'), 'sha256')).toBe(
      'invalid',
    );
  });

  /** A message whose MESSAGE-INTEGRITY-SHA256 is the HMAC truncated to `n` bytes, header length per §14.6. */
  function truncated(n: number, key: Buffer): Buffer {
    const head = buildMessage({
      method: 1,
      cls: 0,
      transactionId: TID,
      attributes: [{ type: Attr.USERNAME, bytes: 'alice' }],
    });
    const pad = (4 - (n % 4)) % 4;
    const lengthed = Buffer.from(head);
    lengthed.writeUInt16BE(head.length - HEADER_BYTES + 4 + n + pad, 2);
    const mac = createHmac('sha256', key).update(lengthed).digest().subarray(0, n);
    const attr = Buffer.alloc(4 + n + pad);
    attr.writeUInt16BE(Attr.MESSAGE_INTEGRITY_SHA256, 0);
    attr.writeUInt16BE(n, 2);
    mac.copy(attr, 4);
    return Buffer.concat([lengthed, attr]);
  }

  it.each([16, 20, 24, 28, 32])('a value truncated to %i bytes verifies', (n) => {
    const key = shortTermKey('secret');
    const msg = decodeMessage(truncated(n, key));
    expect(findAttribute(msg, Attr.MESSAGE_INTEGRITY_SHA256)?.value.length).toBe(n);
    expect(verifyIntegrity(msg, key, 'sha256')).toBe('valid');
    expect(verifyIntegrity(msg, shortTermKey('Secret'), 'sha256')).toBe('invalid');
  });

  // Regression: 17–31 bytes that are not a multiple of 4 used to verify; §14.6 says MUST be a multiple of 4.
  it.each([4, 12, 15, 17, 18, 19, 30])(
    'a value of %i bytes is invalid even with the right HMAC prefix',
    (n) => {
      const key = shortTermKey('secret');
      expect(verifyIntegrity(decodeMessage(truncated(n, key)), key, 'sha256')).toBe('invalid');
    },
  );

  it('a 33-byte value is invalid', () => {
    const key = shortTermKey('secret');
    const base = appendIntegrity(buildMessage({ method: 1, cls: 0, transactionId: TID }), key, 'sha256');
    const extra = Buffer.concat([
      base.subarray(0, HEADER_BYTES),
      hex('001c0021'),
      base.subarray(HEADER_BYTES + 4),
      hex('00000000'),
    ]);
    extra.writeUInt16BE(extra.length - HEADER_BYTES, 2);
    expect(verifyIntegrity(decodeMessage(extra), key, 'sha256')).toBe('invalid');
  });
});

describe('MESSAGE-INTEGRITY (SHA-1) and FINGERPRINT', () => {
  const key = shortTermKey('pass');
  const base = buildMessage({
    method: 1,
    cls: 0,
    transactionId: TID,
    attributes: [{ type: Attr.USERNAME, bytes: 'u:v' }],
  });

  it('appendIntegrity fixes the header length and the HMAC covers the header as sent', () => {
    const withMi = appendIntegrity(base, key);
    expect(withMi.length).toBe(base.length + 24);
    expect(withMi.readUInt16BE(2)).toBe(withMi.length - HEADER_BYTES);
    const head = Buffer.from(withMi.subarray(0, base.length));
    expect(createHmac('sha1', key).update(head).digest().equals(withMi.subarray(-20))).toBe(true);
    expect(verifyIntegrity(decodeMessage(withMi), key)).toBe('valid');
    expect(verifyIntegrity(decodeMessage(base), key)).toBe('absent');
  });

  it('integrity still verifies after FINGERPRINT is appended (its length is excluded, §14.5)', () => {
    const msg = decodeMessage(appendFingerprint(appendIntegrity(base, key)));
    expect(verifyIntegrity(msg, key)).toBe('valid');
    expect(verifyFingerprint(msg)).toBe('valid');
    const fp = findAttribute(msg, Attr.FINGERPRINT)!;
    expect(fp.offset + 8).toBe(msg.raw.length);
  });

  it('FINGERPRINT is CRC-32 XOR 0x5354554e of the message up to it (checked with a reference CRC-32)', () => {
    expect(crc32Ref(Buffer.from('123456789'))).toBe(0xcbf43926); // the published CRC-32 check value
    const fp = appendFingerprint(buildMessage({ method: 1, cls: 0, transactionId: Buffer.alloc(12) }));
    const head = hex(`0001 0008 2112a442 ${'00'.repeat(12)}`);
    expect(fp.subarray(0, 20).equals(head)).toBe(true);
    expect(fp.subarray(20, 24).toString('hex')).toBe('80280004');
    expect(fp.readUInt32BE(24)).toBe((crc32Ref(head) ^ 0x5354554e) >>> 0);
    expect(verifyFingerprint(decodeMessage(fp))).toBe('valid');
  });

  it('FINGERPRINT must be last: a correct CRC followed by another attribute is invalid', () => {
    // A FINGERPRINT whose CRC is right for the bytes before it as sent (header length counting the
    // SOFTWARE after it), then SOFTWARE: only its position is wrong.
    const trailer = hex('80220004 74657374');
    const head = Buffer.from(base);
    head.writeUInt16BE(base.length - HEADER_BYTES + 8 + trailer.length, 2);
    const fpAttr = hex('80280004 00000000');
    fpAttr.writeUInt32BE((crc32Ref(head) ^ 0x5354554e) >>> 0, 4);
    const msg = decodeMessage(Buffer.concat([head, fpAttr, trailer]));
    expect(findAttribute(msg, Attr.FINGERPRINT)?.value.equals(fpAttr.subarray(4))).toBe(true);
    expect(verifyFingerprint(msg)).toBe('invalid');
    // Control: the same construction with the FINGERPRINT last verifies.
    const last = Buffer.from(base);
    last.writeUInt16BE(base.length - HEADER_BYTES + 8, 2);
    const lastFp = hex('80280004 00000000');
    lastFp.writeUInt32BE((crc32Ref(last) ^ 0x5354554e) >>> 0, 4);
    expect(verifyFingerprint(decodeMessage(Buffer.concat([last, lastFp])))).toBe('valid');
    // Two FINGERPRINTs: the first one is not last.
    const twice = appendFingerprint(appendFingerprint(base));
    expect(verifyFingerprint(decodeMessage(twice))).toBe('invalid');
  });

  it('a FINGERPRINT with a wrong CRC or a wrong length is invalid', () => {
    const good = appendFingerprint(base);
    const bad = Buffer.from(good);
    bad[bad.length - 1]! ^= 1;
    expect(verifyFingerprint(decodeMessage(bad))).toBe('invalid');
    const long = Buffer.concat([base, hex('80280008 0000000000000000')]);
    long.writeUInt16BE(long.length - HEADER_BYTES, 2);
    expect(verifyFingerprint(decodeMessage(long))).toBe('invalid');
  });

  it('a MESSAGE-INTEGRITY of the wrong length is invalid, not a throw', () => {
    const short = Buffer.concat([base, hex('00080010'), Buffer.alloc(16)]);
    short.writeUInt16BE(short.length - HEADER_BYTES, 2);
    expect(verifyIntegrity(decodeMessage(short), key)).toBe('invalid');
  });
});

describe('longTermKey (RFC 8489 §9.2.2)', () => {
  // Expected digests computed with `openssl dgst -md5` / `-sha256` over the same UTF-8 string; the MD5 one is
  // also what verifies RFC 5769 §2.4, the SHA-256 one what gives RFC 8489 B.1's HMAC above.
  const user = '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9';
  it('MD5 is 16 bytes', () => {
    const k = longTermKey(user, 'example.org', 'TheMatrIX');
    expect(k.length).toBe(16);
    expect(k.toString('hex')).toBe('e8ca7ad59d5eb0518e312911d2dab2a9');
    expect(longTermKey(user, 'example.org', 'TheMatrIX', 'md5').equals(k)).toBe(true);
  });
  it('SHA-256 is 32 bytes', () => {
    const k = longTermKey(user, 'example.org', 'TheMatrIX', 'sha256');
    expect(k.length).toBe(32);
    expect(k.toString('hex')).toBe('dd295a613b9058c3c23d6dc7165bda072304d989c9d0af3a8c7e184b4f9bb4a1');
  });
  it('ASCII: MD5("user:realm:pass")', () => {
    // `printf 'user:realm:pass' | openssl dgst -md5`
    expect(longTermKey('user', 'realm', 'pass').toString('hex')).toBe('8493fbc53ba582fb4c044c456bdc40eb');
  });
});

describe('newTransactionId', () => {
  it('returns 12-byte, distinct, independent buffers (10,000 across many pool refills)', () => {
    const seen = new Set<string>();
    let first: Buffer | undefined;
    for (let i = 0; i < 10_000; i++) {
      const id = newTransactionId();
      expect(id.length).toBe(12);
      first ??= Buffer.from(id);
      seen.add(id.toString('hex'));
      id.fill(0); // a caller scribbling on its ID must not change later ones
    }
    expect(seen.size).toBe(10_000);
    expect(seen.has('00'.repeat(12))).toBe(false);
    expect(first!.equals(Buffer.alloc(12))).toBe(false);
  });
});

describe('decodeMessage rejects malformed input with a StunDecodeError code', () => {
  const ok = buildMessage({
    method: 1,
    cls: 0,
    transactionId: TID,
    attributes: [{ type: Attr.SOFTWARE, bytes: 'x' }],
  });

  it('decodes the well-formed base message', () => {
    const msg = decodeMessage(ok);
    expect(msg.attributes).toEqual([{ type: Attr.SOFTWARE, offset: 20, value: Buffer.from('x') }]);
    expect(msg.raw).toBe(ok);
    expect(looksLikeStun(ok)).toBe(true);
  });

  it('short-header, not-stun, no-cookie, bad-length, attribute-overrun', () => {
    expectDecodeError(ok.subarray(0, 19), 'short-header');
    expectDecodeError(Buffer.alloc(0), 'short-header');
    const top = Buffer.from(ok);
    top[0] = 0x40;
    expectDecodeError(top, 'not-stun');
    expect(looksLikeStun(top)).toBe(false);
    const cookie = Buffer.from(ok);
    cookie[4] = 0;
    expectDecodeError(cookie, 'no-cookie');
    const odd = Buffer.from(ok);
    odd.writeUInt16BE(6, 2);
    expectDecodeError(odd, 'bad-length');
    expectDecodeError(Buffer.concat([ok, Buffer.alloc(4)]), 'bad-length');
    const overrun = Buffer.from(ok);
    overrun.writeUInt16BE(5, 22); // SOFTWARE length 5 → 4 + 5 + 3 padding > 8
    expectDecodeError(overrun, 'attribute-overrun');
    const padOverrun = Buffer.concat([hex('0001 0008 2112a442'), TID, hex('8022 0005 7878787878')]);
    padOverrun.writeUInt16BE(padOverrun.length - HEADER_BYTES, 2); // 9 bytes: not a multiple of 4
    expectDecodeError(padOverrun, 'bad-length');
  });

  // The decoder refuses any buffer over 65,535 bytes, so the largest messages the 16-bit length allows
  // (65,532 + 20 bytes, reachable over TCP) are rejected as bad-attribute rather than decoded.
  it('decodes up to 65,535 bytes in total; longer messages are rejected (decoder limit)', () => {
    const withData = (n: number): Buffer =>
      buildMessage({
        method: 1,
        cls: 1,
        transactionId: TID,
        attributes: [{ type: 0x8030, raw: Buffer.alloc(n, 7) }],
      });
    const largest = withData(65_511 - 3); // 20 + 4 + 65,508 = 65,532
    expect(largest.length).toBe(65_532);
    expect(decodeMessage(largest).attributes[0]?.value.length).toBe(65_508);
    expectDecodeError(withData(65_512), 'bad-attribute'); // 65,536 bytes
  });

  it('an attribute value the decoder refuses is bad-attribute (MAPPED-ADDRESS port 0)', () => {
    const buf = Buffer.concat([hex('0101 000c 2112a442'), TID, hex('0001 0008 0001 0000 c0000201')]);
    expectDecodeError(buf, 'bad-attribute');
  });
});

describe('StreamFramer (RFC 8489 §6.2.2, RFC 8656 §12.5)', () => {
  it('cuts STUN messages and padded ChannelData out of one byte stream, byte by byte', () => {
    const stun = buildMessage({
      method: 1,
      cls: 0,
      transactionId: TID,
      attributes: [{ type: Attr.SOFTWARE, bytes: 'abc' }],
    });
    const cd = hex('4001 0005 6869686968 000000'); // channel 0x4001, 5 bytes, 3 bytes of TCP padding
    const cd0 = hex('4fff 0000');
    const stream = Buffer.concat([stun, cd, cd0, stun]);
    const framer = new StreamFramer();
    const frames = [];
    for (const b of stream) frames.push(...framer.push(Buffer.from([b])));
    expect(frames.map((f) => f.kind)).toEqual(['stun', 'channel-data', 'channel-data', 'stun']);
    expect(frames[0]!.bytes.equals(stun)).toBe(true);
    expect(frames[1]!.bytes.toString('hex')).toBe('400100056869686968');
    expect(frames[2]!.bytes.toString('hex')).toBe('4fff0000');
    expect(framer.bufferedBytes).toBe(0);
  });

  it('holds an incomplete frame and throws on a stream that is neither STUN nor ChannelData', () => {
    const framer = new StreamFramer();
    expect(framer.push(hex('0001 0008 2112'))).toEqual([]);
    expect(framer.bufferedBytes).toBe(6);
    expect(() => new StreamFramer().push(hex('8000 0000'))).toThrow(StunDecodeError);
    expect(() => new StreamFramer().push(Buffer.from('\u00c0abc', 'latin1'))).toThrow(StunDecodeError);
  });
});

describe('StreamFramer channel numbers: RFC 5766 range 0x4000–0x7FFF (coturn and restund clients use it)', () => {
  it.each([0x40, 0x4f, 0x50, 0x7f])('first byte 0x%s is ChannelData, padded to 4 bytes', (first) => {
    const frame = Buffer.from([first, 0xff, 0x00, 0x02, 9, 9, 0, 0]);
    expect(new StreamFramer().push(frame)).toEqual([{ kind: 'channel-data', bytes: frame.subarray(0, 6) }]);
  });

  it.each([0x80, 0xbf, 0xff])('first byte 0x%s closes the stream', (first) => {
    const frame = Buffer.from([first, 0x00, 0x00, 0x04, 1, 2, 3, 4]);
    expect(() => new StreamFramer().push(frame)).toThrow(StunDecodeError);
  });
});
