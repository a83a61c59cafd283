import type { TurnCheckReport } from '../report/schema.js';
import type { ResolvedTurnCredentials } from './turn-credentials.js';
import { turnCheckReport } from './turn-diagnose.js';
import { checkTurnTarget } from './turn-steps.js';
import type { TurnTarget } from './turn-url.js';

/** What `turn-check` runs. */
export interface TurnRunOptions {
  /** One target per URL and transport, from `parseTurnTargets` (RFC 7065 URLs). */
  targets: TurnTarget[];
  credentials: ResolvedTurnCredentials;
  insecure: boolean;
  /** Deadline for each target's check, in ms (targets run in parallel). */
  timeoutMs: number;
  onProgress?: (text: string) => void;
}

/**
 * Run → report, on the plan the caller built with `parseTurnTargets` (which is where a bad URL fails, before
 * any traffic): checks every target in parallel, each under its own deadline, and judges the observations
 * (see `diagnoseTarget`).
 */
export async function runTurnCheck(opts: TurnRunOptions): Promise<TurnCheckReport> {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const observed = await Promise.all(
    opts.targets.map((t) =>
      checkTurnTarget(t, {
        credentials: opts.credentials.credentials,
        credentialSource: opts.credentials.source,
        insecure: opts.insecure,
        timeoutMs: opts.timeoutMs,
        onProgress: opts.onProgress,
      }),
    ),
  );
  return turnCheckReport(observed, startedAt, performance.now() - start);
}
