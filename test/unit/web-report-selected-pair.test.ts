import { describe, expect, it } from 'vitest';
import { selectedPairSchema } from '../../src/report/browser-schema.js';
import { PairChangeTracker, readSelectedPair } from '../../src/web/page/selected-pair.js';
import type { StatsLike } from '../../src/web/page/stats.js';
import { recordedCall } from '../support/webrtc-fixtures.js';

describe('readSelectedPair on recorded Chromium 156 stats', () => {
  it('host ↔ host: found by selectedCandidatePairId, RTT in ms, DTLS from the transport', () => {
    const call = recordedCall('chromium-host-host');
    const reading = readSelectedPair(call.a.stats[1]!);
    expect(reading?.pairId).toBe('CPpzhkm/QD_TeBB5u9f');
    expect(reading?.pair).toEqual({
      source: 'selectedCandidatePairId',
      localType: 'host',
      remoteType: 'host',
      protocol: 'udp',
      relayProtocol: null,
      localAddress: '100.64.90.1',
      localPort: 59773,
      remoteAddress: '100.64.90.1',
      remotePort: 39362,
      url: null,
      rttMs: 1,
      pairChanges: 0,
      dtlsState: 'connected',
      dtlsCipher: 'TLS_AES_128_GCM_SHA256',
    });
    expect(selectedPairSchema.parse(reading?.pair)).toEqual(reading?.pair);
  });

  it.each([
    ['chromium-relay-udp', 'udp', 'turn:100.64.90.1:46469?transport=udp'],
    ['chromium-relay-tcp', 'tcp', 'turn:100.64.90.1:46469?transport=tcp'],
    ['chromium-relay-tls', 'tls', 'turns:100.64.90.1:41947?transport=tcp'],
  ])(
    '%s: relay ↔ relay, relayProtocol %s and url from the local-candidate stats',
    (name, relayProtocol, url) => {
      const call = recordedCall(name);
      for (const stats of [...call.a.stats, ...call.b.stats]) {
        const pair = readSelectedPair(stats)?.pair;
        expect(pair).toMatchObject({
          localType: 'relay',
          remoteType: 'relay',
          protocol: 'udp',
          relayProtocol,
          url,
        });
      }
      // The RTCIceCandidate of a Chromium UDP relay has no relayProtocol; the stats have it.
      expect(call.a.candidates[0]!.relayProtocol).toBe(relayProtocol === 'udp' ? null : relayProtocol);
    },
  );

  it('falls back to a nominated succeeded pair when no transport names one', () => {
    const stats = recordedCall('chromium-relay-tcp').a.stats[1]!.filter((s) => s.type !== 'transport');
    const pair = readSelectedPair(stats)?.pair;
    expect(pair).toMatchObject({ source: 'nominated', localType: 'relay', relayProtocol: 'tcp' });
    expect(pair?.dtlsState).toBeNull();
  });

  it('returns null before a pair is selected, or when the candidate stats are missing', () => {
    const stats = recordedCall('chromium-host-host').a.stats[1]!;
    expect(
      readSelectedPair(stats.filter((s) => s.type !== 'transport' && s.type !== 'candidate-pair')),
    ).toBeNull();
    expect(readSelectedPair(stats.filter((s) => s.type !== 'local-candidate'))).toBeNull();
    expect(readSelectedPair([])).toBeNull();
  });
});

describe('readSelectedPair on Firefox-shaped stats (hand-made fixture)', () => {
  const stats = recordedCall('firefox-relay-udp').a.stats[0]!;

  it('uses candidate-pair.selected, not the nominated pair with more bytes', () => {
    const reading = readSelectedPair(stats);
    expect(reading?.pairId).toBe('3f9a1c2e');
    expect(reading?.pair).toMatchObject({
      source: 'candidate-pair.selected',
      localType: 'relay',
      relayProtocol: 'udp',
      url: null,
      rttMs: 24,
      remotePort: 51002,
      dtlsState: null,
      dtlsCipher: null,
    });
  });

  it('without selected: the nominated succeeded pair with the most traffic', () => {
    const unselected = stats.map((s) => (s.type === 'candidate-pair' ? { ...s, selected: false } : s));
    const reading = readSelectedPair(unselected);
    expect(reading?.pair.source).toBe('nominated');
    expect(reading?.pairId).toBe('7b2d0e41');
    expect(reading?.pair.rttMs).toBeNull();
  });
});

describe('PairChangeTracker', () => {
  const chromium = recordedCall('chromium-host-host').a.stats[1]!;
  /** The recorded stats with the selected pair switched to a copy of it under another id. */
  const switched = (): StatsLike[] => {
    const pair = chromium.find((s) => s.type === 'candidate-pair')!;
    return [
      ...chromium.map((s) => (s.type === 'transport' ? { ...s, selectedCandidatePairId: 'CPother' } : s)),
      { ...pair, id: 'CPother' },
    ];
  };
  const none = chromium.filter((s) => s.type !== 'transport' && s.type !== 'candidate-pair');

  it('counts switches, not the first selection, and skips polls without a pair', () => {
    const t = new PairChangeTracker();
    expect(t.last).toBeNull();
    expect(t.poll(none)).toBeNull();
    expect(t.poll(chromium)?.pairChanges).toBe(0);
    expect(t.poll(chromium)?.pairChanges).toBe(0);
    expect(t.poll(none)).toBeNull();
    expect(t.poll(chromium)?.pairChanges).toBe(0);
    expect(t.poll(switched())?.pairChanges).toBe(1);
    expect(t.poll(chromium)?.pairChanges).toBe(2);
    expect(t.pairChanges).toBe(2);
    expect(t.last?.localType).toBe('host');
  });
});
