import type { TurnCheckReport } from '../../report/schema.js';
import type { HostsTable } from '../transport/hosts-file.js';
import { proxyUse } from '../transport/proxy-config.js';
import type { TurnTarget } from '../url/turn-url.js';
import { turnCheckReport } from './diagnose.js';
import { MAX_PARALLEL_CHECKS, mapBounded, planNodes } from './nodes.js';
import { checkTurnTarget, type TurnCheckOptions } from './steps.js';

/** What `turn-check` runs: the targets, each checked with the same options, in parallel. */
export interface TurnRunOptions extends TurnCheckOptions {
  /** One target per URL and transport, from `parseTurnTargets` (RFC 7065 URLs). */
  targets: TurnTarget[];
  /** A hosts table consulted before /etc/hosts and DNS (tests give names several loopback addresses). */
  hosts?: HostsTable;
}

/**
 * Run → report, on the plan the caller built with `parseTurnTargets` (which is where a bad URL fails, before
 * any traffic): resolves each host to every address (`planNodes`: a name with several A/AAAA records is
 * checked at each address, issue 15 §2), checks them in parallel (at most {@link MAX_PARALLEL_CHECKS} at
 * once, or one per URL if more), and judges the observations (see `diagnoseTarget`). One deadline,
 * `timeoutMs` from the call, covers it all: the name lookups, and every check gets only the time left (a
 * check queued behind the parallel bound does not get a fresh `timeoutMs`; one not started by the deadline
 * is reported as not run, `deadline-exceeded`) — the exporter's scrape timeout holds.
 */
export async function runTurnCheck(opts: TurnRunOptions): Promise<TurnCheckReport> {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const deadline = start + opts.timeoutMs;
  const plans = await Promise.all(
    opts.targets.map((t) => planNodes(t, opts.timeoutMs, opts.hosts, opts.proxy)),
  );
  const limit = Math.max(MAX_PARALLEL_CHECKS, opts.targets.length);
  const observed = await mapBounded(plans.flat(), limit, (p) =>
    checkTurnTarget(
      p.target,
      { ...opts, timeoutMs: Math.max(0, Math.floor(deadline - performance.now())) },
      p,
    ),
  );
  return turnCheckReport(observed, startedAt, performance.now() - start, opts.proxy && proxyUse(opts.proxy));
}
