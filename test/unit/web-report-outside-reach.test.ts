/**
 * The page's outside-reach proof, pure parts (src/web/page/outside-reach.ts): the ICE-lite answer SDP, what
 * getStats shows, the judgement against the cases that would fool it (same host, one direction only, no
 * relay candidate), and the plain answer's statement.
 */
import { describe, expect, it } from 'vitest';
import { outsideReachSchema } from '../../src/report/browser-reach-schema.js';
import type { PathResult } from '../../src/report/browser-schema.js';
import {
  CHECKS_EVIDENCE_MS,
  failureEvidence,
  firstMid,
  isPrivateAddress,
  judgeOutsideReach,
  type OutsideObservation,
  outsideAnswerSdp,
  outsideReachStatements,
  reachMayStart,
  readOutsidePair,
} from '../../src/web/page/outside-reach.js';

const REPORT = { address: '198.51.100.2', port: 40_000, family: 'IPv4' as const };
const RELAYED = { address: '203.0.113.9', port: 50_123 };
const OFFER = {
  ufrag: '0123456789abcdef',
  pwd: 'f'.repeat(32),
  fingerprint: Array.from({ length: 32 }, () => 'AB').join(':'),
  candidate: REPORT,
  expiresAt: '2027-01-01T00:00:00.000Z',
};

const seen = (o: Partial<OutsideObservation>): OutsideObservation => ({
  server: 'turn.example.org',
  turnHost: 'turn.example.org',
  reportServer: REPORT,
  relayed: RELAYED,
  succeeded: true,
  seen: [{ ...RELAYED, family: 'IPv4' }],
  ...o,
});

describe('outsideAnswerSdp', () => {
  it('is an ICE-lite answer with the issued credentials and the one host candidate', () => {
    const sdp = outsideAnswerSdp(OFFER, '0');
    expect(sdp.split('\r\n')).toEqual(
      expect.arrayContaining([
        'a=ice-lite',
        'a=ice-ufrag:0123456789abcdef',
        `a=ice-pwd:${'f'.repeat(32)}`,
        'a=mid:0',
        'a=setup:passive',
        'a=candidate:1 1 udp 2130706431 198.51.100.2 40000 typ host',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      ]),
    );
    expect(sdp.endsWith('\r\n')).toBe(true);
    const v6 = outsideAnswerSdp(
      { ...OFFER, candidate: { address: '2001:db8::2', port: 9, family: 'IPv6' } },
      '1',
    );
    expect(v6).toContain('c=IN IP6 ::');
    expect(v6).toContain('a=group:BUNDLE 1');
  });

  it('firstMid reads the offer’s mid', () => {
    expect(firstMid('v=0\r\nm=application 9 x\r\na=mid:data\r\n')).toBe('data');
    expect(firstMid('v=0\r\n')).toBe('0');
  });
});

describe('readOutsidePair', () => {
  const stats = (state: string) => [
    {
      id: 'L',
      type: 'local-candidate',
      candidateType: 'relay',
      address: RELAYED.address,
      port: RELAYED.port,
    },
    { id: 'R', type: 'remote-candidate', candidateType: 'host', address: REPORT.address, port: REPORT.port },
    { id: 'P', type: 'candidate-pair', state, localCandidateId: 'L', remoteCandidateId: 'R' },
  ];
  it('finds a succeeded pair to the responder and its relayed address', () => {
    expect(readOutsidePair(stats('succeeded'), REPORT)).toMatchObject({ succeeded: true, relayed: RELAYED });
  });
  it('an in-progress pair, or a pair to another address, has not succeeded; the relay candidate is still named', () => {
    expect(readOutsidePair(stats('in-progress'), REPORT)).toMatchObject({
      succeeded: false,
      relayed: RELAYED,
    });
    expect(readOutsidePair(stats('succeeded'), { ...REPORT, port: 1 }).succeeded).toBe(false);
    expect(readOutsidePair([], REPORT)).toEqual({
      succeeded: false,
      paired: false,
      failed: false,
      requestsSent: 0,
      relayed: null,
      relayFamilies: [],
    });
  });
  it('reads a failed pair and the checks sent on it', () => {
    const s: Record<string, unknown>[] = stats('failed');
    s[2] = { ...s[2], requestsSent: 7 };
    expect(readOutsidePair(s as never, REPORT)).toMatchObject({
      succeeded: false,
      paired: true,
      failed: true,
      requestsSent: 7,
    });
  });
  it('never falls back to a relay candidate of the other address family', () => {
    const v6 = [
      { id: 'L6', type: 'local-candidate', candidateType: 'relay', address: '2001:db8::9', port: 5 },
    ];
    expect(readOutsidePair(v6, REPORT)).toMatchObject({ relayed: null, relayFamilies: ['IPv6'] });
  });
});

