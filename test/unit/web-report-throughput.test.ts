/**
 * The data channel throughput test's accounting (page/throughput-meter.ts): the rate is acknowledged bytes
 * over the measured time, samples are fixed intervals of the acks that arrived in them, stalls are 0
 * samples, reordered acks are ignored; and the start/ack messages of the wire protocol.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ackMessage,
  kbps,
  parseAck,
  parseStart,
  startMessage,
  ThroughputMeter,
} from '../../src/web/page/throughput-meter.js';

describe('kbps', () => {
  it('is bytes × 8 / ms (1 kbit = 1000 bit), to 0.1', () => {
    expect(kbps(125_000, 1000)).toBe(1000);
    expect(kbps(16_384, 1000)).toBe(131.1);
    expect(kbps(1, 3)).toBe(2.7);
    expect(kbps(1000, 0)).toBe(0);
  });
});

describe('ThroughputMeter', () => {
  it('rates what was acknowledged over the whole interval; one sample per full interval', () => {
    const m = new ThroughputMeter(100);
    m.ack(50, 12_500);
    m.ack(150, 25_000);
    m.ack(250, 37_500);
    expect(m.finish(300)).toEqual({
      kbps: (37_500 * 8) / 300,
      bytes: 37_500,
      durationMs: 300,
      samples: [
        { tMs: 100, kbps: 1000 },
        { tMs: 200, kbps: 1000 },
        { tMs: 300, kbps: 1000 },
      ],
    });
  });

  it('an interval without acks is a 0 sample (a stall), and the bytes count where their ack arrived', () => {
    const m = new ThroughputMeter(100);
    m.ack(90, 10_000);
    m.ack(350, 30_000);
    expect(m.finish(400).samples).toEqual([
      { tMs: 100, kbps: 800 },
      { tMs: 200, kbps: 0 },
      { tMs: 300, kbps: 0 },
      { tMs: 400, kbps: 1600 },
    ]);
  });

  it('a last partial interval counts when at least half a sample long, over its own length', () => {
    const long = new ThroughputMeter(100);
    long.ack(120, 6_250);
    expect(long.finish(150).samples).toEqual([
      { tMs: 100, kbps: 0 },
      { tMs: 150, kbps: 1000 },
    ]);
    const short = new ThroughputMeter(100);
    short.ack(120, 6_250);
    const r = short.finish(140);
    expect(r.samples).toEqual([{ tMs: 100, kbps: 0 }]);
    expect(r.kbps).toBe(357.1);
  });

  it('a total that goes down (a reordered ack) is ignored', () => {
    const m = new ThroughputMeter(100);
    m.ack(10, 50_000);
    m.ack(20, 40_000);
    expect(m.finish(100).bytes).toBe(50_000);
  });

  it('no acks: 0 kbit/s, 0 bytes', () => {
    expect(new ThroughputMeter(100).finish(1000)).toMatchObject({ kbps: 0, bytes: 0 });
  });

  it('refuses a sample length that is not > 0', () => {
    expect(() => new ThroughputMeter(0)).toThrow(RangeError);
    expect(() => new ThroughputMeter(Number.NaN)).toThrow(RangeError);
  });

  it('property: the samples add up to the acknowledged bytes when the test ends on a boundary', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 100_000 })), {
          maxLength: 50,
        }),
        (acks) => {
          const m = new ThroughputMeter(100);
          let total = 0;
          for (const [t, bytes] of [...acks].sort((x, y) => x[0] - y[0])) {
            total += bytes;
            m.ack(t, total);
          }
          const r = m.finish(1000);
          expect(r.bytes).toBe(total);
          expect(r.samples).toHaveLength(10);
          const summed = r.samples.reduce((sum, s) => sum + (s.kbps * 100) / 8, 0);
          expect(Math.abs(summed - total)).toBeLessThanOrEqual(10 * 2);
        },
      ),
    );
  });
});

describe('wire messages', () => {
  it('start and ack round-trip; an ack of another run or a malformed one is not counted', () => {
    expect(parseStart(startMessage('0a1b2c3d'))).toBe('0a1b2c3d');
    expect(parseStart('tp-start:XYZ')).toBeNull();
    expect(parseStart('hello')).toBeNull();
    expect(parseAck(ackMessage('0a1b2c3d', 16_384), '0a1b2c3d')).toBe(16_384);
    expect(parseAck(ackMessage('ffffffff', 16_384), '0a1b2c3d')).toBeNull();
    expect(parseAck('tp-ack:0a1b2c3d:-1', '0a1b2c3d')).toBeNull();
    expect(parseAck('tp-ack:0a1b2c3d:1e9', '0a1b2c3d')).toBeNull();
    expect(parseAck('tp-ack:0a1b2c3d:', '0a1b2c3d')).toBeNull();
  });
});
