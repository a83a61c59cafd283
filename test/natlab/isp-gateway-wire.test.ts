import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeNatPmpMapRequest,
  decodePcpRequest,
  encodeNatPmpExternalAddress,
  encodeNatPmpMapResponse,
  encodeNatPmpUnsupportedOpcode,
  encodePcpResponse,
} from '../../lab/isp-gateway-wire.js';
import {
  decodeExternalAddressResponse,
  decodeMapUdpResponse,
  decodeNatPmpHeader,
  encodeMapUdpRequest,
} from '../../src/client/port-mapping/nat-pmp-codec.js';
import { decodePcpResponse, encodeMapRequest } from '../../src/client/port-mapping/pcp-codec.js';

// The stand-in ISP gateway's wire format (lab/isp-gateway-wire.ts) against ice-doctor's client codec: what
// the client sends decodes on the server side, and what the server answers decodes on the client side.
describe('isp-gateway wire (NAT-PMP RFC 6886, PCP RFC 6887)', () => {
  it('NAT-PMP: a map request decodes; the responses decode with the client codec', () => {
    expect(decodeNatPmpMapRequest(encodeMapUdpRequest(40_000, 40_001, 60))).toEqual({
      protocol: 17,
      internalPort: 40_000,
      externalPort: 40_001,
      lifetimeS: 60,
    });
    expect(decodeNatPmpMapRequest(Buffer.from([0, 0]))).toBeNull();
    expect(decodeExternalAddressResponse(encodeNatPmpExternalAddress(0, 7, '100.64.100.2'))).toEqual({
      opcode: 0,
      resultCode: 0,
      epochS: 7,
      externalAddress: '100.64.100.2',
    });
    const map = encodeNatPmpMapResponse(1, 0, 9, {
      internalPort: 40_000,
      externalPort: 40_002,
      lifetimeS: 60,
    });
    expect(decodeMapUdpResponse(map)).toEqual({
      opcode: 1,
      resultCode: 0,
      epochS: 9,
      internalPort: 40_000,
      externalPort: 40_002,
      lifetimeS: 60,
    });
    expect(decodeNatPmpHeader(encodeNatPmpUnsupportedOpcode(3, 1))).toEqual({
      opcode: 3,
      resultCode: 5,
      epochS: 1,
    });
  });

  it('PCP: a MAP request decodes; the response echoes the nonce with the assigned port and address', () => {
    const nonce = randomBytes(12);
    const wire = encodeMapRequest({
      nonce,
      clientIp: '100.64.0.2',
      internalPort: 40_000,
      externalPort: 40_000,
      lifetimeS: 60,
    });
    const req = decodePcpRequest(wire);
    expect(req).toMatchObject({ version: 2, opcode: 1, lifetimeS: 60, clientIp: '100.64.0.2' });
    expect(req?.map).toEqual({ nonce, protocol: 17, internalPort: 40_000, externalPort: 40_000 });
    const res = decodePcpResponse(
      encodePcpResponse(req!, 0, 60, 5, { externalPort: 40_003, externalAddress: '100.64.100.2' }),
    );
    expect(res).toEqual({
      opcode: 1,
      resultCode: 0,
      lifetimeS: 60,
      epochS: 5,
      map: {
        nonce,
        protocol: 17,
        internalPort: 40_000,
        externalPort: 40_003,
        externalAddress: '100.64.100.2',
      },
    });
    expect(decodePcpRequest(wire.subarray(0, 22))).toBeNull();
    expect(decodePcpRequest(Buffer.concat([wire, Buffer.alloc(2)]))).toBeNull();
  });
});
