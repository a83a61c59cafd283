import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { measurePathMtu } from '../../src/client/nat-probe/path-mtu.js';
import { RttEstimator } from '../../src/client/transport/rtt.js';
import { transportAddress } from '../../src/wire/address.js';
import { XorMappedAddress } from '../../src/wire/attributes/addresses.js';
import { Padding } from '../../src/wire/attributes/padding.js';
import { buildMessage } from '../../src/wire/build.js';
import { StunClass, StunMethod } from '../../src/wire/constants.js';
import { decodeMessage } from '../../src/wire/message.js';

// The path MTU measure (issue 16 §5) with real sockets on loopback against small STUN servers that treat
// PADDING (RFC 5780 §7.6) in the ways real servers do: pad the answer, ignore PADDING, drop padded requests,
// or sit behind a size limit. Loopback carries every size, so whatever is lost is the server's doing.
const IP_UDP = 28;

type Policy = (requestBytes: number, padded: boolean) => 'pad' | 'plain' | 'drop';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function server(
  policy: Policy,
): Promise<{ url: string; address: ReturnType<typeof transportAddress> }> {
  const s = createSocket('udp4');
  sockets.push(s);
  s.on('message', (bytes, rinfo) => {
    const msg = decodeMessage(bytes);
    const padded = Padding.decode(msg) !== undefined;
    const what = policy(bytes.length + IP_UDP, padded);
    if (what === 'drop') return;
    const attributes = [XorMappedAddress.encode(transportAddress(rinfo.address, rinfo.port))];
    const plain = buildMessage({
      method: StunMethod.binding,
      cls: StunClass.successResponse,
      transactionId: msg.transactionId,
      attributes,
      fingerprint: true,
    });
    const reply =
      what === 'pad'
        ? buildMessage({
            method: StunMethod.binding,
            cls: StunClass.successResponse,
            transactionId: msg.transactionId,
            attributes: [...attributes, Padding.encode(Math.max(0, bytes.length - plain.length - 4))],
            fingerprint: true,
          })
        : plain;
    s.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  return { url: `stun:127.0.0.1:${port}`, address: transportAddress('127.0.0.1', port) };
}

const measure = async (policy: Policy) =>
  measurePathMtu(
    Promise.resolve(await server(policy)),
    'IPv4',
    new RttEstimator(),
    new AbortController().signal,
  );

describe('path MTU against servers that treat PADDING differently (loopback)', () => {
  it('a server that pads its answers: 1500 bytes both ways, answers as large as the requests', async () => {
    const m = await measure(() => 'pad');
    expect([m.largestDatagramBytes, m.smallestLostBytes, m.direction, m.reason]).toEqual([
      1500,
      null,
      'both-ways',
      undefined,
    ]);
    expect(m.probes.every((p) => p.responseBytes === p.bytes)).toBe(true);
  });

  it('a server that ignores PADDING: 1500 bytes to the server only, and the words say so', async () => {
    const m = await measure(() => 'plain');
    expect([m.largestDatagramBytes, m.direction]).toEqual([1500, 'to-server']);
    expect(m.meaning).toContain('Only the way to the server is measured');
  });

  it('a server that drops padded requests: null with the reason, never a size', async () => {
    const m = await measure((_, padded) => (padded ? 'drop' : 'plain'));
    expect([m.largestDatagramBytes, m.smallestLostBytes, m.direction]).toEqual([null, null, null]);
    expect(m.reason).toContain('may not support PADDING');
  });

  it('datagrams over 1100 bytes lost: the second round finds the edge between 1000 and 1200', async () => {
    const m = await measure((bytes) => (bytes <= 1100 ? 'pad' : 'drop'));
    expect(m.probes.map((p) => p.bytes)).toEqual([
      548, 576, 1000, 1028, 1056, 1084, 1116, 1144, 1172, 1200, 1280, 1400, 1420, 1480, 1492, 1500,
    ]);
    expect([m.largestDatagramBytes, m.smallestLostBytes, m.direction]).toEqual([1084, 1116, 'both-ways']);
    expect(m.meaning).toContain('DTLS handshakes with large certificates and video packets');
  });

  it('a server that answers at most 4000 bytes of requests per 30 ms (tail drop): no black hole claimed', async () => {
    const arrivals: { at: number; bytes: number }[] = [];
    const m = await measure((bytes) => {
      const now = performance.now();
      const recent = arrivals.filter((a) => now - a.at < 30).reduce((sum, a) => sum + a.bytes, 0);
      arrivals.push({ at: now, bytes });
      return recent + bytes > 4000 ? 'drop' : 'pad';
    });
    expect([m.largestDatagramBytes, m.smallestLostBytes, m.direction]).toEqual([null, null, null]);
    expect(m.reason).toMatch(/rate limit/);
  });

  it('a path that drops large datagrams only in bursts: the size sent alone comes back, rate limiting', async () => {
    let previousPadded = true;
    const m = await measure((bytes, padded) => {
      const burst = previousPadded;
      previousPadded = padded;
      return bytes > 1450 && burst ? 'drop' : 'pad';
    });
    expect([m.largestDatagramBytes, m.smallestLostBytes, m.direction]).toEqual([null, null, null]);
    expect(m.reason).toContain('losses look like rate limiting, not an MTU');
  });
});
