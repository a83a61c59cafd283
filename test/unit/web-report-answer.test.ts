/**
 * The page's plain answer (page/answer.ts): per verdict code, the statements' marks and what to do, with the
 * real hosts and ports of the tested URLs; and the cases that would fool it into a confident wrong mark.
 */
import { describe, expect, it } from 'vitest';
import type { PathKind, PathResult, SelectedPair } from '../../src/report/browser-schema.js';
import { type AnswerInput, answer, firewallAsk } from '../../src/web/page/answer.js';

const URLS: Record<PathKind, string> = {
  stun: 'stun:turn.example.org:3478',
  'turn-udp': 'turn:turn.example.org:3478?transport=udp',
  'turn-tcp': 'turn:turn.example.org:3478?transport=tcp',
  turns: 'turns:turn.example.org:443?transport=tcp',
};

function path(kind: PathKind, works: boolean, url = URLS[kind]): PathResult {
  return {
    id: `${kind}-1`,
    url,
    kind,
    gathered: works,
    firstCandidateMs: works ? 20 : null,
    proof:
      kind === 'stun'
        ? null
        : works
          ? { ok: true, rttMs: 2, selectedPair: null, assertions: [] }
          : { ok: false, rttMs: null, selectedPair: null, assertions: [], error: 'no relay candidate' },
    throughputKbps: null,
  };
}

const pair = (
  localType: SelectedPair['localType'],
  relayProtocol: SelectedPair['relayProtocol'],
): SelectedPair => ({
  source: 'selectedCandidatePairId',
  localType,
  remoteType: 'host',
  protocol: 'udp',
  relayProtocol,
  localAddress: null,
  localPort: null,
  remoteAddress: null,
  remotePort: null,
  url: null,
  rttMs: 3,
  pairChanges: 0,
  dtlsState: 'connected',
  dtlsCipher: null,
});

const ALL_WORK = (['stun', 'turn-udp', 'turn-tcp', 'turns'] as const).map((k) => path(k, true));
const UDP_DROPPED = [
  path('stun', false),
  path('turn-udp', false),
  path('turn-tcp', false),
  path('turns', true),
];

function input(code: string, over: Partial<AnswerInput> = {}): AnswerInput {
  return {
    verdict: { code, text: `the ${code} verdict`, facts: [] },
    paths: ALL_WORK,
    udp: true,
    natPresent: true,
    mapping: 'endpoint-independent',
    signaling: [{ scheme: 'ws', url: 'ws://turn.example.org:8080/signal', ok: true, upgradeMs: 5 }],
    peer: null,
    ...over,
  };
}

const marks = (i: AnswerInput) => Object.fromEntries(answer(i).statements.map((s) => [s.key, s.mark]));
const head = (i: AnswerInput) => answer(i).statements[0]!;

