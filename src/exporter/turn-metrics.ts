import type { TurnCheckReport, TurnStepName, TurnTargetReport } from '../report/schema.js';
import type { ProbeGauges } from './probe-metrics.js';

/**
 * The phase a turn-check step's duration is reported as (`probe_phase_duration_seconds{phase}`); the peer's
 * steps (its second allocation) and the checks around deletion are not phases of a client's session.
 * `connect` is the TCP connection and, for `turns:`, the TLS handshake on it (the report times them
 * together); `allocate` includes the 401 challenge round trip (RFC 8489 §9.2) before the signed Allocate.
 */
export const TURN_PHASES: Readonly<Partial<Record<TurnStepName, string>>> = {
  resolve: 'resolve',
  connect: 'connect',
  allocate: 'allocate',
  'create-permission': 'permission',
  'send-indication': 'relay_send_indication',
  'channel-bind': 'channel',
  'channel-data': 'relay_channel_data',
  refresh: 'refresh',
  delete: 'delete',
};

const ms = (v: number): number => v / 1000;

/** The quality fields (RTT quantiles, loss, jitter, largest datagram), each only when measured. */
function quality(g: ProbeGauges, t: TurnTargetReport, labels: Record<string, string>): void {
  const q = t.quality;
  if (!q) return;
  if (q.rttMs) {
    const quantiles: Array<[string, number]> = [
      ['0.5', q.rttMs.p50],
      ['0.9', q.rttMs.p90],
      ['0.99', q.rttMs.p99],
    ];
    for (const [quantile, v] of quantiles)
      g.set('probe_turn_relay_rtt_seconds', { ...labels, quantile }, ms(v));
  }
  if (q.lossPercent !== null) g.set('probe_turn_relay_loss_ratio', labels, q.lossPercent / 100);
  if (q.jitterMs !== null) g.set('probe_turn_relay_jitter_seconds', labels, ms(q.jitterMs));
  if (q.maxDatagramBytes !== null) g.set('probe_turn_relay_max_datagram_bytes', labels, q.maxDatagramBytes);
}

/** The certificate audit: expiry always, the judgements that were made. */
function certificate(g: ProbeGauges, t: TurnTargetReport, labels: Record<string, string>): void {
  const c = t.certificate;
  if (!c) return;
  const notAfterMs = Date.parse(c.notAfter);
  if (Number.isFinite(notAfterMs))
    g.set('probe_tls_cert_expiry_timestamp_seconds', labels, notAfterMs / 1000);
  if (c.hostMatches !== null) g.set('probe_tls_cert_host_matches', labels, c.hostMatches ? 1 : 0);
  if (c.browserAccepts !== null) g.set('probe_tls_browser_accepts', labels, c.browserAccepts ? 1 : 0);
  g.set('probe_tls_cert_chain_info', { ...labels, chain: c.chain }, 1);
  for (const version of c.tlsVersions) g.set('probe_tls_version_info', { ...labels, version }, 1);
}

/** Reach from outside: ports tried and reachable; the verdict only when one was reached. */
function outsideReach(g: ProbeGauges, t: TurnTargetReport, labels: Record<string, string>): void {
  const r = t.outsideReach;
  if (!r) return;
  if (r.ports.length > 0) {
    g.set('probe_turn_relay_outside_ports_tried', labels, r.ports.filter((p) => p.inbound !== null).length);
    g.set('probe_turn_relay_outside_ports_reachable', labels, r.reachable);
  }
  if (r.verdict === null) return;
  g.set('probe_turn_relay_outside_reachable', labels, r.verdict === 'reachable' ? 1 : 0);
  g.set('probe_turn_relay_outside_verdict', { ...labels, verdict: r.verdict }, 1);
}

/** Everything said about one target (one transport, one address), labelled by both. */
function targetMetrics(g: ProbeGauges, t: TurnTargetReport): void {
  const labels = { transport: t.transport, address: t.node?.address ?? '' };
  g.set('probe_turn_target_success', labels, t.ok ? 1 : 0);
  if (t.server) g.set('probe_ip_protocol', labels, t.server.family === 'IPv6' ? 6 : 4);
  for (const s of t.steps) {
    if (s.status === 'skipped') continue;
    g.set('probe_turn_step_success', { ...labels, step: s.name }, s.status === 'fail' ? 0 : 1);
    const phase = TURN_PHASES[s.name];
    if (phase !== undefined && s.durationMs !== null)
      g.set('probe_phase_duration_seconds', { ...labels, phase }, ms(s.durationMs));
  }
  for (const d of t.diagnoses)
    g.set('probe_turn_diagnosis', { ...labels, code: d.code, severity: d.severity }, 1);
  quality(g, t, labels);
  certificate(g, t, labels);
  outsideReach(g, t, labels);
}

/**
 * Writes a turn-check report (validated by `turnCheckReportSchema`) as `/probe` metrics:
 * `probe_success` (every target passed, and there was one), then per target its result, the steps, the
 * phases' durations (seconds, {@link TURN_PHASES}), the diagnoses, and — only when the report has them —
 * relay quality (`quality`), the certificate audit (`certificate`) and the reach from outside
 * (`outsideReach`). `probe_duration_seconds` is the caller's (it times the whole probe).
 */
export function writeTurnMetrics(g: ProbeGauges, report: TurnCheckReport): void {
  g.set('probe_success', {}, report.ok && report.targets.length > 0 ? 1 : 0);
  for (const t of report.targets) targetMetrics(g, t);
}
