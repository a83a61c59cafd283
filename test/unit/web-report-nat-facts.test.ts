import { describe, expect, it } from 'vitest';
import type { BrowserCandidate, CandidateErrorRow } from '../../src/report/browser-schema.js';
import { browserReportSchema } from '../../src/report/browser-schema.js';
import { explainCandidateError } from '../../src/web/page/candidate-errors.js';
import { toBrowserCandidate } from '../../src/web/page/candidates.js';
import { type MappingProbe, natFacts } from '../../src/web/page/nat-facts.js';
import { recordedGathering } from '../support/webrtc-fixtures.js';

const S1 = 'stun:203.0.113.1:3478';
const S1B = 'stun:203.0.113.1:3479';
const S2 = 'stun:203.0.113.2:3478';

function cand(over: Partial<BrowserCandidate>): BrowserCandidate {
  return {
    pathId: 'mapping',
    tMs: 10,
    type: 'srflx',
    foundation: '1',
    protocol: 'udp',
    address: '198.51.100.7',
    port: 40001,
    priority: 1677729535,
    typePreference: 100,
    localPreference: 30,
    component: 1,
    relatedAddress: '192.168.1.10',
    relatedPort: 5000,
    relayProtocol: null,
    url: S1,
    ...over,
  };
}

const probe = (servers: string[], complete = true): MappingProbe => ({
  pathId: 'mapping',
  servers: servers.map((url) => ({ url, address: url.replace(/^stun:|:\d+$/g, '') })),
  complete,
});

const fromRecording = (name: string) => {
  const g = recordedGathering(name);
  return {
    candidates: g.candidates.map((c) => toBrowserCandidate(c, 'mapping', c.tMs)),
    candidateErrors: g.errors.map((e) => explainCandidateError(e, 'mapping', e.tMs)),
    urls: g.recorded.iceServers.map((s) => s.urls),
  };
};

