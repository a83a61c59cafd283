/**
 * Unit tests of src/wire/attributes/: each codec's encode → buildMessage → decodeMessage → decode round trip,
 * the bytes it puts on the wire, and the malformed values its decoder (or `hasWrongLength`, where a TURN
 * server answers them 400) refuses.
 */
import { describe, expect, it } from 'vitest';
import {
  AlternateServer,
  ChangedAddress,
  MappedAddress,
  OtherAddress,
  ResponseOrigin,
  SourceAddress,
  XorMappedAddress,
  XorRelayedAddress,
} from '../../src/wire/attributes/addresses.js';
import { ChangeRequest } from '../../src/wire/attributes/change-request.js';
import { ChannelNumber } from '../../src/wire/attributes/channel-number.js';
import { hasWrongLength } from '../../src/wire/attributes/codec.js';
import { Data } from '../../src/wire/attributes/data.js';
import { ErrorCode } from '../../src/wire/attributes/error-code.js';
import { EvenPort } from '../../src/wire/attributes/even-port.js';
import { Lifetime } from '../../src/wire/attributes/lifetime.js';
import { Padding } from '../../src/wire/attributes/padding.js';
import {
  PasswordAlgorithm,
  PasswordAlgorithmNumber,
  PasswordAlgorithms,
} from '../../src/wire/attributes/password-algorithms.js';
import { RequestedAddressFamily } from '../../src/wire/attributes/requested-address-family.js';
import { RequestedTransport, UDP_PROTOCOL } from '../../src/wire/attributes/requested-transport.js';
import { ReservationToken } from '../../src/wire/attributes/reservation-token.js';
import { ResponsePort } from '../../src/wire/attributes/response-port.js';
import { Nonce, Realm, Software, Username } from '../../src/wire/attributes/texts.js';
import { UnknownAttributes } from '../../src/wire/attributes/unknown-attributes.js';
import { peerAddresses, XorPeerAddress } from '../../src/wire/attributes/xor-peer-address.js';
import { type AttributeSpec, buildMessage } from '../../src/wire/build.js';
import { StunClass, StunMethod } from '../../src/wire/constants.js';
import { StunDecodeError } from '../../src/wire/errors.js';
import { decodeMessage, findAttribute, type StunMessage } from '../../src/wire/message.js';

const TID = Buffer.from('0102030405060708090a0b0c', 'hex');

/** A request carrying `attributes`, encoded and decoded again. */
function carried(...attributes: AttributeSpec[]): StunMessage {
  return decodeMessage(
    buildMessage({ method: StunMethod.allocate, cls: StunClass.request, transactionId: TID, attributes }),
  );
}

/** A request with one attribute of `type` whose value is `hex`, as a peer could send it. */
function withValue(type: number, hex: string): StunMessage {
  return carried({ type, raw: Buffer.from(hex, 'hex') });
}

/** The value bytes of the first attribute of `type`, in hex. */
function valueHex(msg: StunMessage, type: number): string | undefined {
  return findAttribute(msg, type)?.value.toString('hex');
}

const EMPTY = carried();

describe('LIFETIME (RFC 8656 §18.2)', () => {
  it('round-trips seconds as a 32-bit number', () => {
    for (const s of [0, 600, 3600, 0xffffffff]) expect(Lifetime.decode(carried(Lifetime.encode(s)))).toBe(s);
    expect(valueHex(carried(Lifetime.encode(600)), Lifetime.type)).toBe('00000258');
    expect(Lifetime.decode(EMPTY)).toBeUndefined();
  });

  it('flags a value longer than 4 bytes (read from its first 4) and cannot encode a non-32-bit number', () => {
    const long = withValue(Lifetime.type, '0000025800000000');
    expect(Lifetime.decode(long)).toBe(600);
    expect(hasWrongLength(long, Lifetime)).toBe(true);
    expect(hasWrongLength(carried(Lifetime.encode(600)), Lifetime)).toBe(false);
    expect(hasWrongLength(EMPTY, Lifetime)).toBe(false);
    expect(() => carried(Lifetime.encode(-1))).toThrow(TypeError);
    expect(() => carried(Lifetime.encode(2 ** 32))).toThrow(TypeError);
  });

  it('a value shorter than 4 bytes never reaches the decoder: the message is malformed', () => {
    expect(() => withValue(Lifetime.type, '000258')).toThrow(StunDecodeError);
  });
});

