/**
 * Unit tests of the pure RFC 5780 Binding responder (src/server/stun/binding-responder.ts): no sockets,
 * a decoded request and a 5-tuple in, reply bytes + sending socket role + destination out.
 */

import { describe, expect, it } from 'vitest';
import {
  type BindingConfig,
  MAX_UNPADDED_RESPONSE_BYTES,
  respondToBinding,
} from '../../src/server/stun/binding-responder.js';
import type { InboundContext, InboundRequest } from '../../src/server/stun/handler.js';
import { SOCKET_ROLES, type SocketRole } from '../../src/server/stun/socket-role.js';
import { type TransportAddress, transportAddress } from '../../src/wire/address.js';
import { ChangeRequest } from '../../src/wire/attributes/change-request.js';
import { ResponsePort } from '../../src/wire/attributes/response-port.js';
import { type AttributeSpec, buildMessage } from '../../src/wire/build.js';
import { ClassicAttr, decodeClassicMessage } from '../../src/wire/classic.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { verifyFingerprint } from '../../src/wire/integrity.js';
import {
  decodeMessage,
  findAttribute,
  getAddress,
  getErrorCode,
  getString,
  getUnknownAttributes,
  type StunMessage,
} from '../../src/wire/message.js';

const ADDR: Record<SocketRole, TransportAddress> = {
  'A1:P1': transportAddress('192.0.2.1', 3478),
  'A1:P2': transportAddress('192.0.2.1', 3479),
  'A2:P1': transportAddress('192.0.2.2', 3478),
  'A2:P2': transportAddress('192.0.2.2', 3479),
};
const FULL: BindingConfig = {
  sockets: new Map(Object.entries(ADDR) as [SocketRole, TransportAddress][]),
  software: 'test-sw',
};
const ONE_IP: BindingConfig = {
  sockets: new Map([
    ['A1:P1', ADDR['A1:P1']],
    ['A1:P2', ADDR['A1:P2']],
  ]),
  software: 'test-sw',
};
const CLIENT = transportAddress('198.51.100.7', 40000);
const TID = Buffer.from('00112233445566778899aabb', 'hex');
const OPPOSITE: Record<SocketRole, SocketRole> = {
  'A1:P1': 'A2:P2',
  'A1:P2': 'A2:P1',
  'A2:P1': 'A1:P2',
  'A2:P2': 'A1:P1',
};

function request(attributes: AttributeSpec[] = [], fingerprint = false): InboundRequest {
  const raw = buildMessage({
    method: StunMethod.binding,
    cls: StunClass.request,
    transactionId: TID,
    attributes,
    fingerprint,
  });
  return { message: decodeMessage(raw), dialect: { kind: 'rfc5389' } };
}

const NO_LINK = { key: 'test', send: () => undefined, onClose: () => undefined, keepOpen: () => undefined };

function ctx(
  localRole: SocketRole = 'A1:P1',
  transport: 'udp' | 'tcp' = 'udp',
  remote = CLIENT,
): InboundContext {
  return { transport, localRole, local: ADDR[localRole], remote, link: NO_LINK };
}

const change = (ip: boolean, port: boolean): AttributeSpec => ChangeRequest.encode({ ip, port });

function decoded(bytes: Buffer): StunMessage {
  const msg = decodeMessage(bytes);
  expect(msg.transactionId.equals(TID)).toBe(true);
  return msg;
}

