/**
 * Which attribute values the decoder accepts, and what the getters read from them (RFC 8489 §14): the
 * rules ice-doctor's decoder applied through the @msimerson/stun codec, kept when it was replaced by reading
 * values lazily from the raw attributes (checked then against the codec on 350,000 random messages).
 */

import { describe, expect, it } from 'vitest';
import { ResponsePort } from '../../src/wire/attributes/response-port.js';
import { Attr, HEADER_BYTES, MAGIC_COOKIE } from '../../src/wire/constants.js';
import { StunDecodeError } from '../../src/wire/errors.js';
import { decodeMessage, getAddress, getErrorCode, getUint32 } from '../../src/wire/message.js';

const TID = Buffer.from('0102030405060708090a0b0c', 'hex');

/** A Binding success response carrying `attrs` (type, value), each padded to 4 bytes. */
function message(...attrs: [number, Buffer][]): Buffer {
  const parts = attrs.map(([type, value]) => {
    const out = Buffer.alloc(4 + value.length + ((4 - (value.length % 4)) % 4));
    out.writeUInt16BE(type, 0);
    out.writeUInt16BE(value.length, 2);
    value.copy(out, 4);
    return out;
  });
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt16BE(0x0101, 0);
  head.writeUInt32BE(MAGIC_COOKIE, 4);
  TID.copy(head, 8);
  const buf = Buffer.concat([head, ...parts]);
  buf.writeUInt16BE(buf.length - HEADER_BYTES, 2);
  return buf;
}

/** An address value: zero byte, family, port, then `rest` (address bytes, maybe more or fewer). */
function addressValue(family: number, port: number, rest: number[]): Buffer {
  return Buffer.from([0, family, port >> 8, port & 0xff, ...rest]);
}

function accepts(buf: Buffer): boolean {
  try {
    decodeMessage(buf);
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(StunDecodeError);
    expect((err as StunDecodeError).code).toBe('bad-attribute');
    return false;
  }
}

const V4 = [192, 0, 2, 1];
const V6 = [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1];