describe('REQUESTED-TRANSPORT (RFC 8656 §18.8)', () => {
  it('round-trips the protocol number in the first byte', () => {
    const msg = carried(RequestedTransport.encode(UDP_PROTOCOL));
    expect(valueHex(msg, RequestedTransport.type)).toBe('11000000');
    expect(RequestedTransport.decode(msg)).toBe(17);
    expect(RequestedTransport.decode(carried(RequestedTransport.encode(6)))).toBe(6);
    expect(RequestedTransport.decode(EMPTY)).toBeUndefined();
  });

  it('refuses protocol numbers outside 0–255 and flags a value of another length than 4', () => {
    expect(() => RequestedTransport.encode(256)).toThrow(TypeError);
    expect(() => RequestedTransport.encode(-1)).toThrow(TypeError);
    expect(() => RequestedTransport.encode(1.5)).toThrow(TypeError);
    expect(hasWrongLength(withValue(RequestedTransport.type, '1100000000'), RequestedTransport)).toBe(true);
  });
});

describe('REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6)', () => {
  it('round-trips IPv4 (0x01) and IPv6 (0x02) in the first byte', () => {
    const v4 = carried(RequestedAddressFamily.encode('IPv4'));
    const v6 = carried(RequestedAddressFamily.encode('IPv6'));
    expect(valueHex(v4, RequestedAddressFamily.type)).toBe('01000000');
    expect(valueHex(v6, RequestedAddressFamily.type)).toBe('02000000');
    expect(RequestedAddressFamily.decode(v4)).toBe('IPv4');
    expect(RequestedAddressFamily.decode(v6)).toBe('IPv6');
    expect(RequestedAddressFamily.decode(EMPTY)).toBeUndefined();
  });

  it('decodes an unknown family byte or an empty value as null, and flags another length than 4', () => {
    expect(RequestedAddressFamily.decode(withValue(RequestedAddressFamily.type, '03000000'))).toBeNull();
    expect(RequestedAddressFamily.decode(withValue(RequestedAddressFamily.type, ''))).toBeNull();
    const short = withValue(RequestedAddressFamily.type, '01');
    expect(RequestedAddressFamily.decode(short)).toBe('IPv4');
    expect(hasWrongLength(short, RequestedAddressFamily)).toBe(true);
  });
});

describe('CHANNEL-NUMBER (RFC 8656 §18.1)', () => {
  it('round-trips the number in the top 16 bits', () => {
    const msg = carried(ChannelNumber.encode(0x4000));
    expect(valueHex(msg, ChannelNumber.type)).toBe('40000000');
    expect(ChannelNumber.decode(msg)).toBe(0x4000);
    expect(ChannelNumber.decode(carried(ChannelNumber.encode(0x7fff)))).toBe(0x7fff);
    expect(ChannelNumber.decode(EMPTY)).toBeUndefined();
  });

  it('refuses numbers outside 16 bits and flags a value of another length than 4', () => {
    expect(() => ChannelNumber.encode(0x10000)).toThrow(TypeError);
    expect(() => ChannelNumber.encode(-1)).toThrow(TypeError);
    expect(hasWrongLength(withValue(ChannelNumber.type, '4000000000000000'), ChannelNumber)).toBe(true);
    expect(() => withValue(ChannelNumber.type, '4000')).toThrow(StunDecodeError);
  });
});

