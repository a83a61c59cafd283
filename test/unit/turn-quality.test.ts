import { stripVTControlCharacters as plain } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseQualityFlags } from '../../src/cli/config/turn-quality-flags.js';
import { qualityLine } from '../../src/cli/render/turn-quality.js';
import { DATAGRAM_SIZES, fineSizes, qualityNotMeasured } from '../../src/client/turn-check/quality.js';
import { judgeQuality } from '../../src/client/turn-check/quality-judge.js';
import {
  jitterMs,
  largestContiguous,
  type QualityObservation,
  summariseQuality,
} from '../../src/client/turn-check/quality-summary.js';
import { ConfigError } from '../../src/errors.js';
import { relayQualitySchema } from '../../src/report/turn-quality-schema.js';

/** RTTs recorded by a run against coturn on loopback over UDP (ms, send order, 50 probes). */
const LOOPBACK_RTTS = [
  0.91, 0.62, 0.55, 0.58, 0.71, 0.49, 0.52, 0.6, 0.57, 0.66, 1.07, 0.51, 0.5, 0.56, 0.63, 0.59, 0.54, 0.61,
  0.58, 0.55, 2.82, 0.53, 0.57, 0.6, 0.52, 0.49, 0.64, 0.58, 0.57, 0.55, 0.66, 0.51, 0.54, 0.59, 0.62, 0.53,
  0.56, 0.58, 7.3, 0.61, 0.57, 0.55, 0.42, 0.6, 0.58, 0.53, 0.56, 0.59, 0.63, 0.54,
];

const ALL_SIZES_OK = DATAGRAM_SIZES.map((bytes) => ({ bytes, ok: true }));

function observed(over: Partial<QualityObservation> = {}): QualityObservation {
  return {
    rttsMs: LOOPBACK_RTTS,
    intervalMs: 20,
    probeBytes: 160,
    durationMs: 1003.456,
    sizes: ALL_SIZES_OK,
    reason: null,
    cutShort: false,
    ...over,
  };
}

/** Sizes up to `largest` come back, larger ones do not. */
function blackHole(largest: number): { bytes: number; ok: boolean }[] {
  return DATAGRAM_SIZES.map((bytes) => ({ bytes, ok: bytes <= largest }));
}

/** `count` probes of which every `every`-th is lost, the others taking `rtt` ms. */
function lossy(count: number, every: number, rtt = 30): (number | null)[] {
  return Array.from({ length: count }, (_, i) => (i % every === 0 ? null : rtt));
}

describe('summariseQuality (recorded RTT lists)', () => {
  it('a clean loopback run: nearest-rank percentiles, no loss, every size, schema-valid', () => {
    const q = summariseQuality(observed());
    expect(relayQualitySchema.parse(q)).toEqual(q);
    expect(q).toMatchObject({ sent: 50, received: 50, lossPercent: 0, maxDatagramBytes: 1500, reason: null });
    // 50 values: p50 is the 25th smallest, p90 the 45th, p99 the 50th (the largest).
    expect(q.rttMs).toEqual({ p50: 0.57, p90: 0.66, p99: 7.3, min: 0.42, max: 7.3 });
    expect(q.durationMs).toBe(1003.46);
    expect(q.datagramSizes.map((s) => s.bytes)).toEqual([...DATAGRAM_SIZES]);
  });

  it('loss: the unanswered probes, to 0.1 %; percentiles and jitter only over the answered ones', () => {
    const rtts = [10, null, 12, 11, null, 30, 10];
    const q = summariseQuality(observed({ rttsMs: rtts }));
    expect(q).toMatchObject({ sent: 7, received: 5, lossPercent: 28.6 });
    expect(q.rttMs).toEqual({ p50: 11, p90: 30, p99: 30, min: 10, max: 30 });
    // Consecutive answered: |12-10| + |11-12| + |30-11| + |10-30| = 42, over 4 differences.
    expect(q.jitterMs).toBe(10.5);
  });

  it('too few echoes: no percentiles under 2, no jitter under 3', () => {
    expect(summariseQuality(observed({ rttsMs: [null, 5, null] }))).toMatchObject({
      received: 1,
      rttMs: null,
      jitterMs: null,
      lossPercent: 66.7,
    });
    expect(jitterMs([5, 6])).toBeNull();
    expect(jitterMs([5, 6, 8])).toBe(1.5);
  });

  it('sizes sorted ascending; the largest is the one that came back with every smaller size', () => {
    const sizes = [
      { bytes: 1400, ok: false },
      { bytes: 500, ok: true },
      { bytes: 1500, ok: true },
      { bytes: 1234, ok: true },
      { bytes: 1200, ok: false },
    ];
    const q = summariseQuality(observed({ sizes }));
    expect(q.datagramSizes.map((s) => s.bytes)).toEqual([500, 1200, 1234, 1400, 1500]);
    expect(q.maxDatagramBytes).toBe(500);
    expect(
      largestContiguous([
        { bytes: 500, ok: false },
        { bytes: 1000, ok: true },
      ]),
    ).toBeNull();
    expect(largestContiguous([])).toBeNull();
  });

  it('not measured: nothing sent, loss null (not 100 %), the reason kept', () => {
    const q = summariseQuality(qualityNotMeasured('ChannelData did not cross the relay both ways'));
    expect(relayQualitySchema.parse(q)).toEqual(q);
    expect(q).toMatchObject({
      sent: 0,
      received: 0,
      lossPercent: null,
      rttMs: null,
      jitterMs: null,
      maxDatagramBytes: null,
      datagramSizes: [],
      reason: 'not measured: ChannelData did not cross the relay both ways',
    });
    expect(judgeQuality(q, 'udp')).toEqual([]);
  });
});

