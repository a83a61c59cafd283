import { describe, expect, it } from 'vitest';
import { onlyTls443ViaProxy, withNetworkVerdict } from '../../src/client/turn-check/proxy-verdict.js';
import type { TurnCheckReport, TurnDiagnosisCode, TurnTargetReport } from '../../src/report/schema.js';

// The whole-run verdicts of the proxy-only office, against the cases that would fool them.

const PROXY = { url: 'http://100.64.0.1:3128', source: 'flag' } as const;

function target(
  url: string,
  transport: 'udp' | 'tcp' | 'tls',
  port: number,
  failed: TurnDiagnosisCode | null,
  viaProxy = transport !== 'udp',
): TurnTargetReport {
  return {
    url,
    transport,
    server: { address: '203.0.113.10', port, family: 'IPv4' },
    ok: failed === null,
    credentials: 'long-term',
    username: 'u',
    realm: null,
    tlsVerified: transport === 'tls' ? true : null,
    relayedAddress: null,
    peerRelayedAddress: null,
    mappedAddress: null,
    lifetimeS: null,
    relayFamilies: { IPv4: null, IPv6: null },
    steps: [],
    diagnoses: failed ? [{ code: failed, severity: 'fail', step: null, message: failed }] : [],
    durationMs: 1,
    ...(viaProxy ? { viaProxy: true as const } : {}),
  };
}

const udp = (failed: TurnDiagnosisCode | null = 'udp-silent') =>
  target('turn:x:3478?transport=udp', 'udp', 3478, failed);
const tcp = (failed: TurnDiagnosisCode | null = 'connection-failed', viaProxy = true) =>
  target('turn:x:3478?transport=tcp', 'tcp', 3478, failed, viaProxy);
const tls443 = (failed: TurnDiagnosisCode | null = null, viaProxy = true) =>
  target('turns:x:443', 'tls', 443, failed, viaProxy);

/** `t` as the check of `url` at `address` (another server than the others' x / 203.0.113.10). */
const at = (t: TurnTargetReport, url: string, address: string): TurnTargetReport => ({
  ...t,
  url,
  server: { address, port: t.server!.port, family: 'IPv4' },
});

/** A report of `targets`; `proxy` null: none was used. */
function report(targets: TurnTargetReport[], proxy: typeof PROXY | null): TurnCheckReport {
  return {
    schemaVersion: 1,
    tool: 'ice-doctor',
    kind: 'turn-check',
    startedAt: '2026-01-01T00:00:00Z',
    ok: targets.every((t) => t.ok),
    summary: 'N of M TURN checks failed.',
    targets,
    durationMs: 1,
    ...(proxy ? { proxy } : {}),
  };
}