describe('EVEN-PORT (RFC 8656 §18.7)', () => {
  it('round-trips the R bit in a 1-byte value', () => {
    const r = carried(EvenPort.encode(true));
    expect(valueHex(r, EvenPort.type)).toBe('80');
    expect(EvenPort.decode(r)).toBe(true);
    expect(EvenPort.decode(carried(EvenPort.encode(false)))).toBe(false);
    expect(EvenPort.decode(EMPTY)).toBeUndefined();
  });

  it('flags an empty or longer value; an empty one decodes as R = 0', () => {
    const empty = withValue(EvenPort.type, '');
    expect(EvenPort.decode(empty)).toBe(false);
    expect(hasWrongLength(empty, EvenPort)).toBe(true);
    expect(hasWrongLength(withValue(EvenPort.type, '8000'), EvenPort)).toBe(true);
    expect(hasWrongLength(carried(EvenPort.encode(true)), EvenPort)).toBe(false);
  });
});

describe('RESERVATION-TOKEN (RFC 8656 §18.10)', () => {
  it('round-trips 8 opaque bytes', () => {
    const token = Buffer.from('0011223344556677', 'hex');
    expect(ReservationToken.decode(carried(ReservationToken.encode(token)))).toEqual(token);
    expect(ReservationToken.decode(EMPTY)).toBeUndefined();
  });

  it('flags a token that is not 8 bytes', () => {
    expect(hasWrongLength(withValue(ReservationToken.type, '00112233445566'), ReservationToken)).toBe(true);
    expect(hasWrongLength(withValue(ReservationToken.type, '001122334455667788'), ReservationToken)).toBe(
      true,
    );
  });
});

describe('address attributes (RFC 8489 §14.1–14.2, §14.15; RFC 5780 §7.3–7.4; RFC 8656 §18.3, §18.5)', () => {
  const v4 = { address: '192.0.2.1', port: 3478 };
  const v6 = { address: '2001:db8::1', port: 49152 };
  const codecs = {
    MappedAddress,
    XorMappedAddress,
    XorRelayedAddress,
    XorPeerAddress,
    ResponseOrigin,
    OtherAddress,
    AlternateServer,
    SourceAddress,
    ChangedAddress,
  };

  for (const [name, codec] of Object.entries(codecs)) {
    it(`${name} round-trips IPv4 and IPv6, and cannot encode a host name or a port past 65535`, () => {
      expect(codec.decode(carried(codec.encode(v4)))).toEqual({ ...v4, family: 'IPv4' });
      expect(codec.decode(carried(codec.encode(v6)))).toEqual({ ...v6, family: 'IPv6' });
      expect(codec.decode(EMPTY)).toBeUndefined();
      expect(() => carried(codec.encode({ address: 'example.com', port: 1 }))).toThrow(TypeError);
      expect(() => carried(codec.encode({ address: '192.0.2.1', port: 65536 }))).toThrow(TypeError);
    });
  }

  it('XORs the XOR-* types with the magic cookie and writes the others plain', () => {
    expect(valueHex(carried(MappedAddress.encode(v4)), MappedAddress.type)).toBe('00010d96c0000201');
    expect(valueHex(carried(SourceAddress.encode(v4)), SourceAddress.type)).toBe('00010d96c0000201');
    expect(valueHex(carried(XorMappedAddress.encode(v4)), XorMappedAddress.type)).toBe('00012c84e112a643');
    expect(valueHex(carried(XorPeerAddress.encode(v4)), XorPeerAddress.type)).toBe('00012c84e112a643');
  });

  it('refuses a plain address with port 0 and a first XOR address of an unknown family', () => {
    expect(() => withValue(MappedAddress.type, '00010000c0000201')).toThrow(StunDecodeError);
    expect(() => withValue(XorPeerAddress.type, `0003${'00'.repeat(18)}`)).toThrow(StunDecodeError);
  });

  /** The XORed value of `a` in a message with transaction ID {@link TID}, to repeat it raw. */
  const xorValue = (a: typeof v4): Buffer =>
    Buffer.from(findAttribute(carried(XorPeerAddress.encode(a)), XorPeerAddress.type)!.value);

  it('peerAddresses reads every XOR-PEER-ADDRESS in order', () => {
    const msg = carried(XorPeerAddress.encode(v4), { type: XorPeerAddress.type, raw: xorValue(v6) });
    expect(peerAddresses(msg)).toEqual([
      { ...v4, family: 'IPv4' },
      { ...v6, family: 'IPv6' },
    ]);
    expect(XorPeerAddress.decode(msg)).toEqual({ ...v4, family: 'IPv4' });
    expect(peerAddresses(EMPTY)).toEqual([]);
  });

  it('peerAddresses refuses the list when any XOR-PEER-ADDRESS is not exactly 8 (IPv4) or 20 (IPv6) bytes', () => {
    const unknownFamily = Buffer.concat([Buffer.from('0003', 'hex'), Buffer.alloc(18)]);
    expect(
      peerAddresses(carried(XorPeerAddress.encode(v4), { type: XorPeerAddress.type, raw: unknownFamily })),
    ).toBeNull();
    const longV4 = Buffer.concat([xorValue(v4), Buffer.alloc(4)]);
    const lenient = carried({ type: XorPeerAddress.type, raw: longV4 });
    expect(peerAddresses(lenient)).toBeNull();
    expect(XorPeerAddress.decode(lenient)).toEqual({ ...v4, family: 'IPv4' });
  });
});

