/**
 * Data indications (RFC 8656 §11.4) at their size limit: the largest data that fits in the 16-bit,
 * 4-aligned message length for each peer family is encoded whole (the decoder refuses messages over
 * 65,535 bytes in all, so the attributes are read here by offset); one byte more is a RangeError,
 * which the relay avoids by dropping such datagrams (UDP over IPv6 can carry up to 65,527 bytes).
 */
import { describe, expect, it } from 'vitest';
import { Attr } from '../../src/wire/constants.js';
import { encodeDataIndication, MAX_DATA_INDICATION_BYTES } from '../../src/wire/data-indication.js';

describe('Data indication size limit', () => {
  for (const [family, peer] of [
    ['IPv4', { address: '198.51.100.7', port: 5000 }],
    ['IPv6', { address: '2001:db8::7', port: 5000 }],
  ] as const) {
    it(`${family}: ${MAX_DATA_INDICATION_BYTES[family]} bytes fit, one more does not`, () => {
      const data = Buffer.alloc(MAX_DATA_INDICATION_BYTES[family], 0xab);
      const out = encodeDataIndication(peer, data);
      const dataAt = 20 + 4 + (family === 'IPv4' ? 8 : 20);
      expect(out.readUInt16BE(2)).toBe(out.length - 20);
      expect(out.readUInt16BE(2)).toBeLessThanOrEqual(65_532);
      expect(out.readUInt16BE(20)).toBe(Attr.XOR_PEER_ADDRESS);
      expect(out.readUInt16BE(dataAt)).toBe(Attr.DATA);
      expect(out.readUInt16BE(dataAt + 2)).toBe(data.length);
      expect(out.subarray(dataAt + 4, dataAt + 4 + data.length).equals(data)).toBe(true);
      expect(() => encodeDataIndication(peer, Buffer.alloc(data.length + 1))).toThrow(RangeError);
    });
  }

  it('an IPv4 UDP payload (at most 65,507 bytes) always fits; an IPv6 one (65,527) may not', () => {
    expect(MAX_DATA_INDICATION_BYTES.IPv4).toBeGreaterThanOrEqual(65_507);
    expect(MAX_DATA_INDICATION_BYTES.IPv6).toBeLessThan(65_527);
  });
});
