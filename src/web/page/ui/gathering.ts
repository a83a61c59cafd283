import type { CandidateErrorRow, CandidateType } from '../../../report/browser-schema.js';
import type { IceServer } from '../../api-schema.js';
import { errorLabel } from '../candidate-errors.js';
import { type IceSink, watchIce } from './ice-events.js';
import { formatMs, type RunClock } from './timing.js';

/**
 * One peer connection gathering candidates (RFC 8445 §5.1.1; W3C WebRTC §4.4.1 `iceGatheringState`), with
 * its rows sent to a sink and waits that always end: the first candidate of a type, or `complete`, each
 * bounded by a deadline. It is also the offering end of a loopback call (loopback-call.ts).
 */

/** What one gathering found by its deadline. */
export interface GatherOutcome {
  gathered: boolean;
  /** ms from the start of this gathering to its first candidate of the expected type; null when none came. */
  firstCandidateMs: number | null;
  /** Why it did not gather, in a few words (the candidate errors table has the full explanation). */
  error?: string;
}

/** How to open a {@link Gathering}. */
export interface GatheringOptions {
  pathId: string;
  iceServers: readonly IceServer[];
  /** `RTCConfiguration.iceTransportPolicy`. */
  policy: 'all' | 'relay';
  /** Labels of the data channels to create before the offer (at least one: it gives the offer an m-line). */
  channels: readonly string[];
  clock: RunClock;
  sink: IceSink;
}

/** A peer connection that offered and is gathering; see the module comment. */
export class Gathering {
  readonly pc: RTCPeerConnection;
  /** The data channels created before the offer, by label (this end of a loopback call). */
  readonly channels: Map<string, RTCDataChannel>;
  /** The offer, once set as the local description; rejects when the browser refuses to make one. */
  readonly offer: Promise<RTCSessionDescriptionInit>;
  readonly #startMs: number;
  readonly #firstMs = new Map<CandidateType, number>();
  readonly #errors: CandidateErrorRow[] = [];
  readonly #raw: RTCIceCandidateInit[] = [];
  readonly #wakers = new Set<() => void>();
  #forward: ((c: RTCIceCandidateInit) => void) | null = null;
  #complete = false;
  #failure: string | null = null;

  /**
   * Creates the peer connection and its channels and starts gathering (createOffer + setLocalDescription).
   * @throws DOMException from `new RTCPeerConnection` for an ICE server URL or credential the browser refuses
   * (`SyntaxError`, `InvalidAccessError`).
   */
  constructor(options: GatheringOptions) {
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers.map((s) => ({ ...s })),
      iceTransportPolicy: options.policy,
    });
    this.channels = new Map(options.channels.map((label) => [label, this.pc.createDataChannel(label)]));
    this.#startMs = options.clock();
    watchIce(
      this.pc,
      options.pathId,
      options.clock,
      {
        candidate: (row) => {
          options.sink.candidate(row);
          if (!this.#firstMs.has(row.type))
            this.#firstMs.set(row.type, Math.round((row.tMs - this.#startMs) * 10) / 10);
          this.#wake();
        },
        candidateError: (row) => {
          options.sink.candidateError(row);
          if (!row.harmless) this.#errors.push(row);
          this.#wake();
        },
      },
      (_row, raw) => {
        const init = raw.toJSON();
        this.#raw.push(init);
        this.#forward?.(init);
      },
      options.iceServers.length === 1 ? (options.iceServers[0]?.urls ?? null) : null,
    );
    this.pc.addEventListener('icegatheringstatechange', () => {
      if (this.pc.iceGatheringState === 'complete') this.#complete = true;
      this.#wake();
    });
    this.offer = this.pc.createOffer().then(async (offer) => {
      await this.pc.setLocalDescription(offer);
      return offer;
    });
    this.offer.catch((err: unknown) => {
      this.#failure = `the browser could not start gathering: ${err instanceof Error ? err.message : String(err)}`;
      this.#wake();
    });
  }

  /**
   * Waits for the first candidate of `type`, for `complete` (no more will come), or `deadlineMs`, whichever is
   * first. Never rejects.
   */
  async first(type: CandidateType, deadlineMs: number): Promise<GatherOutcome> {
    await this.#until(() => this.#firstMs.has(type) || this.#complete || this.#failure !== null, deadlineMs);
    const first = this.#firstMs.get(type);
    if (first !== undefined) return { gathered: true, firstCandidateMs: first };
    const e = this.#errors[0];
    const error = this.#failure
      ? this.#failure
      : !this.#complete
        ? `no ${type} candidate within ${formatMs(deadlineMs)}`
        : e
          ? `gathering ended without a ${type} candidate after ${errorLabel(e.errorCode, e.errorText)}`
          : `gathering ended without a ${type} candidate`;
    return { gathered: false, firstCandidateMs: null, error };
  }

  /** Waits for `complete`, a failure to start, or `deadlineMs`; true when complete. Never rejects. */
  untilComplete(deadlineMs: number): Promise<boolean> {
    return this.#until(() => this.#complete || this.#failure !== null, deadlineMs).then(() => this.#complete);
  }

  /** Hands every local candidate so far, and each later one, to `add` (the other end of a loopback call). */
  trickleTo(add: (candidate: RTCIceCandidateInit) => void): void {
    for (const c of this.#raw) add(c);
    this.#forward = add;
  }

  /** Closes the peer connection (and its channels). */
  close(): void {
    this.#forward = null;
    this.pc.close();
  }

  #wake(): void {
    for (const wake of [...this.#wakers]) wake();
  }

  #until(done: () => boolean, deadlineMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve(ok);
      };
      const wake = (): void => {
        if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(false), deadlineMs);
      this.#wakers.add(wake);
    });
  }
}