describe('USERNAME, REALM, NONCE, SOFTWARE (RFC 8489 §14.3, §14.9, §14.10, §14.14)', () => {
  for (const [name, codec] of Object.entries({ Username, Realm, Nonce, Software })) {
    it(`${name} round-trips UTF-8 text`, () => {
      for (const text of ['', 'alice', 'ice-doctor 1.0', 'réalm ☃'])
        expect(codec.decode(carried(codec.encode(text)))).toBe(text);
      expect(valueHex(carried(codec.encode('é')), codec.type)).toBe('c3a9');
      expect(codec.decode(EMPTY)).toBeUndefined();
    });
  }
});

describe('DATA (RFC 8656 §18.4)', () => {
  it('round-trips any bytes, an empty payload included', () => {
    const payload = Buffer.from([0, 1, 2, 0xff, 0x7f]);
    expect(Data.decode(carried(Data.encode(payload)))).toEqual(payload);
    expect(Data.decode(carried(Data.encode(Buffer.alloc(0))))).toEqual(Buffer.alloc(0));
    expect(Data.decode(EMPTY)).toBeUndefined();
  });
});

describe('ERROR-CODE (RFC 8489 §14.8)', () => {
  it('round-trips a code with its standard reason phrase', () => {
    expect(ErrorCode.decode(carried(ErrorCode.encode(438)))).toEqual({ code: 438, reason: 'Stale Nonce' });
    expect(ErrorCode.decode(carried(ErrorCode.encode(401)))).toEqual({
      code: 401,
      reason: 'Unauthenticated',
    });
    expect(valueHex(carried(ErrorCode.encode(420)), ErrorCode.type)).toBe(
      `00000414${Buffer.from('Unknown Attribute').toString('hex')}`,
    );
    expect(ErrorCode.decode(EMPTY)).toBeUndefined();
  });

  it('refuses a code without a reason phrase, and a value shorter than 4 bytes makes the message malformed', () => {
    expect(() => ErrorCode.encode(499)).toThrow(TypeError);
    expect(() => withValue(ErrorCode.type, '000004')).toThrow(StunDecodeError);
  });
});

describe('UNKNOWN-ATTRIBUTES (RFC 8489 §14.13)', () => {
  it('round-trips a list of 16-bit types', () => {
    const msg = carried(UnknownAttributes.encode([0x0003, 0x001a, 0x7fff]));
    expect(valueHex(msg, UnknownAttributes.type)).toBe('0003001a7fff');
    expect(UnknownAttributes.decode(msg)).toEqual([0x0003, 0x001a, 0x7fff]);
    expect(UnknownAttributes.decode(carried(UnknownAttributes.encode([])))).toEqual([]);
    expect(UnknownAttributes.decode(EMPTY)).toBeUndefined();
  });

  it('an odd value length makes the message malformed', () => {
    expect(() => withValue(UnknownAttributes.type, '000300')).toThrow(StunDecodeError);
  });
});

