/**
 * What the page's charts draw (page/chart-data.ts): the gathering waterfall's rows from recorded-shape
 * candidates and the path matrix, and each path's RTT.
 */
import { describe, expect, it } from 'vitest';
import type { PathResult, SelectedPair } from '../../src/report/browser-schema.js';
import type { PathTarget } from '../../src/web/api-schema.js';
import {
  gatheringRows,
  movingAverage,
  pathLabel,
  pathOutcome,
  pathRtt,
  rateText,
} from '../../src/web/page/chart-data.js';
import { candidateRow } from '../support/browser-rows.js';

const target = (id: string, kind: PathTarget['kind'], server = 'bundled'): PathTarget => ({
  id,
  kind,
  server,
  iceServer: { urls: `${kind === 'stun' ? 'stun' : 'turn'}:192.0.2.1:3478` },
});

describe('gatheringRows', () => {
  it("one row per target in order, then the other paths; each type's earliest time; prflx left out", () => {
    const rows = gatheringRows(
      [
        candidateRow('turn-udp-1', 'relay', 40),
        candidateRow('turn-udp-1', 'host', 5),
        candidateRow('stun-1', 'srflx', 30),
        candidateRow('stun-1', 'srflx', 12),
        candidateRow('call', 'host', 2),
        candidateRow('call', 'prflx', 1),
        candidateRow('turn-udp-1', 'host', 3),
      ],
      [target('stun-1', 'stun'), target('turn-udp-1', 'turn-udp'), target('turns-1', 'turns', 'visitor')],
      [
        {
          id: 'stun-1',
          url: 'stun:192.0.2.1:3478',
          kind: 'stun',
          gathered: true,
          firstCandidateMs: 12,
          proof: null,
          throughputKbps: null,
        },
        {
          id: 'turn-udp-1',
          url: 'turn:192.0.2.1:3478',
          kind: 'turn-udp',
          gathered: true,
          firstCandidateMs: 40,
          proof: { ok: false, rttMs: null, selectedPair: null, assertions: [] },
          throughputKbps: null,
        },
      ],
    );
    expect(rows).toEqual([
      { pathId: 'stun-1', label: 'STUN on 192.0.2.1:3478', firstMs: { host: null, srflx: 12, relay: null } },
      {
        pathId: 'turn-udp-1',
        label: 'TURN/UDP on 192.0.2.1:3478 ✗ failed',
        firstMs: { host: 3, srflx: null, relay: 40 },
      },
      {
        pathId: 'turns-1',
        label: 'your TURN/TLS on 192.0.2.1:3478',
        firstMs: { host: null, srflx: null, relay: null },
      },
      {
        pathId: 'call',
        label: "The page's own call (every server)",
        firstMs: { host: 2, srflx: null, relay: null },
      },
    ]);
  });

  it('nothing configured, nothing gathered: no rows', () => {
    expect(gatheringRows([], [], [])).toEqual([]);
  });
});

describe('pathRtt', () => {
  const path = (proof: PathResult['proof']): PathResult => ({
    id: 'turn-udp-1',
    url: 'turn:192.0.2.1:3478',
    kind: 'turn-udp',
    gathered: true,
    firstCandidateMs: 10,
    proof,
    throughputKbps: null,
  });
  const pair: SelectedPair = {
    source: 'selectedCandidatePairId',
    localType: 'relay',
    remoteType: 'relay',
    protocol: 'udp',
    relayProtocol: 'udp',
    localAddress: '192.0.2.1',
    localPort: 50000,
    remoteAddress: '192.0.2.1',
    remotePort: 50001,
    url: 'turn:192.0.2.1:3478',
    rttMs: 0.8,
    pairChanges: 0,
    dtlsState: 'connected',
    dtlsCipher: null,
  };

  it("the proof's echo RTT, else its selected pair's, else null", () => {
    expect(pathRtt(path({ ok: true, rttMs: 1.4, selectedPair: pair, assertions: [] }))).toBe(1.4);
    expect(pathRtt(path({ ok: false, rttMs: null, selectedPair: pair, assertions: [] }))).toBe(0.8);
    expect(pathRtt(path({ ok: false, rttMs: null, selectedPair: null, assertions: [] }))).toBeNull();
    expect(pathRtt(path(null))).toBeNull();
  });
});

