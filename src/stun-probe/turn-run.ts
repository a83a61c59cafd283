import type { TurnCheckReport } from '../report/schema.js';
import type { ResolvedTurnCredentials } from './turn-credentials.js';
import { turnCheckReport } from './turn-diagnose.js';
import { checkTurnTarget } from './turn-steps.js';
import { parseTurnUrl, turnTargets } from './turn-url.js';

/** What `turn-check` runs. */
export interface TurnRunOptions {
  /** `turn:` / `turns:` URLs (RFC 7065); each expands to one target per transport. */
  urls: string[];
  credentials: ResolvedTurnCredentials;
  insecure: boolean;
  /** Deadline for each target's check, in ms (targets run in parallel). */
  timeoutMs: number;
  onProgress?: (text: string) => void;
}

/**
 * Plan → run → report: parses every URL first (so a bad one fails before any traffic), then checks every
 * target in parallel, each under its own deadline, and judges the observations (see `diagnoseTarget`).
 * @throws ConfigError for a URL that is not `turn:`/`turns:` (before anything is sent).
 */
export async function runTurnCheck(opts: TurnRunOptions): Promise<TurnCheckReport> {
  const targets = opts.urls.flatMap((u) => turnTargets(parseTurnUrl(u)));
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const observed = await Promise.all(
    targets.map((t) =>
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
