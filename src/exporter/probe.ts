import { Registry } from 'prom-client';
import { runTurnCheck } from '../client/turn-check/run.js';
import { ProbeGauges } from './probe-metrics.js';
import { runStunProbe, writeStunMetrics } from './stun-probe.js';
import type { ProbePlan } from './target.js';
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
export async function runProbe(plan: ProbePlan, deadlineMs: number): Promise<ProbeOutcome> {
  const registry = new Registry();
  const gauges = new ProbeGauges(registry);
  const start = performance.now();
  let success: boolean;
  let reasons: string[];
  const { module } = plan;
  if (plan.kind === 'stun') {
    const r = await runStunProbe(plan.url, { insecure: module.insecure, ca: module.ca, deadlineMs });
    writeStunMetrics(gauges, r);
    success = r.ok;
    reasons = r.failure === null ? [] : [r.failure];
  } else {
    const turn = plan.module;
    const report = await runTurnCheck({
      targets: plan.targets,
      credentials: turn.credentials(),
      insecure: turn.insecure,
      ca: turn.ca,
      timeoutMs: deadlineMs,
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
