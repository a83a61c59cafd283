import type {
  BrowserCandidate,
  BrowserReport,
  CandidateErrorRow,
  PathResult,
  SelectedPair,
  SignalingCheck,
  Verdict,
} from '../../../report/browser-schema.js';
import { type MappingProbe, natFacts } from '../nat-facts.js';
import type { BrowserReportDraft } from '../report-export.js';
import { verdict } from '../verdict.js';
import type { IceSink } from './ice-events.js';
import type { RunClock } from './timing.js';

/**
 * Everything one run of the page observed, in report terms (browser-schema.ts), and the judgement made from
 * it: NAT facts (nat-facts.ts) and the verdict (verdict.ts). The run fills it; the views and the export read it.
 */

/** What the report says about where it ran. */
export interface RunMeta {
  /** `navigator.userAgent`. */
  userAgent: string;
  /** The page's origin. */
  page: string;
  /** The visitor's address as the report server saw it (`/api/config`), or null when unknown. */
  visitor: BrowserReport['visitor'];
}

/** The observations and the verdict of one run; see the module comment. */
export class RunState implements IceSink {
  readonly startedAt = new Date().toISOString();
  readonly candidates: BrowserCandidate[] = [];
  readonly candidateErrors: CandidateErrorRow[] = [];
  signaling: SignalingCheck[] = [];
  selectedPair: SelectedPair | null = null;
  mappingProbe: MappingProbe | null = null;
  peer: BrowserReport['peer'] = null;
  /** The latest verdict; null until {@link judge} first ran. */
  verdict: Verdict | null = null;
  /** ms from the start of the run to the verdict, then to the end of the run. */
  durationMs: number | null = null;
  readonly #paths = new Map<string, PathResult>();
  #nat: ReturnType<typeof natFacts> | null = null;

  /** @param pathOrder the path ids in the matrix's order (the report keeps it). */
  constructor(
    readonly meta: RunMeta,
    private readonly pathOrder: readonly string[],
    private readonly clock: RunClock,
  ) {}

  /** {@link IceSink}: records a gathered candidate. */
  candidate(row: BrowserCandidate): void {
    this.candidates.push(row);
  }

  /** {@link IceSink}: records a candidate error. */
  candidateError(row: CandidateErrorRow): void {
    this.candidateErrors.push(row);
  }

  /** Records (or replaces) a path's result. */
  setPath(result: PathResult): void {
    this.#paths.set(result.id, result);
  }

  /** A path's result, if it has one yet. */
  path(id: string): PathResult | undefined {
    return this.#paths.get(id);
  }

  /** The paths that have a result, in the matrix's order. */
  get paths(): PathResult[] {
    return this.pathOrder.flatMap((id) => this.#paths.get(id) ?? []);
  }

  /** Judges the NAT facts and the verdict from what is recorded now, stores and returns the verdict. */
  judge(): Verdict {
    this.#nat = natFacts({
      candidates: this.candidates,
      serverUrls: this.paths.map((p) => p.url),
      candidateErrors: this.candidateErrors,
      mappingProbe: this.mappingProbe,
    });
    this.verdict = verdict({
      paths: this.paths,
      candidates: this.candidates,
      userAgent: this.meta.userAgent,
      nat: this.#nat,
      signaling: this.signaling,
      candidateErrors: this.candidateErrors,
      selectedPair: this.selectedPair,
      peerPair: this.peer?.selectedPair ?? null,
    });
    return this.verdict;
  }

  /** Notes the run's duration so far (at the verdict, then at the end). */
  stamp(): void {
    this.durationMs = Math.round(this.clock());
  }

  /** The report draft for report-export.ts, or null before the first verdict. */
  draft(): BrowserReportDraft | null {
    const nat = this.#nat;
    if (!nat || !this.verdict) return null;
    return {
      startedAt: this.startedAt,
      userAgent: this.meta.userAgent,
      page: this.meta.page,
      visitor: this.meta.visitor,
      signaling: this.signaling,
      udp: nat.udp,
      publicAddress: nat.publicAddress,
      natPresent: nat.natPresent,
      mapping: nat.mapping,
      mappingMethod: nat.mappingMethod,
      filtering: nat.filtering,
      legacyNatType: nat.legacyNatType,
      hairpinning: nat.hairpinning,
      reasons: nat.reasons,
      candidates: this.candidates,
      candidateErrors: this.candidateErrors,
      paths: this.paths,
      selectedPair: this.selectedPair,
      peer: this.peer,
      verdict: this.verdict,
      durationMs: this.durationMs ?? Math.round(this.clock()),
    };
  }
}
