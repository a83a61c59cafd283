import { Registry } from 'prom-client';
import type { Redirect } from '../client/turn-check/alternate.js';
import { runTurnCheck } from '../client/turn-check/run.js';
import { ProbeGauges } from './probe-metrics.js';
import { runStunProbe, writeStunMetrics } from './stun-probe.js';
import { hostAllowed, type ProbePlan } from './target.js';
import { writeTurnMetrics } from './turn-metrics.js';

/** One probe's answer: its own registry, whether it succeeded, and why not in words. */
export interface ProbeOutcome {
  registry: Registry;
  success: boolean;
  /** One line per failure (turn-check's failing diagnoses, the STUN failure); empty on success. */
  reasons: string[];
}

/**
 * Runs one probe on `plan` with its module's settings within `deadlineMs` (turn-check's per-target deadline;
 * the STUN probe's whole deadline) and writes its metrics into a fresh registry, so concurrent probes never
 * share a series. `probe_duration_seconds` is the whole probe's wall time.
 */
export async function runProbe(
  plan: ProbePlan,
  deadlineMs: number,
  allowedTargets: readonly string[] | null = null,
): Promise<ProbeOutcome> {
  const registry = new Registry();
  const gauges = new ProbeGauges(registry);
  const start = performance.now();
  let success: boolean;
  let reasons: string[];
  if (plan.kind === 'stun') {
    const { insecure, ca } = plan.module;
    const r = await runStunProbe(plan.url, { insecure, ca, deadlineMs });
    writeStunMetrics(gauges, r);
    success = r.ok;
    reasons = r.failure === null ? [] : [r.failure];
  } else {
    const { credentials, insecure, ca, quality, outsideReach } = plan.module;
    const report = await runTurnCheck({
      targets: plan.targets,
      credentials: credentials(),
      insecure,
      ca,
      timeoutMs: deadlineMs,
      outsideReach,
      ...(!quality && { quality: false as const }),
      ...(allowedTargets !== null && {
        followAlternate: (r: Redirect) => hostAllowed(r.to.address, allowedTargets),
      }),
    });
    writeTurnMetrics(gauges, report);
    success = report.ok && report.targets.length > 0;
    reasons = report.targets.flatMap((t) =>
      t.diagnoses.filter((d) => d.severity === 'fail').map((d) => `${t.url}: ${d.code}: ${d.message}`),
    );
  }
  gauges.set('probe_duration_seconds', {}, (performance.now() - start) / 1000);
  return { registry, success, reasons };
}