describe('answer: per verdict code', () => {
  it('direct (NAT facts): calls connect, direct ok, both relays ok, nothing to do', () => {
    const i = input('direct');
    expect(marks(i)).toEqual({ calls: 'ok', direct: 'ok', 'relay-udp': 'ok', 'relay-stream': 'ok' });
    expect(answer(i).todo).toEqual([]);
    expect(answer(i).statements.find((s) => s.key === 'relay-stream')?.why).toMatch(
      /TURN over TCP on turn.example.org:3478 and TURN over TLS on turn.example.org:443/,
    );
  });

  it('direct and relayed from the two-peer call: the direct statement is the call, not the NAT facts', () => {
    expect(
      marks(input('direct', { peer: { selectedPair: pair('srflx', null) }, mapping: null })).direct,
    ).toBe('ok');
    const relayed = input('relayed', { peer: { selectedPair: pair('relay', 'udp') } });
    expect(head(relayed)).toMatchObject({ mark: 'ok', text: 'Calls connect, through a relay' });
    expect(marks(relayed).direct).toBe('warn');
  });

  it('udp-blocked-tls-works: amber "only over TLS on port 443", UDP red, what to open with the real host and ports', () => {
    const i = input('udp-blocked-tls-works', {
      paths: UDP_DROPPED,
      udp: false,
      natPresent: null,
      mapping: null,
    });
    expect(head(i)).toMatchObject({
      mark: 'warn',
      text: 'Calls connect, but only through the relay over TLS on port 443',
    });
    expect(marks(i)).toEqual({ calls: 'warn', direct: 'fail', 'relay-udp': 'fail', 'relay-stream': 'ok' });
    expect(answer(i).todo).toEqual([
      "Ask your IT team to allow UDP 3478 and UDP on the TURN server's relay ports to turn.example.org, for faster calls.",
    ]);
  });

  it('UDP blocked with both TCP and TLS relays working: names both, not "only TLS"', () => {
    const paths = [path('stun', false), path('turn-udp', false), path('turn-tcp', true), path('turns', true)];
    const i = input('udp-blocked-tls-works', { paths, udp: false });
    expect(head(i).text).toBe(
      'Calls connect, but only through the relay over TCP on port 3478 or TLS on port 443',
    );
  });

  it('udp-blocked-tcp-works: names TCP and its port', () => {
    const paths = [
      path('stun', false),
      path('turn-udp', false),
      path('turn-tcp', true),
      path('turns', false),
    ];
    const i = input('udp-blocked-tcp-works', { paths, udp: false });
    expect(head(i).text).toBe('Calls connect, but only through the relay over TCP on port 3478');
  });

  it('no-path: red, and the direct statement is not known (servers down and a blocked network look the same)', () => {
    const paths = ALL_WORK.map((p) => path(p.kind, false));
    const i = input('no-path', { paths, udp: false, natPresent: null, mapping: null });
    expect(marks(i)).toEqual({
      calls: 'fail',
      direct: 'unknown',
      'relay-udp': 'fail',
      'relay-stream': 'fail',
    });
    expect(answer(i).todo[0]).toMatch(/servers run/);
    expect(answer(i).todo[1]).toBe(
      "Ask your IT team to allow UDP 3478, UDP on the TURN server's relay ports and TCP 3478 and 443 to turn.example.org.",
    );
  });

  it('no-path with no path configured: no empty "allow ." request', () => {
    const i = input('no-path', { paths: [], udp: false });
    expect(answer(i).todo.some((t) => t.includes('allow .'))).toBe(false);
    expect(marks(i)['relay-udp']).toBe('unknown');
  });

  it('signaling-blocked: red, names the WebSocket URLs', () => {
    const i = input('signaling-blocked', {
      signaling: [
        { scheme: 'ws', url: 'ws://h:8080/signal', ok: false, upgradeMs: null },
        { scheme: 'wss', url: 'wss://h:8443/signal', ok: false, upgradeMs: null },
      ],
    });
    expect(head(i).mark).toBe('fail');
    expect(answer(i).todo).toEqual([
      'Ask your IT team to allow WebSocket connections to ws://h:8080/signal and wss://h:8443/signal.',
    ]);
  });

  it('turn-credentials-rejected: amber with UDP, red without; the operator must fix the credentials', () => {
    const paths = [path('stun', true), path('turn-udp', false)];
    expect(head(input('turn-credentials-rejected', { paths })).mark).toBe('warn');
    expect(head(input('turn-credentials-rejected', { paths, udp: false })).mark).toBe('fail');
    expect(answer(input('turn-credentials-rejected', { paths })).todo[0]).toMatch(
      /operator must fix the TURN credentials/,
    );
  });

  it('relay-only: amber; direct red; asks for the STUN port only', () => {
    const paths = [path('stun', false), path('turn-udp', true)];
    const i = input('relay-only', { paths, natPresent: null, mapping: null });
    expect(marks(i)).toMatchObject({
      calls: 'warn',
      direct: 'fail',
      'relay-udp': 'ok',
      'relay-stream': 'unknown',
    });
    expect(answer(i).todo).toEqual(['Ask your IT team to allow UDP 3478 to turn.example.org.']);
  });

  it('symmetric-nat: green with a relay, amber without; direct amber either way', () => {
    const i = input('symmetric-nat', { mapping: 'address-and-port-dependent' });
    expect(marks(i)).toMatchObject({ calls: 'ok', direct: 'warn' });
    const none = input('symmetric-nat', {
      paths: [path('stun', true), path('turn-udp', false)],
      mapping: null,
    });
    expect(marks(none)).toMatchObject({ calls: 'warn', direct: 'warn', 'relay-udp': 'fail' });
    expect(answer(none).todo).toHaveLength(1);
  });

  it('turn-udp-only and no-relay', () => {
    const udpOnly = input('turn-udp-only', { paths: [path('turn-udp', true), path('turns', false)] });
    expect(marks(udpOnly)).toMatchObject({ calls: 'ok', 'relay-udp': 'ok', 'relay-stream': 'fail' });
    expect(answer(udpOnly).todo[0]).toMatch(/TCP\/TLS ports/);
    const noRelay = input('no-relay', { paths: [path('stun', true), path('turn-udp', false)] });
    expect(marks(noRelay)).toMatchObject({ calls: 'warn', direct: 'ok', 'relay-udp': 'fail' });
  });

  it('udp-works: mapping not judged, so direct is not known (never green on a guess)', () => {
    const i = input('udp-works', { natPresent: null, mapping: null });
    expect(marks(i)).toMatchObject({ calls: 'ok', direct: 'unknown' });
    const noRelay = input('udp-works', { natPresent: null, mapping: null, paths: [path('stun', true)] });
    expect(head(noRelay).mark).toBe('warn');
  });

  it('browser-ignores-loopback: one "not tested" statement, no red path rows, and how to test', () => {
    const paths = ALL_WORK.map((p) => path(p.kind, false));
    const a = answer(
      input('browser-ignores-loopback', { paths, udp: false, natPresent: null, mapping: null }),
    );
    expect(a.statements.map((s) => [s.key, s.mark])).toEqual([['calls', 'unknown']]);
    expect(a.statements[0]?.why).toMatch(/media\.peerconnection\.ice\.loopback/);
    expect(a.todo.join(' ')).toMatch(/--public-host NAME/);
  });

  it('no-candidates: this browser, not the servers, is the problem', () => {
    const paths = ALL_WORK.map((p) => path(p.kind, false));
    const a = answer(input('no-candidates', { paths, udp: false, natPresent: null, mapping: null }));
    expect(a.statements.map((s) => s.key)).toEqual(['calls']);
    expect(a.statements[0]?.why).toMatch(/gathered no candidate/);
    expect(a.todo[0]).toMatch(/Allow WebRTC/);
  });

  it('same-machine: servers proved, this network not tested; direct not known even with natPresent false', () => {
    const a = answer(input('same-machine', { natPresent: false }));
    expect(a.statements.map((s) => [s.key, s.mark])).toEqual([
      ['calls', 'unknown'],
      ['servers', 'ok'],
      ['direct', 'unknown'],
      ['relay-udp', 'ok'],
      ['relay-stream', 'ok'],
    ]);
    expect(a.statements[3]?.text).toMatch(/on this machine/);
  });

  it('an unknown code: the verdict text, marked not known', () => {
    expect(head(input('some-future-code'))).toEqual({
      key: 'calls',
      mark: 'unknown',
      text: 'the some-future-code verdict',
    });
  });
});

