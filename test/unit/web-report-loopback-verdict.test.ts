import { describe, expect, it } from 'vitest';
import type { BrowserCandidate, PathKind, PathResult } from '../../src/report/browser-schema.js';
import { isLoopback } from '../../src/web/page/address.js';
import { explainCandidateError } from '../../src/web/page/candidate-errors.js';
import { natFacts } from '../../src/web/page/nat-facts.js';
import { relayProof } from '../../src/web/page/relay-proof.js';
import { type VerdictInput, verdict } from '../../src/web/page/verdict.js';
import { candidateRow } from '../support/browser-rows.js';

// The README's loopback setup (serve on 127.0.0.1, the page at http://127.0.0.1:8080/) as each browser sees
// it, and the cases that would fool a loopback rule: a real NAT, a LAN server, a srflx equal to a host, a
// browser that gathers nothing, Firefox with media.peerconnection.ice.loopback set, Chromium with a dead server.

const CHROMIUM =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';

const LOOP = {
  stun: 'stun:127.0.0.1:3478',
  'turn-udp': 'turn:127.0.0.1:3478?transport=udp',
  'turn-tcp': 'turn:127.0.0.1:3478?transport=tcp',
  turns: 'turns:127.0.0.1:5349?transport=tcp',
} as const satisfies Record<PathKind, string>;
const KINDS = Object.keys(LOOP) as PathKind[];

/** A host candidate on 10.0.0.5 of `pathId`, with `over` on top. */
const cand = (pathId: string, over: Partial<BrowserCandidate>): BrowserCandidate => ({
  ...candidateRow(pathId, 'host', 5, '10.0.0.5'),
  ...over,
});

/** A path of `kind` on `url`: gathered or not; a gathered TURN path carries a proved relay. */
function path(kind: PathKind, gathered: boolean, url: string = LOOP[kind]): PathResult {
  const pair = {
    source: 'selectedCandidatePairId' as const,
    localType: 'relay' as const,
    remoteType: 'relay' as const,
    protocol: 'udp' as const,
    relayProtocol:
      kind === 'turn-udp' ? ('udp' as const) : kind === 'turn-tcp' ? ('tcp' as const) : ('tls' as const),
    localAddress: '127.0.0.1',
    localPort: 60000,
    remoteAddress: '127.0.0.1',
    remotePort: 60001,
    url,
    rttMs: 1,
    pairChanges: 0,
    dtlsState: 'connected',
    dtlsCipher: null,
  };
  return {
    id: kind,
    url,
    kind,
    gathered,
    firstCandidateMs: gathered ? 20 : null,
    proof: kind === 'stun' ? null : gathered ? relayProof({ kind, url }, pair, [1, 2]) : null,
    throughputKbps: null,
    ...(!gathered && { error: 'gathering ended without a candidate after error 701' }),
  };
}

/** Every candidate the servers produced for the paths of `urls` (relays on 127.0.0.1 for a loopback URL). */
function served(urls: Record<PathKind, string>, srflx: Partial<BrowserCandidate> | null): BrowserCandidate[] {
  const out: BrowserCandidate[] = [];
  if (srflx) out.push(cand('stun', { type: 'srflx', url: urls.stun, tMs: 10, ...srflx }));
  for (const k of ['turn-udp', 'turn-tcp', 'turns'] as const)
    out.push(
      cand(k, {
        type: 'relay',
        url: urls[k],
        address: urls[k].includes('127.0.0.1') ? '127.0.0.1' : '198.51.100.20',
        port: 61000,
        relayProtocol: k === 'turn-udp' ? 'udp' : k === 'turn-tcp' ? 'tcp' : 'tls',
      }),
    );
  return out;
}

function run(
  candidates: BrowserCandidate[],
  paths: PathResult[],
  userAgent: string,
  errors: VerdictInput['candidateErrors'] = [],
) {
  const nat = natFacts({
    candidates,
    candidateErrors: errors,
    mappingProbe: null,
    serverUrls: paths.map((p) => p.url),
  });
  const v = verdict({
    paths,
    candidates,
    userAgent,
    nat,
    signaling: [],
    candidateErrors: errors,
    selectedPair: null,
    peerPair: null,
  });
  return { nat, v };
}

