import { explainCandidateError } from '../../src/web/page/candidate-errors.js';
import { toBrowserCandidate } from '../../src/web/page/candidates.js';
import { natFacts } from '../../src/web/page/nat-facts.js';
import { relayProof } from '../../src/web/page/relay-proof.js';
import type { BrowserReportDraft } from '../../src/web/page/report-export.js';
import { readSelectedPair } from '../../src/web/page/selected-pair.js';
import { verdict } from '../../src/web/page/verdict.js';
import { recordedCall, recordedGathering } from './webrtc-fixtures.js';

/** The page's TURN user name, password and URL in {@link draft}. */
export const TURN_USER = '1795245322:alice';
export const TURN_PASS = 'q9Z+Jw3tY0c/8RkV1mWm2s4=';
export const UDP_URL = 'turn:100.64.90.1:46469?transport=udp';

/** A draft report built the way the page builds it, from the recorded Chromium 156 runs. */
export function draft(): BrowserReportDraft {
  const relay = recordedCall('chromium-relay-udp');
  const gathering = recordedGathering('chromium-gather-errors');
  const mdns = recordedGathering('chromium-gather-mdns');
  const candidates = [
    ...relay.a.candidates.map((c) => toBrowserCandidate(c, 'turn-udp-1', c.tMs)),
    ...gathering.candidates.map((c) => toBrowserCandidate(c, 'call', c.tMs)),
    ...mdns.candidates.map((c) => toBrowserCandidate(c, 'mapping', c.tMs)),
  ];
  const candidateErrors = gathering.errors.map((e) => explainCandidateError(e, 'call', e.tMs));
  const nat = natFacts({ candidates, candidateErrors, mappingProbe: null, serverUrls: [UDP_URL] });
  const pair = readSelectedPair(relay.a.stats[1]!)!.pair;
  const paths = [
    {
      id: 'turn-udp-1',
      url: `turn:${TURN_USER}@100.64.90.1:46469?transport=udp&credential=${TURN_PASS}`,
      kind: 'turn-udp' as const,
      gathered: true,
      firstCandidateMs: 12,
      proof: relayProof({ kind: 'turn-udp', url: UDP_URL }, pair, relay.echoRttMs),
      throughputKbps: null,
      error: `allocation as ${TURN_USER} with ${TURN_PASS} took long`,
    },
  ];
  const signaling = [
    { scheme: 'ws' as const, url: 'ws://100.64.90.1:8080/signal?token=abc', ok: true, upgradeMs: 4 },
  ];
  const selectedPair = readSelectedPair(recordedCall('chromium-host-host').a.stats[1]!)!.pair;
  const { mappingVaries: _, sameMachine: _s, ...natFields } = nat;
  return {
    startedAt: '2026-11-21T07:15:16.206Z',
    userAgent: 'Mozilla/5.0 HeadlessChrome/156.0.0.0',
    page: 'http://100.64.90.1:8080',
    visitor: { address: '100.64.90.1', port: 51234, family: 'IPv4' },
    signaling,
    ...natFields,
    candidates,
    candidateErrors,
    paths,
    selectedPair,
    peer: null,
    verdict: verdict({
      paths,
      candidates,
      userAgent: 'Mozilla/5.0 HeadlessChrome/156.0.0.0',
      nat,
      signaling,
      candidateErrors,
      selectedPair,
      peerPair: null,
    }),
    durationMs: 2100,
  };
}