describe('respondToBinding: success response (RFC 5780 §6.1)', () => {
  it('answers from the receiving socket with every RFC 5780 attribute and a valid FINGERPRINT', () => {
    const reply = respondToBinding(request(), ctx(), FULL);
    expect(reply.from).toBe('A1:P1');
    expect(reply.to).toEqual(CLIENT);
    const res = decoded(reply.bytes);
    expect(res.method).toBe(StunMethod.binding);
    expect(res.cls).toBe(StunClass.successResponse);
    expect(getAddress(res, Attr.XOR_MAPPED_ADDRESS)).toEqual(CLIENT);
    expect(getAddress(res, Attr.MAPPED_ADDRESS)).toEqual(CLIENT);
    expect(getAddress(res, Attr.RESPONSE_ORIGIN)).toEqual(ADDR['A1:P1']);
    expect(getAddress(res, Attr.OTHER_ADDRESS)).toEqual(ADDR['A2:P2']);
    expect(getString(res, Attr.SOFTWARE)).toBe('test-sw');
    expect(verifyFingerprint(res)).toBe('valid');
    expect(res.attributes.at(-1)?.type).toBe(Attr.FINGERPRINT);
  });

  it('maps an IPv6 client into XOR-MAPPED-ADDRESS correctly', () => {
    const v6 = transportAddress('2001:db8::7', 50000);
    const res = decoded(respondToBinding(request(), ctx('A1:P1', 'udp', v6), FULL).bytes);
    expect(getAddress(res, Attr.XOR_MAPPED_ADDRESS)).toEqual(v6);
    expect(getAddress(res, Attr.MAPPED_ADDRESS)).toEqual(v6);
  });

  it('leaves out SOFTWARE when it is empty', () => {
    const res = decoded(respondToBinding(request(), ctx(), { ...FULL, software: '' }).bytes);
    expect(findAttribute(res, Attr.SOFTWARE)).toBeUndefined();
  });

  it('understands and ignores authentication attributes (no credentials configured)', () => {
    const reply = respondToBinding(request([{ type: Attr.USERNAME, bytes: 'alice' }]), ctx(), FULL);
    expect(decoded(reply.bytes).cls).toBe(StunClass.successResponse);
  });
});

describe('respondToBinding: CHANGE-REQUEST picks the sending socket (RFC 5780 §6.1 table 1)', () => {
  const cases: [boolean, boolean][] = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];
  for (const received of SOCKET_ROLES) {
    for (const [ip, port] of cases) {
      const expected = (
        {
          'A1:P1': ['A1:P1', 'A2:P1', 'A1:P2', 'A2:P2'],
          'A1:P2': ['A1:P2', 'A2:P2', 'A1:P1', 'A2:P1'],
          'A2:P1': ['A2:P1', 'A1:P1', 'A2:P2', 'A1:P2'],
          'A2:P2': ['A2:P2', 'A1:P2', 'A2:P1', 'A1:P1'],
        } as Record<SocketRole, SocketRole[]>
      )[received][(ip ? 1 : 0) + (port ? 2 : 0)]!;
      it(`received on ${received}, change IP ${ip}, change port ${port} → sent from ${expected}`, () => {
        const reply = respondToBinding(request([change(ip, port)]), ctx(received), FULL);
        expect(reply.from).toBe(expected);
        const res = decoded(reply.bytes);
        expect(getAddress(res, Attr.RESPONSE_ORIGIN)).toEqual(ADDR[expected]);
        expect(getAddress(res, Attr.OTHER_ADDRESS)).toEqual(ADDR[OPPOSITE[received]]);
      });
    }
  }
});

describe('respondToBinding: one IP address (RFC 5780 §6)', () => {
  it('sends no OTHER-ADDRESS', () => {
    const res = decoded(respondToBinding(request(), ctx(), ONE_IP).bytes);
    expect(res.cls).toBe(StunClass.successResponse);
    expect(findAttribute(res, Attr.OTHER_ADDRESS)).toBeUndefined();
  });

  it.each([
    [true, false],
    [true, true],
  ])('answers change-IP (ip %s, port %s) with 420 naming CHANGE-REQUEST', (ip, port) => {
    const reply = respondToBinding(request([change(ip, port)]), ctx(), ONE_IP);
    expect(reply.from).toBe('A1:P1');
    const res = decoded(reply.bytes);
    expect(res.cls).toBe(StunClass.errorResponse);
    expect(getErrorCode(res)?.code).toBe(420);
    expect(getUnknownAttributes(res)).toEqual([Attr.CHANGE_REQUEST]);
  });

  it('honours change-port alone from A1:P2', () => {
    const reply = respondToBinding(request([change(false, true)]), ctx(), ONE_IP);
    expect(reply.from).toBe('A1:P2');
    expect(getAddress(decoded(reply.bytes), Attr.RESPONSE_ORIGIN)).toEqual(ADDR['A1:P2']);
  });
});

