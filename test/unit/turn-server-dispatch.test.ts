/**
 * Unit tests of the request front door (src/server/stun/dispatch.ts): what is dropped, what gets 400,
 * routing by method, FINGERPRINT checks, RFC 3489 clients, and — by property — that no input throws and
 * no response exceeds max(request bytes, MAX_UNPADDED_RESPONSE_BYTES).
 */
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { bindingHandler, MAX_UNPADDED_RESPONSE_BYTES } from '../../src/server/stun/binding-responder.js';
import { createDispatcher, type Dispatch } from '../../src/server/stun/dispatch.js';
import type { InboundContext, RequestHandler } from '../../src/server/stun/handler.js';
import type { SocketRole } from '../../src/server/stun/socket-role.js';
import { type TransportAddress, transportAddress } from '../../src/wire/address.js';
import { buildMessage } from '../../src/wire/build.js';
import { Attr, StunClass, StunMethod } from '../../src/wire/constants.js';
import { decodeMessage, getErrorCode } from '../../src/wire/message.js';

const SOCKETS = new Map<SocketRole, TransportAddress>([
  ['A1:P1', transportAddress('127.0.0.1', 3478)],
  ['A1:P2', transportAddress('127.0.0.1', 3479)],
  ['A2:P1', transportAddress('127.0.0.2', 3478)],
  ['A2:P2', transportAddress('127.0.0.2', 3479)],
]);
const CTX: InboundContext = {
  transport: 'udp',
  localRole: 'A1:P1',
  local: SOCKETS.get('A1:P1')!,
  remote: transportAddress('127.0.0.9', 50000),
  link: { key: 'udp test', send: () => undefined, onClose: () => undefined, keepOpen: () => undefined },
};

const TID = Buffer.from('0102030405060708090a0b0c', 'hex');

function dispatcher(extra: [number, RequestHandler][] = [], lines: string[] = []): Dispatch {
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(s) });
  const handlers = new Map<number, RequestHandler>([
    [StunMethod.binding, bindingHandler({ sockets: SOCKETS, software: 'sw' })],
    ...extra,
  ]);
  return createDispatcher({ handlers, log });
}

const binding = (cls: StunClass = StunClass.request, fingerprint = true): Buffer =>
  buildMessage({ method: StunMethod.binding, cls, transactionId: TID, fingerprint });

