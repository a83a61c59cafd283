import type { TurnCheckReport } from '../../report/schema.js';
import type { TurnTarget } from '../url/turn-url.js';
import { turnCheckReport } from './diagnose.js';
import { checkTurnTarget, type TurnCheckOptions } from './steps.js';

/** What `turn-check` runs: the targets, each checked with the same options, in parallel. */
export interface TurnRunOptions extends TurnCheckOptions {
  /** One target per URL and transport, from `parseTurnTargets` (RFC 7065 URLs). */
  targets: TurnTarget[];
}

/**
 * Run → report, on the plan the caller built with `parseTurnTargets` (which is where a bad URL fails, before
 * any traffic): checks every target in parallel, each under its own deadline, and judges the observations
 * (see `diagnoseTarget`).
 */
export async function runTurnCheck(opts: TurnRunOptions): Promise<TurnCheckReport> {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const observed = await Promise.all(opts.targets.map((t) => checkTurnTarget(t, opts)));
  return turnCheckReport(observed, startedAt, performance.now() - start);
}