describe('respondToBinding: RESPONSE-PORT (RFC 5780 §7.5)', () => {
  it('sends to that port on the client IP, mapping the real source', () => {
    const reply = respondToBinding(request([ResponsePort.encode(41000)]), ctx(), FULL);
    expect(reply.to).toEqual({ ...CLIENT, port: 41000 });
    expect(getAddress(decoded(reply.bytes), Attr.XOR_MAPPED_ADDRESS)).toEqual(CLIENT);
  });

  it('combines with CHANGE-REQUEST', () => {
    const reply = respondToBinding(request([change(true, true), ResponsePort.encode(41000)]), ctx(), FULL);
    expect(reply.from).toBe('A2:P2');
    expect(reply.to.port).toBe(41000);
  });

  it.each([
    ['port 0', [ResponsePort.encode(0)]],
    ['a 2-byte value', [{ type: Attr.RESPONSE_PORT, raw: Buffer.from([0x9c, 0x40]) }]],
    ['PADDING too', [ResponsePort.encode(41000), { type: Attr.PADDING, raw: Buffer.alloc(8) }]],
  ] as [string, AttributeSpec[]][])('answers 400 to RESPONSE-PORT with %s, to the source', (_name, attrs) => {
    const reply = respondToBinding(request(attrs), ctx(), FULL);
    expect(reply.to).toEqual(CLIENT);
    expect(getErrorCode(decoded(reply.bytes))?.code).toBe(400);
  });
});

describe('respondToBinding: PADDING (RFC 5780 §7.6) and the amplification bound', () => {
  it('pads a 1500-byte request’s response to exactly 1500 bytes', () => {
    const req = request([{ type: Attr.PADDING, raw: Buffer.alloc(1500 - 20 - 4 - 8) }], true);
    expect(req.message.raw.length).toBe(1500);
    const reply = respondToBinding(req, ctx(), FULL);
    expect(reply.bytes.length).toBe(1500);
    const res = decoded(reply.bytes);
    expect(findAttribute(res, Attr.PADDING)).toBeDefined();
    expect(verifyFingerprint(res)).toBe('valid');
  });

  it('never pads beyond the request: a small padded request gets an empty PADDING', () => {
    const req = request([{ type: Attr.PADDING, raw: Buffer.alloc(4) }]);
    const reply = respondToBinding(req, ctx(), FULL);
    expect(reply.bytes.length).toBeGreaterThan(req.message.raw.length);
    expect(reply.bytes.length).toBeLessThanOrEqual(MAX_UNPADDED_RESPONSE_BYTES);
    expect(findAttribute(decoded(reply.bytes), Attr.PADDING)?.value.length).toBe(0);
  });

  it('keeps the worst case (IPv6, 128-byte SOFTWARE, all attributes) under the stated bound', () => {
    const v6 = (a: string, port: number) => transportAddress(a, port);
    const sockets = new Map<SocketRole, TransportAddress>([
      ['A1:P1', v6('2001:db8::1', 3478)],
      ['A1:P2', v6('2001:db8::1', 3479)],
      ['A2:P1', v6('2001:db8::2', 3478)],
      ['A2:P2', v6('2001:db8::2', 3479)],
    ]);
    const config = { sockets, software: 'x'.repeat(128) };
    const c: InboundContext = {
      transport: 'udp',
      localRole: 'A1:P1',
      local: sockets.get('A1:P1')!,
      remote: v6('2001:db8::99', 1),
      link: NO_LINK,
    };
    const padded = respondToBinding(request([{ type: Attr.PADDING, raw: Buffer.alloc(0) }]), c, config);
    expect(padded.bytes.length).toBe(260);
    expect(padded.bytes.length).toBeLessThanOrEqual(MAX_UNPADDED_RESPONSE_BYTES);
  });
});

