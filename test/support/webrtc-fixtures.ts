/**
 * Loads the recorded WebRTC fixtures of test/fixtures/webrtc-stats/ (see its README): what one page saw in a
 * call or a gathering, as plain JSON.
 */
import { readFileSync } from 'node:fs';
import type { IceErrorEventLike } from '../../src/web/page/candidate-errors.js';
import type { IceCandidateLike } from '../../src/web/page/candidates.js';
import type { StatsLike } from '../../src/web/page/stats.js';

/** A recorded `RTCIceCandidate` (its `candidate` line, `url`, `relayProtocol` …) with ms since the start. */
export type RecordedCandidate = IceCandidateLike & { tMs: number; address: string | null; type: string };
/** A recorded `icecandidateerror`. */
export type RecordedError = IceErrorEventLike & { tMs: number };

/** One side of a recorded call, or a recorded gathering. */
export interface RecordedSide {
  candidates: RecordedCandidate[];
  errors: RecordedError[];
  /** `getStats()` results, in poll order. */
  stats: StatsLike[][];
}

/** A recorded call between two peer connections `a` (offerer) and `b`. */
export interface RecordedCall {
  recorded: { browser: string; scenario: string; iceServers: { urls: string }[] };
  opened: boolean;
  echoRttMs: number[];
  a: RecordedSide;
  b: RecordedSide;
}

/** A recorded gathering of one peer connection. */
export interface RecordedGathering {
  recorded: { browser: string; scenario: string; iceServers: { urls: string }[] };
  candidates: RecordedCandidate[];
  errors: RecordedError[];
  gatheringState: string;
  stats: StatsLike[];
}

const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/webrtc-stats/${name}.json`, import.meta.url), 'utf8'));

/** A recorded call fixture by file name (without `.json`). */
export const recordedCall = (name: string): RecordedCall => read(name) as RecordedCall;
/** A recorded gathering fixture by file name (without `.json`). */
export const recordedGathering = (name: string): RecordedGathering => read(name) as RecordedGathering;
