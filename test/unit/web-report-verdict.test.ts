import { describe, expect, it } from 'vitest';
import {
  type CandidateErrorRow,
  type PathKind,
  type PathResult,
  type SelectedPair,
  type SignalingCheck,
  verdictSchema,
} from '../../src/report/browser-schema.js';
import { explainCandidateError } from '../../src/web/page/candidate-errors.js';
import type { NatFacts } from '../../src/web/page/nat-facts.js';
import { relayProof } from '../../src/web/page/relay-proof.js';
import { readSelectedPair } from '../../src/web/page/selected-pair.js';
import { type VerdictInput, verdict } from '../../src/web/page/verdict.js';
import { candidateRow } from '../support/browser-rows.js';
import { recordedCall } from '../support/webrtc-fixtures.js';

const pairOf = (name: string): SelectedPair => readSelectedPair(recordedCall(name).a.stats[1]!)!.pair;
const RELAY_PAIR: Record<Exclude<PathKind, 'stun'>, SelectedPair> = {
  'turn-udp': pairOf('chromium-relay-udp'),
  'turn-tcp': pairOf('chromium-relay-tcp'),
  turns: pairOf('chromium-relay-tls'),
};
const URL: Record<PathKind, string> = {
  stun: 'stun:100.64.90.1:46469',
  'turn-udp': 'turn:100.64.90.1:46469?transport=udp',
  'turn-tcp': 'turn:100.64.90.1:46469?transport=tcp',
  turns: 'turns:100.64.90.1:41947?transport=tcp',
};

/** A path row; a TURN path that works carries the recorded Chromium pair of its kind as proof. */
function path(kind: PathKind, works: boolean, url = URL[kind]): PathResult {
  const proof =
    kind === 'stun'
      ? null
      : works
        ? relayProof({ kind, url }, { ...RELAY_PAIR[kind], url }, [1, 2, 3])
        : relayProof({ kind, url }, null, [], 'no relay candidate');
  return {
    id: `${kind}-1`,
    url,
    kind,
    gathered: works,
    firstCandidateMs: works ? 20 : null,
    proof,
    throughputKbps: null,
  };
}

const EIM: NatFacts = {
  udp: true,
  publicAddress: { address: '198.51.100.7', port: 40001, family: 'IPv4' },
  natPresent: true,
  mapping: 'endpoint-independent',
  mappingMethod: 'multi-server',
  filtering: null,
  legacyNatType: null,
  hairpinning: null,
  reasons: { udp: 'stun answered', natPresent: 'differs', mapping: 'same mapping' },
  mappingVaries: false,
  sameMachine: false,
};
const NO_UDP: NatFacts = {
  ...EIM,
  udp: false,
  publicAddress: null,
  natPresent: null,
  mapping: null,
  mappingMethod: 'none',
};
const SYMMETRIC: NatFacts = { ...EIM, mapping: null, legacyNatType: 'symmetric', mappingVaries: true };
const UNJUDGED: NatFacts = { ...EIM, mapping: null, mappingMethod: 'none' };
const NO_NAT: NatFacts = { ...EIM, natPresent: false, mappingMethod: 'local-address' };
const RELAY_UDP_ONLY: NatFacts = { ...NO_UDP, udp: true };

const ws = (ok: boolean): SignalingCheck => ({
  scheme: 'ws',
  url: 'ws://h/signal',
  ok,
  upgradeMs: ok ? 3 : null,
  ...(!ok && { error: 'closed 1006' }),
});
const err401: CandidateErrorRow = explainCandidateError(
  { url: URL['turn-udp'], errorCode: 401, errorText: 'Unauthorized.', address: '0.0.0.x', port: 5000 },
  'turn-udp-1',
  70,
);
const stun701: CandidateErrorRow = explainCandidateError(
  {
    url: URL.stun,
    errorCode: 701,
    errorText: 'STUN binding request timed out.',
    address: '100.64.90.x',
    port: 5000,
  },
  'stun-1',
  2000,
);
const ALL = [path('stun', true), path('turn-udp', true), path('turn-tcp', true), path('turns', true)];

const CHROMIUM_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

const HOSTS = [candidateRow('call', 'host', 5, '100.64.90.1')];

function input(over: Partial<VerdictInput>): VerdictInput {
  return {
    paths: ALL,
    candidates: HOSTS,
    userAgent: CHROMIUM_UA,
    nat: EIM,
    signaling: [ws(true)],
    candidateErrors: [],
    selectedPair: pairOf('chromium-host-host'),
    peerPair: null,
    ...over,
  };
}