describe('respondToBinding: unknown attributes (RFC 8489 §6.3.1)', () => {
  it('answers 420 listing unknown comprehension-required attributes, each once', () => {
    const reply = respondToBinding(
      request([
        { type: 0x7777, raw: Buffer.from('a') },
        { type: 0x0024, raw: Buffer.alloc(4) },
        { type: 0x7777, raw: Buffer.from('b') },
      ]),
      ctx(),
      FULL,
    );
    const res = decoded(reply.bytes);
    expect(getErrorCode(res)).toEqual({ code: 420, reason: 'Unknown Attribute' });
    expect(getUnknownAttributes(res)).toEqual([0x7777, 0x0024]);
    expect(verifyFingerprint(res)).toBe('valid');
  });

  it('lists at most 16 of them', () => {
    const attrs = Array.from({ length: 40 }, (_, i) => ({ type: 0x7000 + i, raw: Buffer.alloc(0) }));
    expect(getUnknownAttributes(decoded(respondToBinding(request(attrs), ctx(), FULL).bytes))).toHaveLength(
      16,
    );
  });

  it('ignores unknown comprehension-optional attributes', () => {
    const res = decoded(
      respondToBinding(request([{ type: 0x8777, raw: Buffer.from('x') }]), ctx(), FULL).bytes,
    );
    expect(res.cls).toBe(StunClass.successResponse);
  });
});

describe('respondToBinding over TCP', () => {
  it('answers CHANGE-REQUEST with a flag set, and RESPONSE-PORT, with 420 naming them', () => {
    const attrs = [change(true, false), ResponsePort.encode(41000)];
    const reply = respondToBinding(request(attrs), ctx('A1:P1', 'tcp'), FULL);
    const res = decoded(reply.bytes);
    expect(getErrorCode(res)?.code).toBe(420);
    expect(getUnknownAttributes(res)).toEqual([Attr.CHANGE_REQUEST, Attr.RESPONSE_PORT]);
  });

  it('answers CHANGE-REQUEST with no flag normally', () => {
    const res = decoded(respondToBinding(request([change(false, false)]), ctx('A2:P1', 'tcp'), FULL).bytes);
    expect(res.cls).toBe(StunClass.successResponse);
    expect(getAddress(res, Attr.RESPONSE_ORIGIN)).toEqual(ADDR['A2:P1']);
  });
});

describe('respondToBinding: RFC 3489 clients (RFC 8489 §11)', () => {
  const classicRequest = (flags: number): { req: InboundRequest; raw: Buffer } => {
    const raw = Buffer.from('000100080102030405060708090a0b0c0d0e0f1000030004000000ff', 'hex');
    raw.writeUInt32BE(flags, 24);
    const { message, idPrefix } = decodeClassicMessage(raw);
    return { req: { message, dialect: { kind: 'rfc3489', idPrefix } }, raw };
  };

  it('echoes the 128-bit ID and answers MAPPED-, SOURCE- and CHANGED-ADDRESS, no XOR, no FINGERPRINT', () => {
    const { req, raw } = classicRequest(0x06);
    const reply = respondToBinding(req, ctx(), FULL);
    expect(reply.from).toBe('A2:P2');
    expect(reply.bytes.subarray(4, 20).equals(raw.subarray(4, 20))).toBe(true);
    const res = decodeClassicMessage(reply.bytes).message;
    expect(res.cls).toBe(StunClass.successResponse);
    expect(getAddress(res, Attr.MAPPED_ADDRESS)).toEqual(CLIENT);
    expect(findAttribute(res, ClassicAttr.SOURCE_ADDRESS)?.value.toString('hex')).toBe('00010d97c0000202');
    expect(findAttribute(res, ClassicAttr.CHANGED_ADDRESS)?.value.toString('hex')).toBe('00010d97c0000202');
    expect(findAttribute(res, Attr.XOR_MAPPED_ADDRESS)).toBeUndefined();
    expect(findAttribute(res, Attr.FINGERPRINT)).toBeUndefined();
  });

  it('repeats one type so an RFC 3489 UNKNOWN-ATTRIBUTES list has an even count', () => {
    const { req } = classicRequest(0x04);
    const res = decodeClassicMessage(respondToBinding(req, ctx(), ONE_IP).bytes).message;
    expect(getErrorCode(res)?.code).toBe(420);
    expect(getUnknownAttributes(res)).toEqual([Attr.CHANGE_REQUEST, Attr.CHANGE_REQUEST]);
  });
});