describe('plain address attributes (MAPPED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS, ALTERNATE-SERVER)', () => {
  const types = [Attr.MAPPED_ADDRESS, Attr.RESPONSE_ORIGIN, Attr.OTHER_ADDRESS, Attr.ALTERNATE_SERVER];

  it.each(types)('0x%s: IPv4 needs 8 bytes, IPv6 (any family but 1) 20; extra bytes are ignored', (type) => {
    expect(accepts(message([type, addressValue(1, 3478, V4.slice(0, 3))]))).toBe(false);
    expect(accepts(message([type, addressValue(2, 3478, V6.slice(0, 15))]))).toBe(false);
    expect(accepts(message([type, Buffer.from([0, 1, 0])]))).toBe(false);
    const long = decodeMessage(message([type, addressValue(1, 3478, [...V4, 9, 9, 9, 9])]));
    expect(getAddress(long, type)).toEqual({ address: '192.0.2.1', port: 3478, family: 'IPv4' });
    const v6 = decodeMessage(message([type, addressValue(3, 3479, V6)]));
    expect(getAddress(v6, type)).toEqual({ address: '2001:db8::1', port: 3479, family: 'IPv6' });
  });

  it.each(types)('0x%s: port 0 makes the message malformed', (type) => {
    expect(accepts(message([type, addressValue(1, 0, V4)]))).toBe(false);
  });

  it('prints IPv6 as RFC 5952 text without a dotted part (IPv4-mapped included)', () => {
    const mapped = [...Array<number>(10).fill(0), 0xff, 0xff, 1, 2, 3, 4];
    const m = decodeMessage(message([Attr.MAPPED_ADDRESS, addressValue(2, 1, mapped)]));
    expect(getAddress(m, Attr.MAPPED_ADDRESS)?.address).toBe('::ffff:102:304');
    const zeros = [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
    const z = decodeMessage(message([Attr.OTHER_ADDRESS, addressValue(2, 1, zeros)]));
    expect(getAddress(z, Attr.OTHER_ADDRESS)?.address).toBe('1:0:0:1::1');
  });
});

describe('XOR address attributes (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS)', () => {
  const types = [Attr.XOR_MAPPED_ADDRESS, Attr.XOR_PEER_ADDRESS, Attr.XOR_RELAYED_ADDRESS];
  const xorV4 = V4.map((b, i) => b ^ ((MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff));

  it.each(types)('0x%s: the first must be IPv4 (8+ bytes) or exactly 20 bytes of family 2', (type) => {
    expect(accepts(message([type, addressValue(2, 1, V6)]))).toBe(true);
    expect(accepts(message([type, addressValue(2, 1, [...V6, 0, 0, 0, 0])]))).toBe(false);
    expect(accepts(message([type, addressValue(3, 1, V6)]))).toBe(false);
    expect(accepts(message([type, addressValue(1, 1, xorV4.slice(0, 3))]))).toBe(false);
    const long = decodeMessage(message([type, addressValue(1, 3478 ^ 0x2112, [...xorV4, 7, 7, 7, 7])]));
    expect(getAddress(long, type)).toEqual({ address: '192.0.2.1', port: 3478, family: 'IPv4' });
  });

  it.each(types)('0x%s: a later one of the same type is only checked for length', (type) => {
    const first = addressValue(1, 1, xorV4);
    expect(accepts(message([type, first], [type, addressValue(3, 1, V6)]))).toBe(true);
    expect(accepts(message([type, first], [type, addressValue(3, 1, V6.slice(0, 12))]))).toBe(false);
  });

  it('an XOR port of 0 is read as port 0, not refused', () => {
    const m = decodeMessage(message([Attr.XOR_MAPPED_ADDRESS, addressValue(1, 0x2112, xorV4)]));
    expect(getAddress(m, Attr.XOR_MAPPED_ADDRESS)?.port).toBe(0);
  });
});

describe('fixed-size values', () => {
  it.each([
    Attr.FINGERPRINT,
    Attr.CHANNEL_NUMBER,
    Attr.LIFETIME,
    Attr.REQUESTED_TRANSPORT,
    Attr.CHANGE_REQUEST,
    0x0024,
    0xff00,
    0xc001,
    0xc057,
  ])('32-bit 0x%s: 3 bytes are malformed, 4 or more read the first 4', (type) => {
    expect(accepts(message([type, Buffer.alloc(3)]))).toBe(false);
    const m = decodeMessage(message([type, Buffer.from([0, 0, 1, 2, 3])]));
    expect(getUint32(m, type)).toBe(0x0102);
  });

  it('ERROR-CODE and PASSWORD-ALGORITHM need 4 bytes, RESPONSE-PORT 2, UNKNOWN-ATTRIBUTES an even count', () => {
    expect(accepts(message([Attr.ERROR_CODE, Buffer.alloc(3)]))).toBe(false);
    expect(getErrorCode(decodeMessage(message([Attr.ERROR_CODE, Buffer.from([0, 0, 4, 1])])))?.code).toBe(
      401,
    );
    expect(accepts(message([Attr.PASSWORD_ALGORITHM, Buffer.alloc(3)]))).toBe(false);
    expect(accepts(message([Attr.PASSWORD_ALGORITHM, Buffer.alloc(4)]))).toBe(true);
    expect(accepts(message([Attr.RESPONSE_PORT, Buffer.alloc(1)]))).toBe(false);
    expect(ResponsePort.decode(decodeMessage(message([Attr.RESPONSE_PORT, Buffer.from([0x0d, 0x96])])))).toBe(
      3478,
    );
    expect(accepts(message([Attr.UNKNOWN_ATTRIBUTES, Buffer.alloc(3)]))).toBe(false);
    expect(accepts(message([Attr.UNKNOWN_ATTRIBUTES, Buffer.alloc(0)]))).toBe(true);
  });

  it.each([Attr.USERNAME, Attr.PASSWORD_ALGORITHMS, Attr.DATA, 0x0002, 0x7fff, 0x8030, 0xffff])(
    '0x%s takes a value of any length',
    (type) => {
      for (const n of [0, 1, 3, 7]) expect(accepts(message([type, Buffer.alloc(n, 0xee)]))).toBe(true);
    },
  );
});

describe('getAddress on other types', () => {
  it('is undefined for a type that is not an address, and for an absent one', () => {
    const m = decodeMessage(message([Attr.USERNAME, Buffer.from('alice')]));
    expect(getAddress(m, Attr.USERNAME)).toBeUndefined();
    expect(getAddress(m, Attr.XOR_MAPPED_ADDRESS)).toBeUndefined();
  });
});
