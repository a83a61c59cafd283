/**
 * What the page's charts draw (page/chart-data.ts): the gathering waterfall's rows from recorded-shape
 * candidates and the path matrix, and each path's RTT.
 */
import { describe, expect, it } from 'vitest';
import type { PathResult, SelectedPair } from '../../src/report/browser-schema.js';
import type { PathTarget } from '../../src/web/api-schema.js';
import { gatheringRows, pathRtt } from '../../src/web/page/chart-data.js';
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
      [
        target('stun-1', 'stun'),
        target('turn-udp-1', 'turn-udp'),
        target('turns-1', 'turns', 'turn.example.org'),
      ],
    );
    expect(rows).toEqual([
      { pathId: 'stun-1', label: 'bundled: stun-1', firstMs: { host: null, srflx: 12, relay: null } },
      { pathId: 'turn-udp-1', label: 'bundled: turn-udp-1', firstMs: { host: 3, srflx: null, relay: 40 } },
      {
        pathId: 'turns-1',
        label: 'turn.example.org: turns-1',
        firstMs: { host: null, srflx: null, relay: null },
      },
      { pathId: 'call', label: 'call', firstMs: { host: 2, srflx: null, relay: null } },
    ]);
  });

  it('nothing configured, nothing gathered: no rows', () => {
    expect(gatheringRows([], [])).toEqual([]);
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
