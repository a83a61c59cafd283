/**
 * The decoder's cost grows linearly with the number of attributes (RFC 8489 §14 puts no limit on it): a
 * 64 KiB datagram of 16,371 zero-length attributes of distinct types decodes about as fast as one whose
 * attributes all share a type. It used to look each type up with a linear search, ~150 ms of CPU per such
 * datagram: a few per second kept the server's event loop busy.
 */
import { describe, expect, it } from 'vitest';
import { HEADER_BYTES, MAGIC_COOKIE } from '../../src/wire/constants.js';
import { decodeMessage, findAttribute } from '../../src/wire/message.js';

/** The largest IPv4 UDP payload, in bytes. */
const MAX_DATAGRAM_BYTES = 65_507;
const COUNT = Math.floor((MAX_DATAGRAM_BYTES - HEADER_BYTES) / 4);

/** A Binding request of COUNT empty attributes; `distinct`: of types 0x0030, 0x0031 ... (unknown to the decoder). */
function manyAttributes(distinct: boolean): Buffer {
  const b = Buffer.alloc(HEADER_BYTES + 4 * COUNT);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(4 * COUNT, 2);
  b.writeUInt32BE(MAGIC_COOKIE, 4);
  for (let i = 0; i < COUNT; i++) b.writeUInt16BE(distinct ? 0x0030 + i : 0x0030, HEADER_BYTES + 4 * i);
  return b;
}

/** The fastest of 3 decodes, in ms. */
function decodeMs(buf: Buffer): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    expect(decodeMessage(buf).attributes).toHaveLength(COUNT);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('decodeMessage with thousands of attributes', () => {
  it('costs about the same for distinct types as for one repeated type (no quadratic lookup)', () => {
    const same = decodeMs(manyAttributes(false));
    const distinct = decodeMs(manyAttributes(true));
    expect(distinct).toBeLessThan(2 * same + 15);
  });

  it('keeps every attribute, each type once, and finds the first of a type', () => {
    const m = decodeMessage(manyAttributes(true));
    expect(new Set(m.attributes.map((a) => a.type)).size).toBe(COUNT);
    expect(findAttribute(m, 0x0030)?.value).toEqual(Buffer.alloc(0));
  });
});
