import { describe, expect, it } from 'vitest';
import {
  decodeExternalAddressResponse,
  decodeMapUdpResponse,
  decodeNatPmpHeader,
  encodeExternalAddressRequest,
  encodeMapUdpRequest,
} from '../../src/client/port-mapping/nat-pmp-codec.js';
import {
  decodePcpAddress,
  decodePcpResponse,
  encodeMapRequest,
  encodePcpAddress,
  isNatPmpUnsupportedVersion,
} from '../../src/client/port-mapping/pcp-codec.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('NAT-PMP codec (RFC 6886)', () => {
  it('external address request is version 0, opcode 0 (§3.2)', () => {
    expect(encodeExternalAddressRequest()).toEqual(hex('00 00'));
  });

  it('UDP mapping request: version, opcode 1, reserved, internal, external, lifetime (§3.3)', () => {
    expect(encodeMapUdpRequest(5000, 6000, 60)).toEqual(hex('00 01 0000 1388 1770 0000003c'));
  });

  it('delete request: external port 0, lifetime 0 (§3.4)', () => {
    expect(encodeMapUdpRequest(5000, 0, 0)).toEqual(hex('00 01 0000 1388 0000 00000000'));
  });

  it('decodes an external address response (§3.2)', () => {
    expect(decodeExternalAddressResponse(hex('00 80 0000 00001234 cb007101'))).toEqual({
      opcode: 0,
      resultCode: 0,
      epochS: 0x1234,
      externalAddress: '203.0.113.1',
    });
  });

  it('decodes a Network Failure answer (result 3, as miniupnpd sends with a reserved WAN address)', () => {
    expect(decodeExternalAddressResponse(hex('00 80 0003 0000dd92 00000000'))?.resultCode).toBe(3);
  });

  it('decodes a UDP mapping response (§3.3)', () => {
    expect(decodeMapUdpResponse(hex('00 81 0000 00000010 1388 1771 0000003c'))).toEqual({
      opcode: 1,
      resultCode: 0,
      epochS: 16,
      internalPort: 5000,
      externalPort: 6001,
      lifetimeS: 60,
    });
  });

  it('rejects what is not a response: a request, another version, too short, another opcode', () => {
    expect(decodeNatPmpHeader(hex('00 01 0000 00000000'))).toBeNull();
    expect(decodeNatPmpHeader(hex('02 81 0000 00000000'))).toBeNull();
    expect(decodeNatPmpHeader(hex('00 80'))).toBeNull();
    expect(decodeExternalAddressResponse(hex('00 81 0000 00000010 1388 1771 0000003c'))).toBeNull();
    expect(decodeMapUdpResponse(hex('00 80 0000 00001234 cb007101'))).toBeNull();
  });
});

describe('PCP codec (RFC 6887)', () => {
  const nonce = hex('0102030405060708090a0b0c');

  it('IPv4 addresses travel as IPv4-mapped IPv6 (§5)', () => {
    expect(encodePcpAddress('100.64.0.2')).toEqual(hex('00000000000000000000ffff 64400002'));
    expect(decodePcpAddress(hex('00000000000000000000ffff cb007101'))).toBe('203.0.113.1');
    expect(decodePcpAddress(hex('20010db8000000000000000000000001'))).toBe('2001:db8:0:0:0:0:0:1');
    expect(() => encodePcpAddress('2001:db8::1')).toThrow(TypeError);
  });

  it('MAP request: 24-byte header (version 2, opcode 1, lifetime, client IP) + 36-byte MAP payload', () => {
    const b = encodeMapRequest({
      nonce,
      clientIp: '100.64.0.2',
      internalPort: 5000,
      externalPort: 5000,
      lifetimeS: 60,
    });
    expect(b).toEqual(
      hex(
        // version 2, R=0 opcode 1, reserved, lifetime 60, client IP ::ffff:100.64.0.2
        '02 01 0000 0000003c 00000000000000000000ffff64400002' +
          // nonce, protocol 17, reserved, internal port, suggested external port, suggested IP ::ffff:0.0.0.0
          '0102030405060708090a0b0c 11 000000 1388 1388 00000000000000000000ffff00000000',
      ),
    );
  });

  it('a delete is the same MAP with lifetime 0 (§15)', () => {
    const b = encodeMapRequest({
      nonce,
      clientIp: '100.64.0.2',
      internalPort: 5000,
      externalPort: 5000,
      lifetimeS: 0,
    });
    expect(b.readUInt32BE(4)).toBe(0);
    expect(() =>
      encodeMapRequest({
        nonce: nonce.subarray(1),
        clientIp: '1.2.3.4',
        internalPort: 1,
        externalPort: 1,
        lifetimeS: 0,
      }),
    ).toThrow(RangeError);
  });

  it('decodes a MAP response with the assigned external address (§7.2, §11.1)', () => {
    const response = hex(
      '02 81 00 00 0000003c 00000123 000000000000000000000000' +
        '0102030405060708090a0b0c 11 000000 1388 1389 00000000000000000000ffffcb007101',
    );
    expect(decodePcpResponse(response)).toEqual({
      opcode: 1,
      resultCode: 0,
      lifetimeS: 60,
      epochS: 0x123,
      map: { nonce, protocol: 17, internalPort: 5000, externalPort: 5001, externalAddress: '203.0.113.1' },
    });
  });

  it('decodes an error response without payload, and rejects requests and NAT-PMP packets', () => {
    const error = hex('02 81 00 08 0000001e 00000123 000000000000000000000000');
    expect(decodePcpResponse(error)).toMatchObject({ opcode: 1, resultCode: 8, lifetimeS: 30, map: null });
    expect(decodePcpResponse(hex('02 01 00 00 0000003c 00000000 000000000000000000000000'))).toBeNull();
    expect(decodePcpResponse(hex('00 81 0001 00000000'))).toBeNull();
  });

  it('recognises a NAT-PMP-only gateway answering version 2 with UNSUPP_VERSION (§9)', () => {
    expect(isNatPmpUnsupportedVersion(hex('00 81 0001 00000000'))).toBe(true);
    expect(isNatPmpUnsupportedVersion(hex('00 81 0000 00000000'))).toBe(false);
    expect(isNatPmpUnsupportedVersion(hex('02 81 00 01 00000000'))).toBe(false);
  });
});
