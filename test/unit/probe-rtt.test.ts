import { describe, expect, it } from 'vitest';
import { MAX_RTO_MS, MIN_RTO_MS, RttEstimator, UNCALIBRATED_RTO_MS } from '../../src/client/transport/rtt.js';
import { nextDeadlineOffsetMs, PROBE_POLICY } from '../../src/client/transport/transaction.js';

describe('RttEstimator (RFC 6298 §2)', () => {
  it('starts uncalibrated at the stated default', () => {
    const e = new RttEstimator();
    expect(e.calibrated).toBe(false);
    expect(e.rtoMs).toBe(UNCALIBRATED_RTO_MS);
  });

  it('first sample gives RTO = 3 × RTT, clamped', () => {
    const e = new RttEstimator();
    e.observe(40);
    expect(e.rtoMs).toBe(120);
    const tiny = new RttEstimator();
    tiny.observe(0.1);
    expect(tiny.rtoMs).toBe(MIN_RTO_MS);
    const huge = new RttEstimator();
    huge.observe(5000);
    expect(huge.rtoMs).toBe(MAX_RTO_MS);
  });

  it('smooths later samples and notifies listeners', () => {
    const e = new RttEstimator();
    let calls = 0;
    const off = e.onChange(() => calls++);
    e.observe(100);
    e.observe(20);
    off();
    e.observe(20);
    expect(calls).toBe(2);
    expect(e.rtoMs).toBeCloseTo(81.25 + 4 * 60.625, 5);
  });
});

describe('retransmission schedule (RFC 8489 §6.2.1)', () => {
  it('sends at 0, RTO, 3·RTO, 7·RTO and gives up at 11·RTO', () => {
    const offsets = [0, 1, 2, 3, 4].map((n) => nextDeadlineOffsetMs(n, 10, PROBE_POLICY));
    expect(offsets).toEqual([0, 10, 30, 70, 110]);
  });

  it('with the RFC defaults (Rc=7, Rm=16, RTO 500 ms) gives up at 39.5 s', () => {
    expect(nextDeadlineOffsetMs(7, 500, { rc: 7, rm: 16 })).toBe(39_500);
  });
});
