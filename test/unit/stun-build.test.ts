/**
 * ice-doctor's own STUN encoder (RFC 8489 §5, §14): one buffer written in place, zero padding even in
 * reused pool memory, MESSAGE-INTEGRITY and FINGERPRINT over the final bytes, and a TypeError for anything
 * it cannot encode.
 */
import { describe, expect, it } from 'vitest';
import { type AttributeSpec, buildMessage, MAX_ATTRIBUTES_BYTES } from '../../src/wire/build.js';
import { plainAddressValue } from '../../src/wire/classic.js';
import { Attr, HEADER_BYTES, StunClass, StunMethod } from '../../src/wire/constants.js';
import { shortTermKey, verifyFingerprint, verifyIntegrity } from '../../src/wire/integrity.js';
import { decodeMessage, getAddress, getErrorCode, getString } from '../../src/wire/message.js';

const TID = Buffer.from('0102030405060708090a0b0c', 'hex');

function build(attributes: AttributeSpec[], extra: { key?: Buffer; fingerprint?: boolean } = {}): Buffer {
  return buildMessage({
    method: StunMethod.allocate,
    cls: StunClass.errorResponse,
    transactionId: TID,
    attributes,
    ...(extra.key && { integrityKey: extra.key }),
    fingerprint: extra.fingerprint ?? false,
  });
}

describe('buildMessage', () => {
  it('writes zero padding even when the buffer pool holds other bytes', () => {
    for (let i = 0; i < 200; i++) Buffer.allocUnsafe(64).fill(0xff);
    const buf = build([
      { type: Attr.SOFTWARE, bytes: 'x' },
      { type: Attr.ERROR_CODE, error: { code: 401, reason: 'Unauthenticated' } },
      { type: 0x8030, raw: Buffer.from([1, 2]) },
    ]);
    expect(buf.subarray(HEADER_BYTES, HEADER_BYTES + 8).toString('hex')).toBe('8022000178000000');
    expect(buf.subarray(-8).toString('hex')).toBe('8030000201020000');
    expect(buf.readUInt16BE(2)).toBe(buf.length - HEADER_BYTES);
  });

  it('sets the header length for MESSAGE-INTEGRITY, then FINGERPRINT, over the final bytes', () => {
    const key = shortTermKey('pass');
    const buf = build([{ type: Attr.USERNAME, bytes: 'user' }], { key, fingerprint: true });
    expect(buf.readUInt16BE(2)).toBe(8 + 24 + 8);
    const msg = decodeMessage(buf);
    expect(verifyIntegrity(msg, key)).toBe('valid');
    expect(verifyFingerprint(msg)).toBe('valid');
    expect(getString(msg, Attr.USERNAME)).toBe('user');
  });

  it('encodes multi-byte UTF-8 text by its byte length', () => {
    const reason = 'Caf\u00e9 \u30DE';
    const msg = decodeMessage(build([{ type: Attr.ERROR_CODE, error: { code: 438, reason } }]));
    expect(getErrorCode(msg)).toEqual({ code: 438, reason });
  });

  it('XORs addresses by type and writes the others plain', () => {
    const a = { address: '2001:db8::5', port: 5000 };
    const msg = decodeMessage(
      build([
        { type: Attr.XOR_RELAYED_ADDRESS, address: a },
        { type: Attr.ALTERNATE_SERVER, address: a },
      ]),
    );
    expect(getAddress(msg, Attr.XOR_RELAYED_ADDRESS)).toEqual({ ...a, family: 'IPv6' });
    expect(getAddress(msg, Attr.ALTERNATE_SERVER)).toEqual({ ...a, family: 'IPv6' });
    expect(msg.attributes[1]!.value.subarray(4).toString('hex')).toBe('20010db8000000000000000000000005');
    expect(plainAddressValue({ address: '192.0.2.1', port: 3478 }).toString('hex')).toBe('00010d96c0000201');
  });

  it.each<[string, AttributeSpec[]]>([
    ['a 32-bit value out of range', [{ type: Attr.LIFETIME, uint32: 2 ** 32 }]],
    ['a negative 32-bit value', [{ type: Attr.LIFETIME, uint32: -1 }]],
    ['a fractional 32-bit value', [{ type: Attr.LIFETIME, uint32: 1.5 }]],
    ['an error code below 300', [{ type: Attr.ERROR_CODE, error: { code: 299, reason: '' } }]],
    ['an error code above 699', [{ type: Attr.ERROR_CODE, error: { code: 700, reason: '' } }]],
    [
      'a reason of 128 characters',
      [{ type: Attr.ERROR_CODE, error: { code: 400, reason: 'r'.repeat(128) } }],
    ],
    ['an IPv6 zone', [{ type: Attr.XOR_PEER_ADDRESS, address: { address: 'fe80::1%eth0', port: 1 } }]],
    [
      'a typed attribute twice',
      [
        { type: Attr.SOFTWARE, bytes: 'a' },
        { type: Attr.SOFTWARE, bytes: 'b' },
      ],
    ],
    ['a value over 65,535 bytes', [{ type: Attr.DATA, bytes: Buffer.alloc(65_536) }]],
    [
      'attributes over the 16-bit header length',
      [
        { type: Attr.DATA, bytes: Buffer.alloc(40_000) },
        { type: 0x8030, raw: Buffer.alloc(40_000) },
      ],
    ],
  ])('throws a TypeError for %s', (_what, attributes) => {
    expect(() => build(attributes)).toThrow(TypeError);
  });

  it('encodes up to MAX_ATTRIBUTES_BYTES of attributes', () => {
    const buf = build([{ type: 0x8030, raw: Buffer.alloc(MAX_ATTRIBUTES_BYTES - 4) }]);
    expect(buf.length).toBe(HEADER_BYTES + MAX_ATTRIBUTES_BYTES);
    expect(buf.readUInt16BE(2)).toBe(MAX_ATTRIBUTES_BYTES);
  });
});