describe('createDispatcher: drops', () => {
  const dispatch = dispatcher();
  it.each([
    ['an empty datagram', Buffer.alloc(0)],
    ['19 bytes', Buffer.alloc(19)],
    ['HTTP', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
    ['ChannelData', Buffer.from('4000000461626364', 'hex')],
    ['a request with no cookie and a wrong type', Buffer.from(`0003000000000000${'00'.repeat(12)}`, 'hex')],
  ])('%s', (_name, bytes) => {
    expect(dispatch(bytes, CTX)).toBeNull();
  });

  it('a request whose FINGERPRINT is wrong', () => {
    const bytes = binding();
    bytes[bytes.length - 1]! ^= 0xff;
    expect(dispatch(bytes, CTX)).toBeNull();
  });

  it('indications and responses', () => {
    expect(dispatch(binding(StunClass.indication), CTX)).toBeNull();
    expect(dispatch(binding(StunClass.successResponse), CTX)).toBeNull();
    expect(dispatch(binding(StunClass.errorResponse), CTX)).toBeNull();
  });

  it('a malformed indication (no 400 to anything but a request)', () => {
    const bytes = binding(StunClass.indication, false);
    expect(dispatch(Buffer.concat([bytes, Buffer.alloc(4)]), CTX)).toBeNull();
  });
});

describe('createDispatcher: answers', () => {
  const dispatch = dispatcher();
  it('a Binding request with a good FINGERPRINT, and one without', () => {
    for (const fp of [true, false]) {
      const reply = dispatch(binding(StunClass.request, fp), CTX);
      expect(decodeMessage(reply!.bytes).cls).toBe(StunClass.successResponse);
    }
  });

  it('400 to a request whose header length disagrees with the datagram, same transaction ID', () => {
    const reply = dispatch(Buffer.concat([binding(StunClass.request, false), Buffer.alloc(4)]), CTX);
    const res = decodeMessage(reply!.bytes);
    expect(getErrorCode(res)?.code).toBe(400);
    expect(res.transactionId.equals(TID)).toBe(true);
    expect(reply!.to).toEqual(CTX.remote);
  });

  it('400 to a request with an attribute overrunning the message', () => {
    const bytes = Buffer.concat([
      binding(StunClass.request, false),
      Buffer.from('000300100000000000000000', 'hex'),
    ]);
    bytes.writeUInt16BE(bytes.length - 20, 2);
    expect(getErrorCode(decodeMessage(dispatch(bytes, CTX)!.bytes))?.code).toBe(400);
  });

  it('400 to a request whose attribute value the decoder rejects (3-byte CHANGE-REQUEST)', () => {
    const bytes = buildMessage({
      method: StunMethod.binding,
      cls: StunClass.request,
      transactionId: TID,
      attributes: [{ type: Attr.CHANGE_REQUEST, raw: Buffer.from([0, 0, 4]) }],
    });
    expect(getErrorCode(decodeMessage(dispatch(bytes, CTX)!.bytes))?.code).toBe(400);
  });

  it('400 to a method with no handler (Allocate before TURN exists)', () => {
    const bytes = buildMessage({ method: StunMethod.allocate, cls: StunClass.request, transactionId: TID });
    const res = decodeMessage(dispatch(bytes, CTX)!.bytes);
    expect(res.method).toBe(StunMethod.allocate);
    expect(res.cls).toBe(StunClass.errorResponse);
    expect(getErrorCode(res)?.code).toBe(400);
  });

  it('routes by method to a registered handler', () => {
    const seen: number[] = [];
    const d = dispatcher([
      [
        StunMethod.allocate,
        (req, ctx) => {
          seen.push(req.message.method);
          return { bytes: Buffer.from('ok'), from: ctx.localRole, to: ctx.remote };
        },
      ],
    ]);
    const bytes = buildMessage({ method: StunMethod.allocate, cls: StunClass.request, transactionId: TID });
    expect(d(bytes, CTX)?.bytes.toString()).toBe('ok');
    expect(seen).toEqual([StunMethod.allocate]);
  });

  it('an RFC 3489 Binding request, and 400 to a malformed one (CHANGE-REQUEST overrunning)', () => {
    const id = '0102030405060708090a0b0c0d0e0f10';
    const ok = dispatch(Buffer.from(`00010008${id}0003000400000000`, 'hex'), CTX);
    expect(ok?.bytes.readUInt16BE(0)).toBe(0x0101);
    expect(ok?.bytes.subarray(4, 20).toString('hex')).toBe(id);
    const bad = dispatch(Buffer.from(`00010008${id}0003000800000000`, 'hex'), CTX);
    expect(bad?.bytes.readUInt16BE(0)).toBe(0x0111);
    expect(bad?.bytes.subarray(4, 20).toString('hex')).toBe(id);
  });
});

describe('createDispatcher: defects and logging', () => {
  it('logs a throwing handler at error level and sends nothing', () => {
    const lines: string[] = [];
    const d = dispatcher(
      [
        [
          StunMethod.refresh,
          () => {
            throw new Error('boom');
          },
        ],
      ],
      lines,
    );
    const bytes = buildMessage({ method: StunMethod.refresh, cls: StunClass.request, transactionId: TID });
    expect(d(bytes, CTX)).toBeNull();
    const entry = lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 50);
    expect(entry?.msg).toMatch(/defect/);
  });

  it('logs each request at debug level as JSON', () => {
    const lines: string[] = [];
    dispatcher([], lines)(binding(), CTX);
    const entry = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 20, msg: 'request', transport: 'udp', remote: '127.0.0.9:50000' });
  });
});

describe('createDispatcher: properties', () => {
  const dispatch = dispatcher();
  const bound = (req: number, res: number) => res <= Math.max(req, MAX_UNPADDED_RESPONSE_BYTES);

  it('never throws on arbitrary bytes, and bounds any reply', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (arr) => {
        const bytes = Buffer.from(arr);
        const reply = dispatch(bytes, CTX);
        return reply === null || bound(bytes.length, reply.bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on Binding requests with arbitrary attributes, and bounds every reply', () => {
    const attribute = fc.record({
      type: fc.oneof(
        fc.constantFrom(
          Attr.CHANGE_REQUEST,
          Attr.RESPONSE_PORT,
          Attr.PADDING,
          Attr.USERNAME,
          Attr.XOR_MAPPED_ADDRESS,
        ),
        // Not FINGERPRINT: a random one is a wrong one, and such a message is rightly dropped unanswered.
        fc.integer({ min: 0, max: 0xffff }).filter((t) => t !== Attr.FINGERPRINT),
      ),
      raw: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 12 }), fc.boolean(), (attributes, tcp) => {
        const bytes = buildMessage({
          method: StunMethod.binding,
          cls: StunClass.request,
          transactionId: TID,
          attributes,
        });
        const reply = dispatch(bytes, { ...CTX, transport: tcp ? 'tcp' : 'udp' });
        return reply !== null && bound(bytes.length, reply.bytes.length);
      }),
      { numRuns: 2000 },
    );
  });
});
