import { StunMethod } from '../../../src/wire/constants.js';
import type { Probe } from './expect.js';
import { harmlessAttribute, overrunningAttribute } from './gen-malformed.js';
import type { Prng } from './prng.js';
import { requestType, stunMessage } from './wire.js';

/** A Binding request with `attributes` of harmless attributes and a random transaction ID. */
function binding(rng: Prng, attributes: number): Buffer {
  const body = Buffer.concat(Array.from({ length: attributes }, () => harmlessAttribute(rng)));
  return stunMessage(requestType(StunMethod.binding), rng.bytes(12), body);
}

/** A valid Binding request (answered with success): the well-behaved frames around the malformed ones. */
export function validBinding(rng: Prng): Probe {
  return { bytes: binding(rng, rng.int(0, 4)), expect: { kind: 'success' } };
}

/**
 * A message as large as a STUN header can say: length 0xFFFC of harmless attributes, a 65,552-byte frame.
 * It is longer than the decoder takes (65,535 bytes), so the server must answer it (400), not choke on it.
 */
function largestFrame(rng: Prng): Probe {
  const parts: Buffer[] = [];
  let size = 0;
  while (size < 0xfffc - 44) {
    const a = harmlessAttribute(rng);
    parts.push(a);
    size += a.length;
  }
  const filler = Buffer.alloc(0xfffc - size);
  filler.writeUInt16BE(0x8030, 0);
  filler.writeUInt16BE(filler.length - 4, 2);
  return {
    bytes: stunMessage(requestType(StunMethod.binding), rng.bytes(12), Buffer.concat([...parts, filler])),
    expect: { kind: 'answered' },
  };
}

/**
 * Well-framed but malformed STUN over TCP (the header length is the frame's true size, so the stream stays
 * framed): attributes that overrun (400 to requests), valid Binding requests in between, and, one time in
 * 200, the largest frame a header can announce.
 */
export function framedProbe(rng: Prng): Probe {
  const r = rng.next();
  if (r < 0.005) return largestFrame(rng);
  if (r < 0.2) return validBinding(rng);
  return overrunningAttribute(rng);
}

/** How a TCP stream of STUN frames ends badly. */
export type StreamTail =
  | 'random-bytes'
  | 'http-request'
  | 'tls-client-hello'
  | 'rfc3489-binding'
  | 'length-not-multiple-of-4'
  | 'header-promises-more';

/**
 * The garbage that ends a fuzzed TCP stream, and whether the server can tell it is garbage by itself (it
 * must then close the connection without waiting: not STUN with the magic cookie, nor ChannelData without
 * an allocation) or only once the stream ends (a frame that never completes).
 */
export function streamTail(rng: Prng): { kind: StreamTail; bytes: Buffer; closesAlone: boolean } {
  const kind = rng.pick<StreamTail>([
    'random-bytes',
    'http-request',
    'tls-client-hello',
    'rfc3489-binding',
    'length-not-multiple-of-4',
    'header-promises-more',
  ]);
  switch (kind) {
    case 'random-bytes': {
      const bytes = rng.bytes(rng.int(1, 2_000));
      bytes[0] = 0x80 | bytes[0]!;
      return { kind, bytes, closesAlone: true };
    }
    case 'http-request':
      return { kind, bytes: Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), closesAlone: true };
    case 'tls-client-hello':
      return {
        kind,
        bytes: Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01]), rng.bytes(200)]),
        closesAlone: true,
      };
    case 'rfc3489-binding': {
      const bytes = binding(rng, rng.int(0, 2));
      bytes.writeUInt32BE(rng.int(0, 0x2112a441), 4);
      return { kind, bytes, closesAlone: true };
    }
    case 'length-not-multiple-of-4': {
      const bytes = binding(rng, rng.int(1, 3));
      bytes.writeUInt16BE(bytes.readUInt16BE(2) - rng.int(1, 3), 2);
      return { kind, bytes, closesAlone: false };
    }
    default: {
      const bytes = binding(rng, rng.int(0, 3));
      const claimed = rng.chance(0.2) ? 0xffff : bytes.length - 20 + 4 * rng.int(1, 100);
      bytes.writeUInt16BE(claimed, 2);
      return { kind, bytes, closesAlone: false };
    }
  }
}
