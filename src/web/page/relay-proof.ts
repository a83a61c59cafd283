import type { PathKind, ProofAssertion, RelayProof, SelectedPair } from '../../report/browser-schema.js';
import { sameIceUrl } from './ice-url.js';

/**
 * The relay proof of one TURN path: a loopback call with both ends on `iceTransportPolicy: 'relay'` and the
 * path's one ICE server, a data channel echo through it, and assertions that the call really went through the
 * relay under test (RFC 8656 relay; W3C webrtc-stats §6.5 `relayProtocol`/`url` of the local candidate).
 */

/** What a proof checks against: the path's kind and its TURN URL (`PathTarget.kind`, `iceServer.urls`). */
export interface ProofTarget {
  kind: PathKind;
  url: string;
}

/** The relay protocol each TURN path kind must show: turn-udp → udp, turn-tcp → tcp, turns → tls. */
export const EXPECTED_RELAY_PROTOCOL: Readonly<Record<Exclude<PathKind, 'stun'>, 'udp' | 'tcp' | 'tls'>> = {
  'turn-udp': 'udp',
  'turn-tcp': 'tcp',
  turns: 'tls',
};

/** The median of a non-empty list, or null for an empty one. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The assertions of a relay proof, in order: `selected-pair` (the call selected a pair), `local-relay` (its
 * local candidate is `relay`), `url` (the local candidate's URL is the URL under test, compared with
 * {@link sameIceUrl}; a relay candidate whose browser does not report it passes with that said, since the
 * proof's connection has only this server), `relay-protocol` (the local candidate's `relayProtocol` matches the kind), `echo`
 * (at least one data channel echo came back).
 * @param echoRttMs round trips of the echoes, ms.
 * @throws RangeError for a `stun` target: only TURN paths have a relay proof.
 */
export function proofAssertions(
  target: ProofTarget,
  pair: SelectedPair | null,
  echoRttMs: readonly number[],
): ProofAssertion[] {
  if (target.kind === 'stun') throw new RangeError(`a relay proof needs a TURN path, not ${target.url}`);
  const expected = EXPECTED_RELAY_PROTOCOL[target.kind];
  const echo: ProofAssertion = {
    name: 'echo',
    ok: echoRttMs.length > 0,
    detail:
      echoRttMs.length > 0
        ? `${echoRttMs.length} echo(es) came back, median ${median(echoRttMs)} ms`
        : 'no echo came back through the data channel',
  };
  if (!pair)
    return [
      { name: 'selected-pair', ok: false, detail: 'the call selected no candidate pair' },
      { name: 'local-relay', ok: false, detail: 'no selected pair' },
      { name: 'url', ok: false, detail: 'no selected pair' },
      { name: 'relay-protocol', ok: false, detail: 'no selected pair' },
      echo,
    ];
  const relay = pair.localType === 'relay';
  const urlOk = pair.url === null ? relay : sameIceUrl(pair.url, target.url);
  const urlDetail =
    pair.url !== null
      ? `local candidate from ${pair.url}${urlOk ? '' : `, not ${target.url}`}`
      : relay
        ? `the browser does not report the candidate's URL; the call had only ${target.url}`
        : `a ${pair.localType} candidate comes from no server`;
  return [
    {
      name: 'selected-pair',
      ok: true,
      detail: `${pair.localType} → ${pair.remoteType} over ${pair.protocol} (found by ${pair.source})`,
    },
    { name: 'local-relay', ok: pair.localType === 'relay', detail: `local candidate type ${pair.localType}` },
    {
      name: 'url',
      ok: urlOk,
      detail: urlDetail,
    },
    {
      name: 'relay-protocol',
      ok: pair.relayProtocol === expected,
      detail: `relayProtocol ${pair.relayProtocol ?? 'not reported'}, expected ${expected}`,
    },
    echo,
  ];
}

/**
 * The proof row of a TURN path: the assertions of {@link proofAssertions}, `ok` when all hold and no error
 * was given, `rttMs` the median echo round trip (ms, null without echoes).
 * @param error why the call could not run or finish (a timeout, a failed `setRemoteDescription` …), if so.
 * @throws RangeError for a `stun` target.
 */
export function relayProof(
  target: ProofTarget,
  pair: SelectedPair | null,
  echoRttMs: readonly number[],
  error?: string,
): RelayProof {
  const assertions = proofAssertions(target, pair, echoRttMs);
  return {
    ok: error === undefined && assertions.every((a) => a.ok),
    rttMs: median(echoRttMs),
    selectedPair: pair,
    assertions,
    ...(error !== undefined && { error }),
  };
}