describe('verdict', () => {
  it.each<[string, string, Partial<VerdictInput>, RegExp]>([
    [
      'everything works, NAT keeps one mapping',
      'direct',
      {},
      /NAT keeps one public port per socket: direct calls should work with most peers\. TURN works here as a fallback \(TURN\/UDP/,
    ],
    ['no NAT', 'direct', { nat: NO_NAT }, /^UDP works and there is no NAT/],
    ['mapping not judged', 'udp-works', { nat: UNJUDGED }, /could not be judged/],
    [
      'two-peer call direct',
      'direct',
      { peerPair: pairOf('chromium-host-host') },
      /^The two browsers connected directly \(host ↔ host over UDP\)/,
    ],
    ['two-peer call relayed', 'relayed', { peerPair: RELAY_PAIR.turns }, /went through TURN over TLS/],
    [
      'UDP blocked, TURN/TCP fails, TLS relay on 443 works (the proxy-only office)',
      'only-tls-443',
      {
        nat: NO_UDP,
        paths: [
          path('stun', false),
          path('turn-udp', false, 'turn:turn.example.org:3478?transport=udp'),
          path('turn-tcp', false),
          path('turns', true, 'turns:turn.example.org:443?transport=tcp'),
        ],
      },
      /^Only TURN over TLS on port 443 works from here \(through your proxy, if this browser uses one\): UDP is blocked and TURN over TCP on port \d+ did not connect\./,
    ],
    [
      'UDP silent only to ANOTHER server than the TLS 443 one: not "only" (that server may just be down)',
      'udp-blocked-tls-works',
      {
        nat: NO_UDP,
        paths: [
          path('stun', false),
          path('turn-udp', false),
          path('turn-tcp', false),
          path('turns', true, 'turns:turn.example.org:443?transport=tcp'),
        ],
      },
      /^UDP is blocked on this network; calls will relay over TURN\/TLS on 443\.$/,
    ],
    [
      'UDP blocked, TLS relay on 443 works, no other TCP/TLS path tried: not "only"',
      'udp-blocked-tls-works',
      {
        nat: NO_UDP,
        paths: [
          path('stun', false),
          path('turn-udp', false),
          path('turns', true, 'turns:turn.example.org:443?transport=tcp'),
        ],
      },
      /^UDP is blocked on this network; calls will relay over TURN\/TLS on 443\.$/,
    ],
    [
      'UDP blocked, TURN/TCP works too: not "only TLS"',
      'udp-blocked-tls-works',
      {
        nat: NO_UDP,
        paths: [
          path('turn-udp', false),
          path('turn-tcp', true),
          path('turns', true, 'turns:turn.example.org:443?transport=tcp'),
        ],
      },
      /^UDP is blocked on this network; calls will relay over TURN\/TLS on 443\.$/,
    ],
    [
      'UDP blocked, TLS works on 5349 only: not "443"',
      'udp-blocked-tls-works',
      {
        nat: NO_UDP,
        paths: [
          path('turn-udp', false),
          path('turn-tcp', false),
          path('turns', true, 'turns:turn.example.org:5349?transport=tcp'),
        ],
      },
      /^UDP is blocked on this network; calls will relay over TURN\/TLS on 5349\.$/,
    ],
    [
      'UDP blocked, a TLS relay that is not the one under test',
      'no-path',
      {
        nat: NO_UDP,
        paths: [
          path('turns', false),
          {
            ...path('turns', true),
            proof: relayProof({ kind: 'turns', url: 'turns:other:443' }, RELAY_PAIR.turns, [1]),
          },
        ],
      },
      /^No path works/,
    ],
    [
      'UDP blocked, only TCP relay works',
      'udp-blocked-tcp-works',
      {
        nat: NO_UDP,
        paths: [path('stun', false), path('turn-udp', false), path('turn-tcp', true), path('turns', false)],
      },
      /relay over TURN\/TCP on 46469\.$/,
    ],
    [
      'only relay works (STUN timed out: 701, e.g. coturn with no-stun)',
      'relay-only',
      {
        nat: RELAY_UDP_ONLY,
        candidateErrors: [stun701],
        paths: [path('stun', false), path('turn-udp', true)],
      },
      /^Only TURN works from here/,
    ],
    [
      'only relay works (STUN on another server, no srflx)',
      'relay-only',
      {
        nat: RELAY_UDP_ONLY,
        paths: [path('stun', false, 'stun:198.51.100.9:3478'), path('turn-udp', true)],
      },
      /^Only TURN works from here/,
    ],
    [
      'no srflx, no error, TURN/UDP on the same server answered (Firefox without NAT drops the srflx)',
      'udp-works',
      { nat: RELAY_UDP_ONLY, paths: [path('stun', false), path('turn-udp', true), path('turn-tcp', true)] },
      /^UDP works from this network, but how its NAT maps addresses could not be judged/,
    ],
    [
      'symmetric NAT with TURN',
      'symmetric-nat',
      { nat: SYMMETRIC },
      /peers behind similar NATs need TURN\. TURN works here/,
    ],
    [
      'symmetric NAT without TURN',
      'symmetric-nat',
      { nat: SYMMETRIC, paths: [path('stun', true)] },
      /No TURN path works here, so such calls will fail\.$/,
    ],
    [
      'TURN/UDP works, TCP and TLS do not',
      'turn-udp-only',
      { paths: [path('stun', true), path('turn-udp', true), path('turn-tcp', false), path('turns', false)] },
      /^TURN over UDP works, but TURN over TCP and TLS do not/,
    ],
    [
      'no path at all',
      'no-path',
      { nat: NO_UDP, paths: [path('stun', false), path('turn-udp', false), path('turns', false)] },
      /^No path works from this network/,
    ],
    [
      'credentials rejected, UDP works',
      'turn-credentials-rejected',
      {
        candidateErrors: [err401],
        paths: [path('stun', true), path('turn-udp', false), path('turns', false)],
      },
      /rejects the credentials \(401\), so calls that need a relay will fail/,
    ],
    [
      'credentials rejected, no UDP',
      'turn-credentials-rejected',
      { nat: NO_UDP, candidateErrors: [err401], paths: [path('turn-udp', false)] },
      /no call can connect from this network until the credentials are fixed/,
    ],
    [
      'signaling blocked',
      'signaling-blocked',
      { signaling: [ws(false), { ...ws(false), scheme: 'wss', url: 'wss://h/signal' }] },
      /cannot open the signaling WebSocket/,
    ],
  ])('%s → %s', (_name, code, over, text) => {
    const v = verdict(input(over));
    expect(v.code).toBe(code);
    expect(v.text).toMatch(text);
    expect(verdictSchema.parse(v)).toEqual(v);
  });

  it('UDP works but every TURN proof failed → no-relay, not direct', () => {
    const paths = [
      path('stun', true),
      path('turn-udp', false),
      path('turn-tcp', false),
      path('turns', false),
    ];
    const v = verdict(input({ paths }));
    expect(v.code).toBe('no-relay');
    expect(v.text).toMatch(/no TURN relay works/);
  });

  it('a mapping that was not judged is said once, with its reason', () => {
    const reasons = { ...EIM.reasons, mapping: 'not judged: no connection asked two STUN servers' };
    const v = verdict(input({ nat: { ...UNJUDGED, reasons } }));
    expect(v.facts).toContain('Mapping: not judged (no connection asked two STUN servers)');
  });

  it('a 401 does not win once a TURN path is proved', () => {
    expect(verdict(input({ candidateErrors: [err401] })).code).toBe('direct');
  });

  it('one signaling scheme failing is not blocked', () => {
    expect(verdict(input({ signaling: [ws(false), { ...ws(true), scheme: 'wss' }] })).code).toBe('direct');
  });

  it('lists the facts: UDP, NAT, mapping, address, paths, errors once each, signaling, pairs', () => {
    const harmless: CandidateErrorRow = {
      ...err401,
      errorCode: 701,
      harmless: true,
      explanation: 'Harmless: …',
    };
    const v = verdict(
      input({
        paths: [path('stun', true), path('turn-udp', false), path('turns', true)],
        candidateErrors: [err401, err401, harmless],
        signaling: [ws(true), { ...ws(false), scheme: 'wss', url: 'wss://h/signal' }],
        peerPair: RELAY_PAIR['turn-udp'],
      }),
    );
    expect(v.facts).toEqual([
      'UDP: works (stun answered)',
      'NAT: present (differs)',
      'Mapping: endpoint-independent (same mapping)',
      'Public address: 198.51.100.7 port 40001',
      'STUN stun:100.64.90.1:46469: answered (srflx after 20 ms)',
      'TURN/UDP turn:100.64.90.1:46469?transport=udp: no relay candidate (no relay candidate)',
      'TURN/TLS turns:100.64.90.1:41947?transport=tcp: relay proved (echo 2 ms)',
      `Error 401 from ${URL['turn-udp']}: ${err401.explanation}`,
      'Signaling ws://h/signal: open in 3 ms',
      'Signaling wss://h/signal: failed (closed 1006)',
      "The page's own call (in this browser) selected host ↔ host over UDP, RTT 1 ms",
      `The two-peer call selected relay ↔ relay over UDP (relayed over UDP via ${URL['turn-udp']}), RTT 1 ms`,
    ]);
  });
});
