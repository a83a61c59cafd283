import { describe, expect, it } from 'vitest';
import { keepAliveRow, pathMtuRow } from '../../src/cli/render/probe-path.js';
import { keepAliveOf } from '../../src/client/nat-probe/keep-alive.js';
import { fineSizes, paddedBindingRequest } from '../../src/client/nat-probe/path-mtu.js';
import {
  bandToConfirm,
  judgePathMtu,
  type SizeObservation,
} from '../../src/client/nat-probe/path-mtu-judge.js';
import { pathMtuSchema } from '../../src/report/path-mtu-schema.js';
import type { ProbeReport } from '../../src/report/schema.js';
import { Padding } from '../../src/wire/attributes/padding.js';
import { decodeMessage } from '../../src/wire/message.js';

const URL = 'stun:203.0.113.10:3478';
const sized = (limit: number, sizes: number[], echo = true): SizeObservation[] =>
  sizes.map((bytes) => ({
    bytes,
    answered: bytes <= limit,
    responseBytes: bytes <= limit ? (echo ? bytes : 100) : null,
  }));
const COARSE = [548, 576, 1000, 1200, 1280, 1400, 1420, 1480, 1492, 1500];
/** The smallest lost size `bytes` re-sent alone after an answered plain control, and lost again. */
const lostAlone = (bytes: number) => ({ bytes, controlAnswered: true, answered: false });

describe('path MTU: padded Binding requests (RFC 5780 §7.6)', () => {
  it('builds a request whose IP datagram is exactly the size asked, per family', () => {
    for (const bytes of [548, 1280, 1500]) {
      const v4 = paddedBindingRequest(bytes, 'IPv4');
      const v6 = paddedBindingRequest(bytes, 'IPv6');
      expect(v4.bytes.length + 28).toBe(bytes);
      expect(v6.bytes.length + 48).toBe(bytes);
      expect(Padding.decode(decodeMessage(v4.bytes))).toBe(bytes - 28 - 32);
    }
  });

  it('refines the gap above the largest contiguous size with multiples of 4', () => {
    expect(fineSizes(sized(1280, COARSE))).toEqual([1296, 1316, 1332, 1348, 1364, 1384]);
    expect(fineSizes(sized(1500, COARSE))).toEqual([]);
    expect(fineSizes(sized(500, COARSE))).toEqual([]);
  });
});

