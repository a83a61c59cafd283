import type { CandidateType, SelectedPair } from '../../report/browser-schema.js';
import { byId, num, type StatsLike, str } from './stats.js';

/**
 * The selected candidate pair of a call, read from `getStats()` (W3C webrtc-stats §6.2 `RTCTransportStats`,
 * §6.6 `RTCIceCandidatePairStats`, §6.5 `RTCIceCandidateStats`).
 */

/** A selected pair and the id of its `candidate-pair` stats (to tell a change of pair across polls). */
export interface SelectedPairReading {
  pairId: string;
  pair: SelectedPair;
}

const CANDIDATE_TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];

function candidateType(s: StatsLike | undefined): CandidateType | null {
  const t = str(s, 'candidateType');
  return t !== null && CANDIDATE_TYPES.includes(t) ? (t as CandidateType) : null;
}

function traffic(p: StatsLike): number {
  return (num(p, 'bytesSent') ?? 0) + (num(p, 'bytesReceived') ?? 0);
}

/**
 * Finds the selected `candidate-pair`, in this order: (1) a `transport`'s `selectedCandidatePairId`
 * (webrtc-stats §6.2; Chromium); (2) a `candidate-pair` with `selected: true` (Firefox's non-standard
 * member); (3) a pair with `nominated: true` and `state: 'succeeded'`, the one with the most bytes sent +
 * received if several.
 */
function findPair(
  stats: Map<string, StatsLike>,
): { pair: StatsLike; source: SelectedPair['source']; transport: StatsLike | undefined } | null {
  const all = [...stats.values()];
  for (const t of all.filter((s) => s.type === 'transport')) {
    const id = str(t, 'selectedCandidatePairId');
    const pair = id === null ? undefined : stats.get(id);
    if (pair?.type === 'candidate-pair') return { pair, source: 'selectedCandidatePairId', transport: t };
  }
  const pairs = all.filter((s) => s.type === 'candidate-pair');
  const transportOf = (p: StatsLike): StatsLike | undefined => {
    const id = str(p, 'transportId');
    return id === null ? undefined : stats.get(id);
  };
  const selected = pairs.find((p) => p.selected === true);
  if (selected)
    return { pair: selected, source: 'candidate-pair.selected', transport: transportOf(selected) };
  const nominated = pairs
    .filter((p) => p.nominated === true && p.state === 'succeeded')
    .reduce<StatsLike | null>((best, p) => (best === null || traffic(p) > traffic(best) ? p : best), null);
  return nominated ? { pair: nominated, source: 'nominated', transport: transportOf(nominated) } : null;
}

/**
 * Reads the selected pair from one `getStats()` result (see {@link findPair} for the order) and joins its
 * `local-candidate` and `remote-candidate` stats. `rttMs` is the pair's `currentRoundTripTime` (s) in ms,
 * rounded to µs; `relayProtocol` and `url` come from the local candidate's stats (`relayProtocol` only for a
 * relay candidate); `dtlsState`/`dtlsCipher` from the pair's `transport` stats (null in Firefox, which has
 * none). Addresses are the stats' `address` (or the older `ip`).
 * @param pairChanges how many times the pair changed so far (see {@link PairChangeTracker}); default 0.
 * @returns null when no pair is selected yet, or its candidate stats are missing or of an unknown type.
 */
export function readSelectedPair(stats: Iterable<StatsLike>, pairChanges = 0): SelectedPairReading | null {
  const map = byId(stats);
  const found = findPair(map);
  if (!found) return null;
  const { pair, source, transport } = found;
  const local = map.get(str(pair, 'localCandidateId') ?? '');
  const remote = map.get(str(pair, 'remoteCandidateId') ?? '');
  const localType = candidateType(local);
  const remoteType = candidateType(remote);
  const protocol = str(local, 'protocol');
  if (!localType || !remoteType || (protocol !== 'udp' && protocol !== 'tcp')) return null;
  const relayProtocol = str(local, 'relayProtocol');
  const rttS = num(pair, 'currentRoundTripTime');
  return {
    pairId: pair.id,
    pair: {
      source,
      localType,
      remoteType,
      protocol,
      relayProtocol:
        localType === 'relay' &&
        (relayProtocol === 'udp' || relayProtocol === 'tcp' || relayProtocol === 'tls')
          ? relayProtocol
          : null,
      localAddress: str(local, 'address') ?? str(local, 'ip'),
      localPort: num(local, 'port'),
      remoteAddress: str(remote, 'address') ?? str(remote, 'ip'),
      remotePort: num(remote, 'port'),
      url: str(local, 'url'),
      rttMs: rttS === null ? null : Math.round(rttS * 1e6) / 1e3,
      pairChanges,
      dtlsState: str(transport, 'dtlsState'),
      dtlsCipher: str(transport, 'dtlsCipher'),
    },
  };
}

/**
 * Counts changes of the selected pair across the polls of one call: feed it each `getStats()` result. The
 * first selected pair is not a change; a poll with no selected pair (e.g. while ICE restarts) keeps the last
 * one, so A → none → A counts 0 and A → none → B counts 1.
 */
export class PairChangeTracker {
  #lastPairId: string | null = null;
  #changes = 0;
  #last: SelectedPair | null = null;

  /**
   * Reads the selected pair of this poll ({@link readSelectedPair}) and updates the count.
   * @returns the pair with `pairChanges` so far, or null when this poll has none.
   */
  poll(stats: Iterable<StatsLike>): SelectedPair | null {
    const reading = readSelectedPair(stats);
    if (!reading) return null;
    if (this.#lastPairId !== null && reading.pairId !== this.#lastPairId) this.#changes += 1;
    this.#lastPairId = reading.pairId;
    this.#last = { ...reading.pair, pairChanges: this.#changes };
    return this.#last;
  }

  /** Changes counted so far. */
  get pairChanges(): number {
    return this.#changes;
  }

  /** The pair of the latest poll that had one, with the count; null before any. */
  get last(): SelectedPair | null {
    return this.#last;
  }
}