describe('answer: cases that would fool it', () => {
  it('UDP reported but NAT presence unknown and no mapping: direct is not green', () => {
    expect(marks(input('direct', { natPresent: null, mapping: null })).direct).toBe('unknown');
  });

  it('a TURN path that gathered but failed its proof is not "works"', () => {
    const gatheredOnly: PathResult = { ...path('turn-udp', false), gathered: true };
    expect(marks(input('no-relay', { paths: [path('stun', true), gatheredOnly] }))['relay-udp']).toBe('fail');
  });

  it('no TURN/TCP or TLS configured: not tested, not red', () => {
    expect(
      marks(input('direct', { paths: [path('stun', true), path('turn-udp', true)] }))['relay-stream'],
    ).toBe('unknown');
  });

  it('udp false while a TURN/TLS path worked: direct is red, not unknown (the servers are up)', () => {
    expect(marks(input('udp-blocked-tls-works', { paths: UDP_DROPPED, udp: false })).direct).toBe('fail');
  });
});

describe('firewallAsk', () => {
  it('groups ports per host, UDP before TCP, IPv6 hosts as they are', () => {
    expect(
      firewallAsk(
        [
          path('stun', false, 'stun:[2001:db8::1]:3478'),
          path('turn-udp', false, 'turn:a.example:3478'),
          path('turns', false, 'turns:a.example:443'),
        ],
        false,
      ),
    ).toBe('UDP 3478 to 2001:db8::1 and UDP 3478 and TCP 443 to a.example');
  });

  it('relay ports only for hosts with a TURN/UDP path, in words when the page was not told the range', () => {
    expect(firewallAsk([path('stun', false)], true)).toBe('UDP 3478 to turn.example.org');
    expect(firewallAsk([path('turn-udp', false)], true)).toBe(
      "UDP 3478 and UDP on the TURN server's relay ports to turn.example.org",
    );
  });

  it('the relay port range when the server told it (the bundled server), only for its TURN/UDP path', () => {
    const relayPorts = { min: 49152, max: 65535 };
    expect(firewallAsk([{ ...path('turn-udp', false), relayPorts }], true)).toBe(
      'UDP 3478 and 49152–65535 to turn.example.org',
    );
    expect(firewallAsk([{ ...path('turns', false), relayPorts }], true)).toBe('TCP 443 to turn.example.org');
    expect(firewallAsk([{ ...path('turn-udp', false), relayPorts }], false)).toBe(
      'UDP 3478 to turn.example.org',
    );
  });
});