describe('fineSizes: the second round between the largest size back and the smallest lost', () => {
  it('8 sizes evenly spaced inside the gap', () => {
    const sizes = fineSizes(blackHole(1000));
    expect(sizes).toHaveLength(8);
    expect(Math.min(...sizes)).toBeGreaterThan(1000);
    expect(Math.max(...sizes)).toBeLessThan(1200);
  });
  it('none when every size, or none, came back, or the gap is closed', () => {
    expect(fineSizes(ALL_SIZES_OK)).toEqual([]);
    expect(fineSizes(blackHole(0))).toEqual([]);
    expect(fineSizes(blackHole(1468))).toEqual([1469, 1470, 1471]);
    expect(
      fineSizes([
        { bytes: 1000, ok: true },
        { bytes: 1001, ok: false },
      ]),
    ).toEqual([]);
  });
});

const codes = (q: ReturnType<typeof summariseQuality>, t: 'udp' | 'tcp' | 'tls' = 'udp'): string[] =>
  judgeQuality(q, t).map((f) => f.code);

describe('judgeQuality: warnings only, and only from what was observed', () => {
  it('a clean run: nothing', () => {
    expect(codes(summariseQuality(observed()))).toEqual([]);
  });

  it('loss over 5 %: relay-loss-high; 5 % itself is not', () => {
    expect(codes(summariseQuality(observed({ rttsMs: lossy(40, 20) })))).toEqual([]);
    const q = summariseQuality(observed({ rttsMs: lossy(50, 5) }));
    expect(q.lossPercent).toBe(20);
    const [f] = judgeQuality(q, 'udp');
    expect(f).toMatchObject({ code: 'relay-loss-high', severity: 'warn' });
    // 20 % over four crossings is about 5.4 % per crossing.
    expect(f?.message).toMatch(/about 5\.4 % per crossing/);
  });

  it('loss over TCP/TLS is named as the relay legs, not the path to the server', () => {
    const q = summariseQuality(observed({ rttsMs: lossy(50, 5) }));
    for (const t of ['tcp', 'tls'] as const) {
      expect(judgeQuality(q, t)[0]?.message).toMatch(/relay legs \(UDP between its relay ports\)/);
    }
  });

  it('every echo lost after ChannelData worked: loss named, no size verdict from silence', () => {
    const q = summariseQuality(observed({ rttsMs: Array(50).fill(null), sizes: blackHole(0) }));
    expect(q.lossPercent).toBe(100);
    const found = judgeQuality(q, 'udp');
    expect(found.map((f) => f.code)).toEqual(['relay-loss-high']);
    expect(found[0]?.message).toMatch(/No echo came back at all/);
  });

  it('median RTT over 400 ms and jitter over 30 ms warn; a single slow probe does not', () => {
    expect(codes(summariseQuality(observed({ rttsMs: Array(50).fill(450) })))).toEqual(['relay-rtt-high']);
    const spiky = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 20 : 90));
    expect(codes(summariseQuality(observed({ rttsMs: spiky })))).toEqual(['relay-jitter-high']);
    const oneSlow = [...LOOPBACK_RTTS.slice(0, 49), 900];
    expect(codes(summariseQuality(observed({ rttsMs: oneSlow })))).toEqual([]);
  });

  it('largest datagram under 1200 with larger ones lost: relay-datagram-black-hole', () => {
    const q = summariseQuality(observed({ sizes: [...blackHole(1000), { bytes: 1168, ok: true }] }));
    const found = judgeQuality(q, 'udp');
    expect(found.map((f) => f.code)).toEqual(['relay-datagram-black-hole']);
    expect(found[0]?.message).toMatch(/was 1168 bytes; 1200 bytes was lost/);
    expect(found[0]?.message).toMatch(/use TURN over TCP\/TLS/);
  });

  it('as measured over a 1100-byte link: sizes this host fragments itself come back, still a black hole', () => {
    const sizes = DATAGRAM_SIZES.map((bytes) => ({ bytes, ok: bytes <= 1000 || bytes >= 1472 }));
    const q = summariseQuality(observed({ sizes }));
    expect(q.maxDatagramBytes).toBe(1000);
    const [f] = judgeQuality(q, 'udp');
    expect(f?.code).toBe('relay-datagram-black-hole');
    expect(f?.message).toMatch(/\(1472, 1500 bytes came back: datagrams over this host's own link MTU/);
  });

  it('one unlucky size lost among larger ones that came back: loss, not a black hole', () => {
    const sizes = DATAGRAM_SIZES.map((bytes) => ({ bytes, ok: bytes !== 1200 }));
    const q = summariseQuality(observed({ sizes }));
    expect(q.maxDatagramBytes).toBe(1000);
    expect(codes(q)).toEqual([]);
  });

  it('a 1280-byte link (1248 bytes of payload fit) carries WebRTC packets: no warning', () => {
    expect(codes(summariseQuality(observed({ sizes: blackHole(1248) })))).toEqual([]);
  });

  it('no size back while stream probes were: black hole below 500', () => {
    const q = summariseQuality(observed({ sizes: blackHole(0) }));
    expect(judgeQuality(q, 'udp')[0]?.message).toMatch(/no datagram of 500 bytes or more came back/);
  });

  it('cut short by the deadline: neither loss nor black hole, even when both would show', () => {
    const q = summariseQuality(observed({ rttsMs: lossy(50, 5), sizes: blackHole(1000), cutShort: true }));
    expect(q.cutShort).toBe(true);
    expect(codes(q)).toEqual([]);
  });

  it('no size verdict when over half the stream was lost (a missing size may be plain loss)', () => {
    const q = summariseQuality(
      observed({ rttsMs: Array.from({ length: 50 }, (_, i) => (i % 3 ? null : 20)), sizes: blackHole(1000) }),
    );
    expect(q.lossPercent).toBeGreaterThan(50);
    expect(codes(q)).toEqual(['relay-loss-high']);
  });
});