describe('reachMayStart', () => {
  const relay = { pathId: 'turn-udp-1', type: 'relay' as const };
  it('only for a proved path that gathered a relay candidate', () => {
    const gathered = { id: 'turn-udp-1', gathered: true };
    expect(reachMayStart(true, gathered, [relay])).toBe(true);
    expect(reachMayStart(false, gathered, [relay])).toBe(false);
    expect(reachMayStart(true, { ...gathered, gathered: false }, [relay])).toBe(false);
    expect(reachMayStart(true, gathered, [{ ...relay, type: 'srflx' }])).toBe(false);
    expect(reachMayStart(true, gathered, [{ ...relay, pathId: 'turn-udp-2' }])).toBe(false);
  });
});

describe('failureEvidence', () => {
  const base = {
    succeeded: false,
    paired: true,
    failed: false,
    requestsSent: 1,
    relayed: RELAYED,
    relayFamilies: [],
  };
  it('failed: the pair or the connection failed, or the browser dropped the pair (CreatePermission refused)', () => {
    expect(failureEvidence({ ...base, failed: true }, 'checking', null)).toBe('failed');
    expect(failureEvidence(base, 'failed', null)).toBe('failed');
    expect(failureEvidence({ ...base, paired: false, requestsSent: 0 }, 'disconnected', null)).toBe('failed');
  });
  it('silent only after checks were sent long enough; else none (a time-out proves nothing)', () => {
    expect(failureEvidence(base, 'checking', CHECKS_EVIDENCE_MS)).toBe('silent');
    expect(failureEvidence(base, 'checking', CHECKS_EVIDENCE_MS - 1)).toBe('none');
    expect(failureEvidence(base, 'checking', null)).toBe('none');
    expect(failureEvidence({ ...base, paired: false }, 'new', null)).toBe('none');
    expect(failureEvidence({ ...base, paired: false, relayed: null }, 'disconnected', null)).toBe('none');
    expect(failureEvidence(base, 'disconnected', 100)).toBe('none');
  });
});