const err701 = (p: PathKind) =>
  explainCandidateError({ url: LOOP[p], errorCode: 701, errorText: '', address: null, port: null }, p, 3000);

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', false, true],
    ['127.8.9.10', false, true],
    ['::1', false, true],
    ['[::1]', false, true],
    ['0:0:0:0:0:0:0:1', false, true],
    ['::ffff:127.0.0.1', false, true],
    ['localhost', true, true],
    ['a.localhost', true, true],
    ['localhost', false, false],
    ['128.0.0.1', false, false],
    ['10.0.0.1', false, false],
    ['::', false, false],
    ['::11', false, false],
    ['::ffff:10.0.0.1', false, false],
    ['host.local', true, false],
  ])('%s (names %s) → %s', (address, names, expected) => {
    expect(isLoopback(address, names)).toBe(expected);
  });
});

describe('the README loopback setup', () => {
  it('Chromium: srflx 127.0.0.1 with a related 10.x and relays on 127.0.0.1 → no NAT claimed, same-machine', () => {
    const candidates = [
      cand('call', {}),
      ...served(LOOP, { address: '127.0.0.1', port: 40000, relatedAddress: '10.0.0.5', relatedPort: 50000 }),
    ];
    const { nat, v } = run(
      candidates,
      KINDS.map((k) => path(k, true)),
      CHROMIUM,
    );
    expect(nat).toMatchObject({ natPresent: false, mapping: null, mappingMethod: 'none', sameMachine: true });
    expect(nat.reasons.natPresent).toMatch(/the STUN server is on this machine \(a loopback address\)/);
    expect(nat.reasons.mapping).toMatch(/not judged: the STUN servers are on this machine/);
    expect(v.code).toBe('same-machine');
    expect(v.text).toMatch(/4 of 4 paths work/);
    expect(v.text).toMatch(/another device/);
    expect(v.text).not.toMatch(/NAT keeps|no STUN or TURN server answered/);
    expect(v.facts.join('\n')).not.toMatch(/NAT: present/);
  });

  it('Chromium on loopback with a failing TURN/TLS path: same-machine names what does not work', () => {
    const candidates = [
      cand('call', {}),
      ...served(LOOP, {
        address: '127.0.0.1',
        port: 40000,
        relatedAddress: '10.0.0.5',
        relatedPort: 50000,
      }).filter((c) => c.pathId !== 'turns'),
    ];
    const paths = KINDS.map((k) => path(k, k !== 'turns'));
    const { v } = run(candidates, paths, CHROMIUM);
    expect(v.code).toBe('same-machine');
    expect(v.text).toMatch(/3 of 4 paths work; not working: TURN\/TLS turns:127\.0\.0\.1:5349/);
  });

  it('Firefox with default preferences: every URL a 701, only host candidates → browser-ignores-loopback', () => {
    const candidates = [cand('call', { address: '100.64.90.1' }), cand('stun', { address: '100.64.90.1' })];
    const { v } = run(
      candidates,
      KINDS.map((k) => path(k, false)),
      FIREFOX,
      KINDS.map(err701),
    );
    expect(v.code).toBe('browser-ignores-loopback');
    expect(v.text).toMatch(/media\.peerconnection\.ice\.loopback/);
    expect(v.text).toMatch(/about:config/);
    expect(v.text).not.toMatch(/no STUN or TURN server answered/);
  });

  it('Firefox with media.peerconnection.ice.loopback set (a 127.0.0.1 host): the normal verdict, same-machine', () => {
    // The srflx equals the 127.0.0.1 host candidate, so Firefox drops it; the relays are on loopback.
    const candidates = [
      cand('call', { address: '127.0.0.1' }),
      cand('call', { address: '100.64.90.1' }),
      ...served(LOOP, null),
    ];
    const { nat, v } = run(
      candidates,
      KINDS.map((k) => path(k, k !== 'stun')),
      FIREFOX,
    );
    expect(nat).toMatchObject({ udp: true, natPresent: null, sameMachine: true });
    expect(v.code).toBe('same-machine');
    expect(v.text).toMatch(/4 of 4 paths work/);
  });

  it('Firefox with the preference and mDNS (a real profile): srflx of its own interface, hosts .local → same-machine', () => {
    // Firefox sends from its 100.64.90.1 socket to 127.0.0.1: the server maps that address, hidden base.
    const hidden = { relatedAddress: '0.0.0.0', relatedPort: 0 };
    const candidates = [
      cand('call', { address: '2f1c0b7e-0000-4000-8000-000000000001.local' }),
      cand('stun', { address: '2f1c0b7e-0000-4000-8000-000000000002.local' }),
      ...served(LOOP, { address: '100.64.90.1', port: 40000, ...hidden }),
      cand('call', { type: 'srflx', address: '100.64.90.1', port: 40002, ...hidden }),
    ];
    const { nat, v } = run(
      candidates,
      KINDS.map((k) => path(k, true)),
      FIREFOX,
    );
    expect(nat).toMatchObject({ natPresent: false, mapping: null, sameMachine: true });
    expect(nat.reasons.publicAddress).toMatch(/not this network's public address/);
    expect(v.code).toBe('same-machine');
  });

  it('Firefox with the preference set and the servers down: no-path, not the loopback rule', () => {
    const candidates = [cand('call', { address: '127.0.0.1' })];
    const { v } = run(
      candidates,
      KINDS.map((k) => path(k, false)),
      FIREFOX,
      KINDS.map(err701),
    );
    expect(v.code).toBe('no-path');
  });

  it('Chromium with the loopback servers down: no-path (only Firefox has the loopback rule)', () => {
    const candidates = [cand('call', {})];
    const { v } = run(
      candidates,
      KINDS.map((k) => path(k, false)),
      CHROMIUM,
      KINDS.map(err701),
    );
    expect(v.code).toBe('no-path');
    expect(v.facts.join('\n')).not.toMatch(/media\.peerconnection/);
  });

  it('Firefox, servers on a LAN address that do not answer: no-path, not the loopback rule', () => {
    const lan = (k: PathKind) => LOOP[k].replace('127.0.0.1', '192.168.1.2');
    const candidates = [cand('call', { address: '192.168.1.10' })];
    const { v } = run(
      candidates,
      KINDS.map((k) => path(k, false, lan(k))),
      FIREFOX,
    );
    expect(v.code).toBe('no-path');
  });
});

describe('the cases a loopback rule must not catch', () => {
  const PUB = {
    stun: 'stun:203.0.113.1:3478',
    'turn-udp': 'turn:203.0.113.1:3478?transport=udp',
    'turn-tcp': 'turn:203.0.113.1:3478?transport=tcp',
    turns: 'turns:203.0.113.1:5349?transport=tcp',
  } as const;

  /** The NAT facts of a run asking the loopback STUN server and a public one. */
  const beside = (candidates: BrowserCandidate[]) =>
    natFacts({ candidates, candidateErrors: [], mappingProbe: null, serverUrls: [LOOP.stun, PUB.stun] });

  it('a real NAT (public address not loopback): NAT present, not same-machine', () => {
    const candidates = [
      cand('call', { address: '192.168.1.10' }),
      ...served(PUB, {
        address: '198.51.100.7',
        port: 40001,
        relatedAddress: '192.168.1.10',
        relatedPort: 50000,
      }),
    ];
    const { nat, v } = run(
      candidates,
      KINDS.map((k) => path(k, true, PUB[k])),
      CHROMIUM,
    );
    expect(nat).toMatchObject({ natPresent: true, sameMachine: false });
    expect(v.code).not.toBe('same-machine');
  });

  it('a loopback server beside a public one: NAT judged from the public mapped address only', () => {
    const candidates = [
      cand('call', {}),
      cand('stun', {
        type: 'srflx',
        url: LOOP.stun,
        address: '127.0.0.1',
        port: 40000,
        relatedAddress: '10.0.0.5',
        relatedPort: 50000,
      }),
      cand('stun-pub', {
        type: 'srflx',
        url: PUB.stun,
        tMs: 12,
        address: '198.51.100.7',
        port: 40001,
        relatedAddress: '10.0.0.5',
        relatedPort: 50000,
      }),
    ];
    const nat = beside(candidates);
    expect(nat).toMatchObject({
      natPresent: true,
      sameMachine: false,
      publicAddress: { address: '198.51.100.7', port: 40001, family: 'IPv4' },
    });
    expect(nat.reasons.natPresent).toMatch(
      /198\.51\.100\.7:40001 differs from the socket's address 10\.0\.0\.5:50000/,
    );
  });

  it('a srflx of a loopback server beside a public server behind NAT: the public srflx judges (NAT present)', () => {
    const hidden = { relatedAddress: '0.0.0.0', relatedPort: 0 };
    const candidates = [
      cand('call', { address: '192.168.1.10' }),
      cand('stun', { type: 'srflx', url: LOOP.stun, address: '192.168.1.10', port: 50000, ...hidden }),
      cand('stun-pub', { address: '192.168.1.10', port: 50002 }),
      cand('stun-pub', { type: 'srflx', url: PUB.stun, address: '198.51.100.7', port: 40001, ...hidden }),
    ];
    const nat = beside(candidates);
    expect(nat).toMatchObject({
      natPresent: true,
      sameMachine: false,
      publicAddress: { address: '198.51.100.7' },
    });
  });

  it('one srflx equal to a host candidate (base hidden): no NAT, mapping local-address, direct', () => {
    const candidates = [
      cand('stun', { address: '100.64.90.1', port: 50000 }),
      cand('stun', {
        type: 'srflx',
        url: 'stun:100.64.90.2:3478',
        address: '100.64.90.1',
        port: 50000,
        relatedAddress: '0.0.0.0',
        relatedPort: 0,
      }),
    ];
    const { nat, v } = run(candidates, [path('stun', true, 'stun:100.64.90.2:3478')], CHROMIUM);
    expect(nat).toMatchObject({
      natPresent: false,
      mapping: 'endpoint-independent',
      mappingMethod: 'local-address',
      sameMachine: false,
    });
    expect(v.code).toBe('direct');
  });

  it('a LAN server (srflx = its base 192.168.1.10): no NAT, direct, not same-machine', () => {
    const lan = (k: PathKind) => LOOP[k].replace('127.0.0.1', '192.168.1.2');
    const urls = Object.fromEntries(KINDS.map((k) => [k, lan(k)])) as Record<PathKind, string>;
    const candidates = [
      cand('call', { address: '192.168.1.10' }),
      ...served(urls, {
        address: '192.168.1.10',
        port: 50000,
        relatedAddress: '192.168.1.10',
        relatedPort: 50000,
      }),
    ].map((c) => (c.type === 'relay' ? { ...c, address: '192.168.1.2' } : c));
    const { nat, v } = run(
      candidates,
      KINDS.map((k) => path(k, true, lan(k))),
      FIREFOX,
    );
    expect(nat).toMatchObject({ natPresent: false, sameMachine: false });
    expect(v.code).toBe('direct');
  });
});

describe('a browser that gathers nothing', () => {
  it('no candidate at all, every server silent → no-candidates, never blamed on the servers', () => {
    const { v } = run(
      [],
      KINDS.map((k) => path(k, false)),
      CHROMIUM,
    );
    expect(v.code).toBe('no-candidates');
    expect(v.text).toMatch(/gathered no ICE candidate at all/);
    expect(v.text).not.toMatch(/no STUN or TURN server answered/);
  });

  it('Firefox on loopback URLs with no candidate at all → no-candidates (the loopback rule needs a host)', () => {
    const { v } = run(
      [],
      KINDS.map((k) => path(k, false)),
      FIREFOX,
      KINDS.map(err701),
    );
    expect(v.code).toBe('no-candidates');
  });

  it('one host candidate is enough not to say it', () => {
    const { v } = run([cand('call', {})], [path('stun', false, 'stun:203.0.113.1:3478')], CHROMIUM);
    expect(v.code).toBe('no-path');
  });
});