describe('judgePathMtu', () => {
  it('a 1280 black hole both ways: largest 1280, smallest lost the next size, calls still fit', () => {
    const m = judgePathMtu({
      server: URL,
      family: 'IPv4',
      sizes: sized(1280, [...COARSE, 1296]),
      confirmation: lostAlone(1296),
    });
    expect(pathMtuSchema.parse(m)).toEqual(m);
    expect([m.largestDatagramBytes, m.smallestLostBytes, m.direction]).toEqual([1280, 1296, 'both-ways']);
    expect(m.meaning).toContain('calls work');
    expect(m.reason).toBeUndefined();
  });

  it('a 1100 black hole: WebRTC packets may be lost, in words', () => {
    const m = judgePathMtu({
      server: URL,
      family: 'IPv4',
      sizes: sized(1100, [...COARSE, 1100, 1104]),
      confirmation: lostAlone(1104),
    });
    expect([m.largestDatagramBytes, m.smallestLostBytes]).toEqual([1100, 1104]);
    expect(m.meaning).toContain('DTLS handshakes with large certificates and video packets');
  });

  it('a lost band below a larger size that came back (fragmented here, or loss): null, never a size', () => {
    const sizes = sized(1280, COARSE).map((s) =>
      s.bytes === 1500 ? { ...s, answered: true, responseBytes: 1500 } : s,
    );
    const m = judgePathMtu({ server: URL, family: 'IPv4', sizes, confirmation: lostAlone(1400) });
    expect([m.largestDatagramBytes, m.smallestLostBytes]).toEqual([null, null]);
    expect(m.reason).toContain('a band below larger sizes that came back');
    expect(bandToConfirm(sizes)).toBeNull();
  });

  it('a middle band of two sizes lost while larger ones came back: null with the reason', () => {
    const sizes = sized(1500, COARSE).map((s) =>
      s.bytes === 1400 || s.bytes === 1420 ? { ...s, answered: false, responseBytes: null } : s,
    );
    const m = judgePathMtu({ server: URL, family: 'IPv4', sizes, confirmation: lostAlone(1400) });
    expect(m.largestDatagramBytes).toBeNull();
    expect(m.reason).toContain('lost: 1400, 1420 bytes');
  });

  it('a top band that came back when re-sent alone: rate limiting, not an MTU', () => {
    const sizes = sized(1400, COARSE);
    expect(bandToConfirm(sizes)).toBe(1420);
    const m = judgePathMtu({
      server: URL,
      family: 'IPv4',
      sizes,
      confirmation: { bytes: 1420, controlAnswered: true, answered: true },
    });
    expect([m.largestDatagramBytes, m.smallestLostBytes, m.direction]).toEqual([null, null, null]);
    expect(m.reason).toContain('losses look like rate limiting, not an MTU');
  });

  it('a top band whose control went unanswered, or never re-sent: null, never a size', () => {
    const sizes = sized(1400, COARSE);
    const lostControl = judgePathMtu({
      server: URL,
      family: 'IPv4',
      sizes,
      confirmation: { bytes: 1420, controlAnswered: false, answered: null },
    });
    expect(lostControl.largestDatagramBytes).toBeNull();
    expect(lostControl.reason).toContain('control');
    const unsent = judgePathMtu({ server: URL, family: 'IPv4', sizes });
    expect(unsent.largestDatagramBytes).toBeNull();
    expect(unsent.reason).toContain('rate limiting cannot be ruled out');
  });

  it('nothing to confirm without loss, or when nothing came back', () => {
    expect(bandToConfirm(sized(1500, COARSE))).toBeNull();
    expect(bandToConfirm(sized(0, COARSE))).toBeNull();
  });

  it('not fooled by scattered loss (a rate limit): null with the reason', () => {
    const sizes = sized(1500, COARSE).map((s) =>
      s.bytes === 1000 || s.bytes === 1420 ? { ...s, answered: false, responseBytes: null } : s,
    );
    const m = judgePathMtu({ server: URL, family: 'IPv4', sizes });
    expect(m.largestDatagramBytes).toBeNull();
    expect(m.reason).toContain('out of order');
  });

  it('not fooled by one size lost alone below larger ones that came back', () => {
    const sizes = sized(1500, COARSE).map((s) =>
      s.bytes === 1200 ? { ...s, answered: false, responseBytes: null } : s,
    );
    const m = judgePathMtu({ server: URL, family: 'IPv4', sizes });
    expect(m.largestDatagramBytes).toBeNull();
    expect(m.reason).toContain('a band below larger sizes');
  });

  it('the largest size alone lost is an MTU just under 1500', () => {
    const m = judgePathMtu({
      server: URL,
      family: 'IPv4',
      sizes: sized(1496, [...COARSE, 1496]),
      confirmation: lostAlone(1500),
    });
    expect([m.largestDatagramBytes, m.smallestLostBytes]).toEqual([1496, 1500]);
  });

  it('a server that ignores PADDING proves only the way to the server', () => {
    const m = judgePathMtu({ server: URL, family: 'IPv4', sizes: sized(1500, COARSE, false) });
    expect([m.largestDatagramBytes, m.direction]).toEqual([1500, 'to-server']);
    expect(m.meaning).toContain('Only the way to the server is measured');
  });

  it('no padded request answered: null with the reason, never a size', () => {
    const m = judgePathMtu({ server: URL, family: 'IPv4', sizes: sized(0, COARSE) });
    expect([m.largestDatagramBytes, m.smallestLostBytes, m.direction]).toEqual([null, null, null]);
    expect(m.reason).toContain('may not support PADDING');
  });

  it('a size the deadline ended: null with the reason, the known sizes listed', () => {
    const sizes = sized(1500, COARSE).map((s) => (s.bytes === 1420 ? { ...s, answered: null } : s));
    const m = judgePathMtu({ server: URL, family: 'IPv4', sizes });
    expect(m.largestDatagramBytes).toBeNull();
    expect(m.reason).toContain('deadline');
    expect(m.probes).toHaveLength(COARSE.length - 1);
  });

  it('no server: null with the reason', () => {
    const m = judgePathMtu({ server: null, family: 'IPv4', sizes: [] });
    expect(m.largestDatagramBytes).toBeNull();
    expect(m.reason).toContain('no STUN server answered');
  });
});

describe('keep-alive interval', () => {
  it('half the lower bound of the binding lifetime, whole seconds', () => {
    const reasons: Record<string, string> = {};
    expect(keepAliveOf({ minS: 19.2, maxS: 20 }, reasons)).toBe(9);
    expect(keepAliveOf({ minS: 60, maxS: null }, reasons)).toBe(30);
    expect(keepAliveOf(null, reasons)).toBeNull();
    expect(reasons).toEqual({});
  });

  it('a binding seen alive for under 2 s: null with the reason', () => {
    const reasons: Record<string, string> = {};
    expect(keepAliveOf({ minS: 1.5, maxS: 2 }, reasons)).toBeNull();
    expect(reasons.keepAliveS).toContain('1.5 s');
  });
});

describe('probe text rows', () => {
  const base = { reasons: {} } as unknown as ProbeReport;
  it('Keep-alive says the interval and that 15–25 s is too seldom here', () => {
    const [row] = keepAliveRow({ ...base, keepAliveS: 9 });
    expect(row?.[1]).toContain('at least every 9 s');
    expect(row?.[2]).toContain('too seldom');
    expect(keepAliveRow(base)).toEqual([]);
  });

  it('Path MTU says size, direction and the smallest lost', () => {
    const pathMtu = judgePathMtu({
      server: URL,
      family: 'IPv4',
      sizes: sized(1280, [...COARSE, 1296]),
      confirmation: lostAlone(1296),
    });
    const [row] = pathMtuRow({ ...base, pathMtu });
    expect(row?.[1]).toContain('1280 bytes both ways, 1296 lost');
    expect(pathMtuRow(base)).toEqual([]);
  });
});