describe('judgeOutsideReach', () => {
  it('reachable only when the pair succeeded AND the report server saw the relayed address', () => {
    const r = judgeOutsideReach(seen({}));
    expect(outsideReachSchema.parse(r)).toEqual(r);
    expect(r.result).toBe('reachable');
    expect(r.reportServer).toBe('198.51.100.2:40000');
    expect(r.relayedAddress).toBe('203.0.113.9:50123');
    expect(
      judgeOutsideReach(seen({ seen: [{ address: '192.0.2.1', port: 1, family: 'IPv4' }] })).result,
    ).toBe('not-proved');
  });

  it('not proved for the bundled server or one host, whatever the checks did', () => {
    for (const o of [
      seen({ server: 'bundled' }),
      seen({ turnHost: '198.51.100.2' }),
      seen({ relayed: { address: '198.51.100.2', port: 50_000 } }),
    ]) {
      const r = judgeOutsideReach(o);
      expect(r.result).toBe('not-proved');
      expect(r.detail).toMatch(/same host/);
    }
  });

  it('not reachable: says whether the report server saw the checks (answers blocked) or nothing came', () => {
    const answered = judgeOutsideReach(seen({ succeeded: false, failure: 'failed' }));
    expect(answered.result).toBe('not-reachable');
    expect(answered.detail).toMatch(/answered, but no answer came back/);
    expect(answered.detail).toMatch(/either .* or the report server's own outbound UDP/);
    const silent = judgeOutsideReach(seen({ succeeded: false, seen: [], failure: 'silent' }));
    expect(silent.result).toBe('not-reachable');
    expect(silent.detail).toMatch(/no check from the relayed address reached the report server/);
  });

  it('a time-out without evidence (pair neither failed nor checks sent long enough) is not proved', () => {
    for (const failure of [undefined, 'none' as const]) {
      const r = judgeOutsideReach(seen({ succeeded: false, seen: [], ...(failure && { failure }) }));
      expect(r.result).toBe('not-proved');
      expect(r.detail).toMatch(/timed out/);
    }
  });

  it('no relay candidate of the responder’s family: not proved, naming the families', () => {
    const r = judgeOutsideReach(
      seen({ succeeded: false, relayed: null, relayFamilies: ['IPv6'], seen: [], failure: 'failed' }),
    );
    expect(r.result).toBe('not-proved');
    expect(r.detail).toMatch(/IPv4.*IPv6/);
  });

  it('a loopback or link-local responder never gives "not reachable" unless the relayed address is loopback too', () => {
    for (const address of ['127.0.0.1', '::1', '169.254.1.2', 'fe80::1']) {
      const reportServer = {
        address,
        port: 40_000,
        family: address.includes(':') ? 'IPv6' : 'IPv4',
      } as const;
      for (const relayedIp of ['10.0.0.9', '203.0.113.9']) {
        const r = judgeOutsideReach(
          seen({
            reportServer,
            relayed: { address: relayedIp, port: 5 },
            succeeded: false,
            seen: [],
            failure: 'failed',
          }),
        );
        expect(r.result, `${address} ${relayedIp}`).toBe('not-proved');
      }
    }
    const bothLoopback = judgeOutsideReach(
      seen({
        reportServer: { address: '127.0.0.2', port: 40_000, family: 'IPv4' },
        relayed: { address: '127.0.0.1', port: 5 },
        succeeded: false,
        seen: [],
        failure: 'failed',
      }),
    );
    expect(bothLoopback.result).toBe('not-reachable');
  });

  it('a private responder: not reachable only when the relayed address is private too', () => {
    const reportServer = { address: '10.0.0.5', port: 40_000, family: 'IPv4' as const };
    const fail = { succeeded: false, seen: [], failure: 'failed' as const };
    expect(judgeOutsideReach(seen({ reportServer, ...fail })).result).toBe('not-proved');
    expect(
      judgeOutsideReach(seen({ reportServer, relayed: { address: '127.0.0.1', port: 5 }, ...fail })).result,
    ).toBe('not-proved');
    expect(
      judgeOutsideReach(seen({ reportServer, relayed: { address: '10.0.0.9', port: 5 }, ...fail })).result,
    ).toBe('not-reachable');
  });

  it('a private report server address and a public relayed one: a failure is not proved, a success still counts', () => {
    const privateReport = { address: '10.0.0.5', port: 40_000, family: 'IPv4' as const };
    const failed = judgeOutsideReach(seen({ reportServer: privateReport, succeeded: false, seen: [] }));
    expect(failed.result).toBe('not-proved');
    expect(failed.detail).toMatch(/private/);
    expect(judgeOutsideReach(seen({ reportServer: privateReport })).result).toBe('reachable');
    expect(isPrivateAddress('100.64.90.2')).toBe(true);
    expect(isPrivateAddress('172.32.0.1')).toBe(false);
    expect(isPrivateAddress('fd00::1')).toBe(true);
    expect(isPrivateAddress('2001:db8::1')).toBe(false);
  });

  it('not proved without a responder, without a relay candidate, or when it could not run', () => {
    expect(judgeOutsideReach(seen({ reportServer: null, reason: '503' })).result).toBe('not-proved');
    expect(
      judgeOutsideReach(seen({ succeeded: false, relayed: null, seen: [], failure: 'failed' })).result,
    ).toBe('not-proved');
    expect(judgeOutsideReach(seen({ reason: 'refused' })).result).toBe('not-proved');
  });
});

describe('outsideReachStatements', () => {
  const path = (id: string, o: Partial<OutsideObservation> | null): PathResult => ({
    id,
    url: `turn:turn.example.org:3478?transport=udp#${id}`,
    kind: 'turn-udp',
    gathered: true,
    firstCandidateMs: 10,
    proof: null,
    throughputKbps: null,
    ...(o && { outsideReach: judgeOutsideReach(seen(o)) }),
  });
  it('none without a result; ok, fail, unknown from the best result', () => {
    expect(outsideReachStatements([path('a', null)])).toEqual([]);
    expect(outsideReachStatements([path('a', { succeeded: false }), path('b', {})])[0]?.mark).toBe('ok');
    expect(
      outsideReachStatements([
        path('a', { succeeded: false, failure: 'failed' }),
        path('b', { server: 'bundled' }),
      ])[0],
    ).toMatchObject({
      mark: 'fail',
      text: 'The relay is not reachable from the report server',
    });
    expect(outsideReachStatements([path('a', { server: 'bundled' })])[0]).toMatchObject({
      mark: 'unknown',
      why: expect.stringMatching(/same host/),
    });
  });
  it('a closed server beside a reachable one is not hidden: a mixed mark naming the closed URL', () => {
    const st = outsideReachStatements([path('a', { succeeded: false, failure: 'failed' }), path('b', {})])[0];
    expect(st?.mark).toBe('warn');
    expect(st?.why).toMatch(/not reachable from .*#a/);
  });
});