describe('CHANGE-REQUEST (RFC 5780 §7.2)', () => {
  it('round-trips the change-IP (0x04) and change-port (0x02) flags', () => {
    for (const ip of [false, true])
      for (const port of [false, true])
        expect(ChangeRequest.decode(carried(ChangeRequest.encode({ ip, port })))).toEqual({ ip, port });
    expect(valueHex(carried(ChangeRequest.encode({ ip: true, port: true })), ChangeRequest.type)).toBe(
      '00000006',
    );
    expect(ChangeRequest.decode(EMPTY)).toBeUndefined();
  });

  it('ignores the other bits, and a value shorter than 4 bytes makes the message malformed', () => {
    expect(ChangeRequest.decode(withValue(ChangeRequest.type, 'fffffff9'))).toEqual({
      ip: false,
      port: false,
    });
    expect(ChangeRequest.decode(withValue(ChangeRequest.type, '000000ff'))).toEqual({ ip: true, port: true });
    expect(() => withValue(ChangeRequest.type, '0006')).toThrow(StunDecodeError);
  });
});

describe('RESPONSE-PORT (RFC 5780 §7.5)', () => {
  it('round-trips the port followed by 2 bytes of padding inside the value', () => {
    const msg = carried(ResponsePort.encode(3478));
    expect(valueHex(msg, ResponsePort.type)).toBe('0d960000');
    expect(ResponsePort.decode(msg)).toBe(3478);
    expect(ResponsePort.decode(carried(ResponsePort.encode(65535)))).toBe(65535);
    expect(ResponsePort.decode(EMPTY)).toBeUndefined();
  });

  it('flags a 2-byte value, refuses a port past 65535, and a 1-byte value makes the message malformed', () => {
    const short = withValue(ResponsePort.type, '0d96');
    expect(ResponsePort.decode(short)).toBe(3478);
    expect(hasWrongLength(short, ResponsePort)).toBe(true);
    expect(() => ResponsePort.encode(65536)).toThrow(RangeError);
    expect(() => withValue(ResponsePort.type, '0d')).toThrow(StunDecodeError);
  });
});

describe('PADDING (RFC 5780 §7.6)', () => {
  it('round-trips a number of zero bytes', () => {
    const msg = carried(Padding.encode(10));
    expect(valueHex(msg, Padding.type)).toBe('00'.repeat(10));
    expect(Padding.decode(msg)).toBe(10);
    expect(Padding.decode(carried(Padding.encode(0)))).toBe(0);
    expect(Padding.decode(EMPTY)).toBeUndefined();
  });
});

describe('PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM (RFC 8489 §14.11–14.12)', () => {
  const offered = [PasswordAlgorithmNumber.sha256, PasswordAlgorithmNumber.md5];

  it('round-trip the algorithm numbers, each with an empty parameters field', () => {
    const msg = carried(
      PasswordAlgorithm.encode(PasswordAlgorithmNumber.sha256),
      PasswordAlgorithms.encode(offered),
    );
    expect(valueHex(msg, PasswordAlgorithms.type)).toBe('0002000000010000');
    expect(valueHex(msg, PasswordAlgorithm.type)).toBe('00020000');
    expect(PasswordAlgorithms.decode(msg)).toEqual([2, 1]);
    expect(PasswordAlgorithm.decode(msg)).toBe(2);
    expect(PasswordAlgorithms.decode(EMPTY)).toBeUndefined();
    expect(PasswordAlgorithm.decode(EMPTY)).toBeUndefined();
  });

  it('PASSWORD-ALGORITHMS with parameters or a partial entry decodes as null', () => {
    expect(
      PasswordAlgorithms.decode(withValue(PasswordAlgorithms.type, '000200040000000000010000')),
    ).toBeNull();
    expect(PasswordAlgorithms.decode(withValue(PasswordAlgorithms.type, '000200000001'))).toBeNull();
    expect(PasswordAlgorithms.decode(withValue(PasswordAlgorithms.type, ''))).toEqual([]);
  });

  it('a PASSWORD-ALGORITHM shorter than 4 bytes makes the message malformed', () => {
    expect(() => withValue(PasswordAlgorithm.type, '0002')).toThrow(StunDecodeError);
  });
});