describe('path labels in words', () => {
  it('kind and host:port from the URL; IPv6 in brackets; an unparsable URL as it is', () => {
    expect(pathLabel('stun', 'stun:127.0.0.1:3478')).toBe('STUN on 127.0.0.1:3478');
    expect(pathLabel('turns', 'turns:turn.example.org:443?transport=tcp')).toBe(
      'TURN/TLS on turn.example.org:443',
    );
    expect(pathLabel('turn-tcp', 'turn:[2001:db8::1]?transport=tcp')).toBe('TURN/TCP on [2001:db8::1]:3478');
    expect(pathLabel('turn-udp', 'not a url')).toBe('TURN/UDP on not a url');
  });

  it('TURN works only with a proof that held (gathered alone is not enough)', () => {
    const base = { id: 'x', url: 'turn:h', firstCandidateMs: null, throughputKbps: null };
    const proof = { ok: true, rttMs: 1, selectedPair: null, assertions: [] };
    expect(pathOutcome({ ...base, kind: 'turn-udp', gathered: true, proof: null })).toBe('failed');
    expect(pathOutcome({ ...base, kind: 'turn-udp', gathered: true, proof: { ...proof, ok: false } })).toBe(
      'failed',
    );
    expect(pathOutcome({ ...base, kind: 'turns', gathered: true, proof })).toBe('works');
  });

  it('STUN without srflx is failed only on an error or the deadline; a clean end is unclear (dropped srflx, no NAT)', () => {
    const base = {
      id: 'x',
      url: 'stun:h',
      kind: 'stun' as const,
      firstCandidateMs: null,
      proof: null,
      throughputKbps: null,
    };
    expect(pathOutcome({ ...base, gathered: true })).toBe('works');
    expect(
      pathOutcome({ ...base, gathered: false, error: 'gathering ended without a srflx candidate' }),
    ).toBe('unclear');
    expect(pathOutcome({ ...base, gathered: false })).toBe('unclear');
    expect(
      pathOutcome({
        ...base,
        gathered: false,
        error: 'gathering ended without a srflx candidate after error 701',
      }),
    ).toBe('failed');
    expect(pathOutcome({ ...base, gathered: false, error: 'no srflx candidate within 4.0 s' })).toBe(
      'failed',
    );
  });
});

describe('throughput smoothing', () => {
  it('a trailing moving average over up to 5 samples, same times', () => {
    const samples = [10, 20, 30, 40, 50, 60].map((kbps, i) => ({ tMs: (i + 1) * 100, kbps }));
    expect(movingAverage(samples)).toEqual([
      { tMs: 100, kbps: 10 },
      { tMs: 200, kbps: 15 },
      { tMs: 300, kbps: 20 },
      { tMs: 400, kbps: 25 },
      { tMs: 500, kbps: 30 },
      { tMs: 600, kbps: 40 },
    ]);
  });

  it('a stall (0 sample) pulls the average down instead of vanishing; window 1 is the raw series', () => {
    const samples = [100, 0, 100].map((kbps, i) => ({ tMs: i * 100, kbps }));
    expect(movingAverage(samples, 3).map((s) => s.kbps)).toEqual([100, 50, 66.7]);
    expect(movingAverage(samples, 0)).toEqual(samples);
    expect(movingAverage([])).toEqual([]);
  });

  it('rates in words', () => {
    expect(rateText(850.4)).toBe('850 kbit/s');
    expect(rateText(12_345)).toBe('12.3 Mbit/s');
  });
});
