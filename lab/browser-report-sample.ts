import type {
  BrowserReport,
  CandidateType,
  PathKind,
  PathResult,
  SelectedPair,
} from '../src/report/browser-schema.js';

/**
 * Realistic browser reports (src/report/browser-schema.ts, the page's export) for the store's tests and
 * benchmark, built field by field as the page writes them: a path matrix against `turn.example.net`
 * (203.0.113.10), candidates, the verdict and the selected pair of the page's own call. Every result passes
 * `browserReportSchema`.
 */
export interface SampleReportOptions {
  /** `verdict.code`; default `direct`. */
  readonly verdict?: string;
  readonly mapping?: BrowserReport['mapping'];
  /** Path kinds that worked (stun: gathered; TURN: relay proof ok); the other kinds are in the matrix and failed. */
  readonly worked?: readonly PathKind[];
  /** The local and remote candidate types of the page's own call, or null (no pair selected). */
  readonly selected?: readonly [CandidateType, CandidateType] | null;
  /** ISO time of the run; default 2026-12-01T10:00:00.000Z. */
  readonly startedAt?: string;
  /** The visitor's address as the server saw it; default 198.51.100.7:51234. */
  readonly visitorAddress?: string;
}

const URLS: Record<PathKind, string> = {
  stun: 'stun:203.0.113.10:3478',
  'turn-udp': 'turn:203.0.113.10:3478?transport=udp',
  'turn-tcp': 'turn:203.0.113.10:3478?transport=tcp',
  turns: 'turns:turn.example.net:5349?transport=tcp',
};

function pair(local: CandidateType, remote: CandidateType): SelectedPair {
  const relay = local === 'relay' || remote === 'relay';
  return {
    source: 'selectedCandidatePairId',
    localType: local,
    remoteType: remote,
    protocol: 'udp',
    relayProtocol: local === 'relay' ? 'udp' : null,
    localAddress: relay ? '203.0.113.10' : '192.168.1.10',
    localPort: relay ? 49200 : 50000,
    remoteAddress: '192.168.1.10',
    remotePort: 50001,
    url: local === 'relay' ? URLS['turn-udp'] : null,
    rttMs: relay ? 38 : 2,
    pairChanges: 0,
    dtlsState: 'connected',
    dtlsCipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  };
}

function path(kind: PathKind, worked: boolean): PathResult {
  const base = { id: `p-${kind}`, url: URLS[kind], kind, server: 'bundled', throughputKbps: null };
  if (kind === 'stun')
    return { ...base, gathered: worked, firstCandidateMs: worked ? 24 : null, proof: null };
  return {
    ...base,
    gathered: worked,
    firstCandidateMs: worked ? 61 : null,
    proof: worked
      ? {
          ok: true,
          rttMs: 41,
          selectedPair: pair('relay', 'relay'),
          assertions: [{ name: 'both-ends-relay', ok: true, detail: 'relay ↔ relay' }],
        }
      : null,
    ...(worked ? {} : { error: 'no relay candidate within 5000 ms' }),
  };
}

/** A full browser report with the given outcome (see {@link SampleReportOptions}). */
export function sampleBrowserReport(options: SampleReportOptions = {}): BrowserReport {
  const worked = options.worked ?? ['stun', 'turn-udp', 'turn-tcp', 'turns'];
  const selected = options.selected === undefined ? (['srflx', 'host'] as const) : options.selected;
  const mapping = options.mapping === undefined ? 'endpoint-independent' : options.mapping;
  const kinds: PathKind[] = ['stun', 'turn-udp', 'turn-tcp', 'turns'];
  return {
    schemaVersion: 1,
    tool: 'ice-doctor',
    kind: 'browser',
    startedAt: options.startedAt ?? '2026-12-01T10:00:00.000Z',
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    page: 'https://turn.example.net',
    visitor: { address: options.visitorAddress ?? '198.51.100.7', port: 51234, family: 'IPv4' },
    signaling: [{ scheme: 'wss', url: 'wss://turn.example.net/signal', ok: true, upgradeMs: 12 }],
    udp: worked.includes('stun'),
    publicAddress: worked.includes('stun') ? { address: '198.51.100.7', port: 40001, family: 'IPv4' } : null,
    natPresent: mapping === null ? null : true,
    mapping,
    filtering: null,
    legacyNatType: null,
    hairpinning: null,
    reasons: { filtering: 'a browser never sees unsolicited packets' },
    mappingMethod: mapping === null ? 'none' : 'multi-server',
    candidates: [
      {
        pathId: 'p-stun',
        tMs: 24,
        type: 'srflx',
        foundation: '842163049',
        protocol: 'udp',
        address: '198.51.100.7',
        port: 40001,
        priority: 1677729535,
        typePreference: 100,
        localPreference: 65535,
        component: 1,
        relatedAddress: '192.168.1.10',
        relatedPort: 50000,
        relayProtocol: null,
        url: URLS.stun,
      },
    ],
    candidateErrors: [],
    paths: kinds.map((k) => path(k, worked.includes(k))),
    selectedPair: selected === null ? null : pair(selected[0], selected[1]),
    peer: null,
    verdict: { code: options.verdict ?? 'direct', text: 'A direct connection works.', facts: [] },
    redacted: { credentials: true, ips: false },
    durationMs: 4200,
  };
}