describe('natFacts on recorded Chromium 156 gatherings', () => {
  it('no NAT (srflx = its base): natPresent false, mapping endpoint-independent by local-address', () => {
    const { candidates, candidateErrors, urls } = fromRecording('chromium-gather-two-stun');
    const f = natFacts({ serverUrls: [], candidates, candidateErrors, mappingProbe: probe(urls) });
    expect(f).toMatchObject({
      udp: true,
      publicAddress: { address: '100.64.90.1', port: candidates[1]!.port, family: 'IPv4' },
      natPresent: false,
      mapping: 'endpoint-independent',
      mappingMethod: 'local-address',
      filtering: null,
      legacyNatType: null,
      hairpinning: null,
      mappingVaries: false,
    });
    expect(f.reasons.natPresent).toMatch(/is the socket's own address/);
    expect(f.reasons.filtering).toMatch(/a browser cannot test filtering/);
    expect(f.reasons.hairpinning).toMatch(/not tested/);
    expect(f.reasons.legacyNatType).toMatch(/filtering/);
  });

  it('mDNS hides the base: natPresent null; the second server answered without a new srflx → endpoint-independent', () => {
    const { candidates, candidateErrors, urls } = fromRecording('chromium-gather-mdns');
    expect(candidates.filter((c) => c.type === 'srflx')).toHaveLength(1);
    const f = natFacts({ serverUrls: [], candidates, candidateErrors, mappingProbe: probe(urls) });
    expect(f.natPresent).toBeNull();
    expect(f.reasons.natPresent).toMatch(/hides its local address \(mDNS names/);
    expect(f).toMatchObject({ mapping: 'endpoint-independent', mappingMethod: 'multi-server' });
    expect(f.reasons.mapping).toMatch(
      /on 2 IPs from one socket \(stun:100\.64\.90\.2:\d+ answered without a new candidate/,
    );
  });

  it('the same gathering before it completed proves nothing about the silent server', () => {
    const { candidates, candidateErrors, urls } = fromRecording('chromium-gather-mdns');
    const f = natFacts({ serverUrls: [], candidates, candidateErrors, mappingProbe: probe(urls, false) });
    expect(f).toMatchObject({ mapping: null, mappingMethod: 'none' });
    expect(f.reasons.mapping).toMatch(/answered from 1 IP\(s\), no answer from stun:100\.64\.90\.2/);
  });

  it('STUN timeouts (701) leave no srflx from them; the TURN/UDP socket answered', () => {
    const { candidates, candidateErrors } = fromRecording('chromium-gather-errors');
    const f = natFacts({
      serverUrls: [],
      candidates,
      candidateErrors,
      mappingProbe: probe(['stun:100.64.90.1:9', 'stun:100.64.90.2:9']),
    });
    expect(f.udp).toBe(true);
    expect(f.natPresent).toBe(false);
  });
});

describe('natFacts behind a NAT (RFC 4787 §4.1)', () => {
  const errors: CandidateErrorRow[] = [];
  it.each([
    [
      'one mapping towards two IPs',
      [cand({ url: S1 }), cand({ url: S2 })],
      [S1, S2],
      'endpoint-independent',
      false,
      null,
    ],
    [
      'a new mapping per IP, none can be told apart',
      [cand({ url: S1 }), cand({ url: S2, port: 40002 })],
      [S1, S2],
      null,
      true,
      'symmetric',
    ],
    [
      'a new mapping per IP, kept across ports of one IP',
      [cand({ url: S1 }), cand({ url: S1B }), cand({ url: S2, port: 40002 })],
      [S1, S1B, S2],
      'address-dependent',
      true,
      'symmetric',
    ],
    [
      'a new mapping per port',
      [cand({ url: S1 }), cand({ url: S1B, port: 40003 }), cand({ url: S2, port: 40002 })],
      [S1, S1B, S2],
      'address-and-port-dependent',
      true,
      'symmetric',
    ],
  ])('%s', (_name, candidates, servers, mapping, varies, legacy) => {
    const f = natFacts({ serverUrls: [], candidates, candidateErrors: errors, mappingProbe: probe(servers) });
    expect(f).toMatchObject({
      natPresent: true,
      mapping,
      mappingMethod: 'multi-server',
      mappingVaries: varies,
    });
    expect(f.legacyNatType).toBe(legacy);
    expect(f.reasons.natPresent).toMatch(/differs from the socket's address 192\.168\.1\.10:5000/);
  });

  it('says why it cannot tell address- from address-and-port-dependent', () => {
    const f = natFacts({
      serverUrls: [],
      candidates: [cand({ url: S1 }), cand({ url: S2, port: 40002 })],
      candidateErrors: errors,
      mappingProbe: probe([S1, S2]),
    });
    expect(f.reasons.mapping).toMatch(/needs two servers on one IP with different ports/);
  });

  it('a hidden base with IP host candidates: NAT when the mapped address is none of them', () => {
    const hidden = cand({ relatedAddress: '0.0.0.0', relatedPort: 0 });
    const host = cand({
      type: 'host',
      address: '192.168.1.10',
      port: 5000,
      relatedAddress: null,
      relatedPort: null,
      url: null,
    });
    expect(
      natFacts({ serverUrls: [], candidates: [hidden, host], candidateErrors: errors, mappingProbe: null })
        .natPresent,
    ).toBe(true);
    const same = cand({
      type: 'host',
      address: '198.51.100.7',
      port: 40001,
      relatedAddress: null,
      relatedPort: null,
      url: null,
    });
    expect(
      natFacts({ serverUrls: [], candidates: [hidden, same], candidateErrors: errors, mappingProbe: null })
        .natPresent,
    ).toBe(false);
  });

  it('a server that failed (701) is no answer: mapping not judged', () => {
    const failed = explainCandidateError(
      {
        url: S2,
        errorCode: 701,
        errorText: 'STUN binding request timed out.',
        address: '0.0.0.x',
        port: 5000,
      },
      'mapping',
      40000,
    );
    const f = natFacts({
      serverUrls: [],
      candidates: [cand({ url: S1 })],
      candidateErrors: [failed],
      mappingProbe: probe([S1, S2]),
    });
    expect(f).toMatchObject({ mapping: null, mappingMethod: 'none' });
    expect(f.reasons.mapping).toMatch(/no answer from stun:203\.0\.113\.2:3478/);
  });

  it('without a mapping probe: not judged', () => {
    const f = natFacts({
      serverUrls: [],
      candidates: [cand({})],
      candidateErrors: errors,
      mappingProbe: null,
    });
    expect(f).toMatchObject({ mapping: null, mappingMethod: 'none', natPresent: true });
  });

  it('several srflx addresses: the first is shown, the others named', () => {
    const f = natFacts({
      serverUrls: [],
      candidates: [cand({ tMs: 20, address: '198.51.100.8' }), cand({ tMs: 5 })],
      candidateErrors: errors,
      mappingProbe: null,
    });
    expect(f.publicAddress).toEqual({ address: '198.51.100.7', port: 40001, family: 'IPv4' });
    expect(f.reasons.publicAddress).toMatch(/several mapped addresses/);
  });
});

describe('natFacts without UDP', () => {
  const relay = (relayProtocol: 'udp' | 'tcp' | 'tls') =>
    cand({
      type: 'relay',
      address: '203.0.113.9',
      relayProtocol,
      url: 'turns:203.0.113.9:443',
      pathId: 'turns-1',
    });

  it('no UDP reply while TURN/TLS answered: udp-blocked', () => {
    const f = natFacts({
      serverUrls: [],
      candidates: [relay('tls')],
      candidateErrors: [],
      mappingProbe: null,
    });
    expect(f).toMatchObject({
      udp: false,
      publicAddress: null,
      natPresent: null,
      legacyNatType: 'udp-blocked',
    });
    expect(f.reasons.udp).toMatch(/while TURN over TLS answered: UDP is blocked/);
  });

  it('a relay over UDP is a UDP reply', () => {
    expect(
      natFacts({ serverUrls: [], candidates: [relay('udp')], candidateErrors: [], mappingProbe: null }).udp,
    ).toBe(true);
  });

  it('nothing answered: every null has its reason, and the fields fit the report schema', () => {
    const f = natFacts({ serverUrls: [], candidates: [], candidateErrors: [], mappingProbe: null });
    expect(f).toMatchObject({
      udp: false,
      publicAddress: null,
      natPresent: null,
      mapping: null,
      legacyNatType: null,
    });
    for (const k of ['publicAddress', 'natPresent', 'mapping', 'filtering', 'legacyNatType', 'hairpinning'])
      expect(f.reasons[k]).toBeTruthy();
    const { mappingVaries: _, sameMachine: _s, ...fields } = f;
    expect(
      browserReportSchema
        .pick({
          udp: true,
          publicAddress: true,
          natPresent: true,
          mapping: true,
          mappingMethod: true,
          filtering: true,
          legacyNatType: true,
          hairpinning: true,
          reasons: true,
        })
        .parse(fields),
    ).toEqual(fields);
  });
});