describe('--no-quality / --quality-duration', () => {
  it('defaults to a 1000 ms stream; --no-quality turns it off', () => {
    expect(parseQualityFlags(true, undefined)).toEqual({ streamMs: 1000 });
    expect(parseQualityFlags(false, undefined)).toBe(false);
    expect(parseQualityFlags(true, '200')).toEqual({ streamMs: 200 });
  });
  it('--quality-duration with --no-quality: an error naming both', () => {
    expect(() => parseQualityFlags(false, '500')).toThrow(
      '--quality-duration: not with --no-quality (give one or the other)',
    );
  });
  it('--quality-duration that can never fit --timeout: an error naming both', () => {
    expect(() => parseQualityFlags(true, '5000', 8000)).toThrow(
      /^--quality-duration 5000: the measure and the steps after it need at least \d+ ms, more than --timeout 8000/,
    );
    expect(parseQualityFlags(true, '1000', 10_000)).toEqual({ streamMs: 1000 });
  });
  it.each(['50', '10001', 'lots', '1.5'])('rejects %s naming the flag and the range', (v) => {
    expect(() => parseQualityFlags(true, v)).toThrow(ConfigError);
    expect(() => parseQualityFlags(true, v)).toThrow(
      `--quality-duration: must be a whole number of milliseconds (200–10000), got '${v}'`,
    );
  });
});

describe('qualityLine', () => {
  it('one compact line of the numbers', () => {
    const line = plain(qualityLine(summariseQuality(observed())));
    expect(line).toBe(
      '    relay quality: RTT p50 0.57 ms, p90 0.66 ms, p99 7.3 ms (min 0.42 ms, max 7.3 ms), loss 0 % (0 of 50), ' +
        'jitter 0.45 ms, largest datagram 1500 bytes',
    );
  });
  it('the reason alone when nothing was measured', () => {
    const line = plain(
      qualityLine(summariseQuality(qualityNotMeasured('the second allocation (the echo peer) failed'))),
    );
    expect(line).toBe('    relay quality: not measured: the second allocation (the echo peer) failed');
  });
});
