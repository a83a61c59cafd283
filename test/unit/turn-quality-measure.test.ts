import { describe, expect, it } from 'vitest';
import { measureRelayQuality, qualityWorstCaseMs } from '../../src/client/turn-check/quality.js';
import { judgeQuality } from '../../src/client/turn-check/quality-judge.js';
import { summariseQuality } from '../../src/client/turn-check/quality-summary.js';
import type { RelayedData, TurnSession } from '../../src/client/turn-check/session.js';

/**
 * Two fake TURN clients joined by a relay that delays every datagram by `delayMs` and, with `capBytesPerS`,
 * drops what a token bucket of one second's worth (the bundled server's ByteBucket, coturn max-bps) has no
 * room for. Only what measureRelayQuality uses: onRelayed, channelData, linkFailure.
 */
function fakePair(delayMs: number, capBytesPerS?: number): [TurnSession, TurnSession] {
  const listeners = [new Set<(d: RelayedData) => void>(), new Set<(d: RelayedData) => void>()];
  const buckets = [
    { tokens: capBytesPerS ?? 0, at: performance.now() },
    { tokens: capBytesPerS ?? 0, at: performance.now() },
  ];
  const admit = (to: number, bytes: number): boolean => {
    if (capBytesPerS === undefined) return true;
    const b = buckets[to]!;
    const now = performance.now();
    b.tokens = Math.min(capBytesPerS, b.tokens + ((now - b.at) / 1000) * capBytesPerS);
    b.at = now;
    if (b.tokens < bytes) return false;
    b.tokens -= bytes;
    return true;
  };
  const side = (to: number): TurnSession =>
    ({
      linkFailure: null,
      onRelayed(l: (d: RelayedData) => void) {
        listeners[1 - to]!.add(l);
        return () => listeners[1 - to]!.delete(l);
      },
      channelData(_channel: number, data: Buffer) {
        if (!admit(to, data.length)) return;
        setTimeout(() => {
          for (const l of listeners[to]!) l({ via: 'channel-data', peer: null, data } as RelayedData);
        }, delayMs);
      },
    }) as unknown as TurnSession;
  return [side(1), side(0)];
}

describe('measureRelayQuality against a fake relay', () => {
  it('cut short by the deadline: probes in flight are not lost, no loss or black-hole warning', async () => {
    const [a, b] = fakePair(150);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 600);
    const q = summariseQuality(await measureRelayQuality(a, b, 0x4000, { streamMs: 1000 }, ac.signal));
    expect(q.cutShort).toBe(true);
    // Probes sent in the last 450 ms (3 × 150 ms wait) were still in flight: left out, not lost.
    expect(q.sent).toBeLessThan(30);
    expect(q.lossPercent).toBe(0);
    expect(q.datagramSizes.filter((s) => !s.ok)).toEqual([]);
    expect(q.reason).toMatch(/deadline cut the measure short/);
    expect(judgeQuality(q, 'udp').map((f) => f.code)).toEqual([]);
  });

  it.each([6000, 9000])(
    'a bandwidth-capped relay (%i B/s per direction, one second of burst): no black hole',
    async (cap) => {
      const [a, b] = fakePair(1, cap);
      const q = summariseQuality(
        await measureRelayQuality(a, b, 0x4000, { streamMs: 200 }, new AbortController().signal),
      );
      expect(judgeQuality(q, 'udp').map((f) => f.code)).not.toContain('relay-datagram-black-hole');
    },
  );

  it('the worst case covers the stream, its wait and both size rounds', () => {
    expect(qualityWorstCaseMs(1000)).toBeGreaterThan(qualityWorstCaseMs(1000, false));
    expect(qualityWorstCaseMs(1000, false)).toBeGreaterThanOrEqual(1000 + 1000 + 3 * 8 * 20 + 1000);
  });
});