describe('only TURN over TLS on 443 through the proxy', () => {
  it('UDP silent, TCP 3478 refused by the proxy, TLS 443 through it passed: said, on the passing target', () => {
    const r = withNetworkVerdict(report([udp(), tcp(), tls443()], PROXY));
    expect(r.summary).toBe(
      'Only TURN over TLS on port 443, through your proxy, worked: UDP to the same server got nothing back, ' +
        'direct TCP/TLS not tried. N of M TURN checks failed.',
    );
    expect(r.targets.map((t) => t.diagnoses.map((d) => d.code))).toEqual([
      ['udp-silent'],
      ['connection-failed'],
      ['only-tls-443-via-proxy'],
    ]);
    const words = r.targets[2]!.diagnoses[0]!;
    expect(words.severity).toBe('warn');
    expect(words.message).toContain('Ask IT to allow UDP to port 3478');
    expect(words.message).toContain('keep a turns:…:443 server in your ICE servers');
  });

  it.each([
    ['no proxy', [udp(), tls443(null, false)], null],
    ['UDP not tried', [tls443()], PROXY],
    ['UDP answered (wrong credentials: UDP gets out)', [udp('wrong-credentials'), tls443()], PROXY],
    [
      'UDP got an ICMP port unreachable (UDP left the network)',
      [udp('udp-port-unreachable'), tls443()],
      PROXY,
    ],
    [
      'ICMP port unreachable from one UDP target, another silent',
      [udp(), at(udp('udp-port-unreachable'), 'turn:y:3478', '203.0.113.20'), tls443()],
      PROXY,
    ],
    [
      'the silent UDP target is another server (a dead one) than the TLS 443 one',
      [
        at(udp(), 'turn:dead-a:3478?transport=udp', '203.0.113.20'),
        at(tls443(), 'turns:b:443', '203.0.113.30'),
      ],
      PROXY,
    ],
    ['UDP passed', [udp(null), tls443()], PROXY],
    ['TLS on 5349, not 443', [udp(), target('turns:x:5349', 'tls', 5349, null)], PROXY],
    ['TLS 443 passed directly (NO_PROXY)', [udp(), tls443(null, false)], PROXY],
    ['TCP 3478 passed through the proxy', [udp(), tcp(null), tls443()], PROXY],
    ['TLS failed after reaching the server', [udp(), tls443('relay-no-data')], PROXY],
    [
      'only TCP on 443 passed, no TLS',
      [udp(), target('turn:x:443?transport=tcp', 'tcp', 443, null, true)],
      PROXY,
    ],
  ] as const)('not said: %s', (_why, targets, proxy) => {
    expect(onlyTls443ViaProxy([...targets], proxy ?? undefined)).toBe(false);
    const r = withNetworkVerdict(report([...targets], proxy));
    expect(r.summary).not.toContain('through your proxy');
  });
});

describe('only TURN over TLS on 443: the same server, and what was tried directly', () => {
  it('the silent UDP target has another name but the same address as the TLS 443 one: said', () => {
    const targets = [
      at(udp(), 'turn:udp.example.org:3478', '203.0.113.10'),
      at(tls443(), 'turns:tls.example.org:443', '203.0.113.10'),
    ];
    expect(onlyTls443ViaProxy(targets, PROXY)).toBe(true);
  });

  it('the same name, resolved to another address (a fleet): said', () => {
    const targets = [
      at(udp(), 'turn:Turn.example.org:3478', '203.0.113.11'),
      at(tls443(), 'turns:turn.example.org:443', '203.0.113.10'),
    ];
    expect(onlyTls443ViaProxy(targets, PROXY)).toBe(true);
  });

  it('a TLS target reached directly (NO_PROXY) that did not connect: the summary says direct did not connect', () => {
    const direct = at(tls443('connect-timeout', false), 'turns:x:5349', '203.0.113.10');
    const r = withNetworkVerdict(report([udp(), direct, tls443()], PROXY));
    expect(r.summary).toBe(
      'Only TURN over TLS on port 443, through your proxy, worked: UDP to the same server got nothing back, ' +
        'direct TCP/TLS did not connect. N of M TURN checks failed.',
    );
  });
});

describe('nothing came back at all, without a proxy', () => {
  it('UDP silent and TCP/TLS with no handshake: may be a proxy-only network, or the server is down', () => {
    const r = withNetworkVerdict(
      report([udp(), tcp('connect-timeout', false), tls443('connect-timeout', false)], null),
    );
    expect(r.summary).toContain(
      'Nothing came back over UDP, TCP or TLS: this network may let nothing out except through a web proxy',
    );
    expect(r.summary).toContain('or the server is down or unreachable');
  });

  it.each([
    ['a refused port (something answered)', [udp(), tcp('tcp-port-closed', false)]],
    ['UDP only', [udp()]],
    ['TLS only', [tls443('connect-timeout', false)]],
    ['one target passed', [udp(), tls443(null, false)]],
  ] as const)('not said: %s', (_why, targets) => {
    expect(withNetworkVerdict(report([...targets], null)).summary).toBe('N of M TURN checks failed.');
  });

  it('not said with a proxy (the proxy was the way out)', () => {
    const r = withNetworkVerdict(report([udp(), tcp('connect-timeout'), tls443('connect-timeout')], PROXY));
    expect(r.summary).toBe('N of M TURN checks failed.');
  });
});
