import { Gauge, type Registry } from 'prom-client';

/** One metric of a `/probe` answer: its name, help text (with the unit) and label names. */
interface ProbeMetricSpec {
  help: string;
  labels: readonly string[];
}

/** Labels of everything said about one checked target (one transport, one address of a name). */
const T = ['transport', 'address'] as const;

/**
 * Every metric a `/probe` answer can hold (docs/exporter.md lists them with their meaning). Values are
 * seconds, bytes, ratios 0–1, Unix timestamps in seconds, or 1/0 for yes/no; a metric whose observation is
 * missing is left out, never written as 0.
 */
export const PROBE_METRICS = {
  probe_success: { help: 'Whether the probe succeeded (1) or not (0).', labels: [] },
  probe_duration_seconds: { help: 'How long the probe took, in seconds.', labels: [] },
  probe_phase_duration_seconds: {
    help: 'Duration of one phase of the probe, in seconds (resolve, connect, allocate, permission, relay_send_indication, channel, relay_channel_data, refresh, delete; STUN: resolve).',
    labels: [...T, 'phase'],
  },
  probe_ip_protocol: { help: 'IP version of the address probed (4 or 6).', labels: T },
  probe_turn_target_success: {
    help: 'Whether the TURN check of this transport passed (1) or not (0).',
    labels: T,
  },
  probe_turn_step_success: {
    help: 'Whether a turn-check step passed (1, ok or warn) or failed (0); skipped steps are left out.',
    labels: [...T, 'step'],
  },
  probe_turn_diagnosis: {
    help: 'A finding of the TURN check (always 1), by code and severity (fail, warn).',
    labels: [...T, 'code', 'severity'],
  },
  probe_turn_relay_rtt_seconds: {
    help: 'Round-trip time through the relay (client → relay → peer → relay → client), in seconds, by quantile.',
    labels: [...T, 'quantile'],
  },
  probe_turn_relay_loss_ratio: { help: 'Share of relay echo probes lost, 0–1.', labels: T },
  probe_turn_relay_jitter_seconds: {
    help: 'Mean difference of consecutive relay RTTs, in seconds.',
    labels: T,
  },
  probe_turn_relay_max_datagram_bytes: {
    help: 'Largest relayed payload that came back, in bytes (of 500–1500 tried).',
    labels: T,
  },
  probe_turn_relay_outside_ports_tried: {
    help: 'Relayed addresses tried from outside the TURN host (a plain UDP socket as peer).',
    labels: T,
  },
  probe_turn_relay_outside_ports_reachable: {
    help: 'Relayed addresses reachable both ways from outside the TURN host.',
    labels: T,
  },
  probe_turn_relay_outside_reachable: {
    help: 'Whether every relayed address tried was reachable from outside (1) or not (0).',
    labels: T,
  },
  probe_turn_relay_outside_verdict: {
    help: 'The outside-reach verdict (always 1): reachable, partly-reachable, one-way, closed, relay-address-private, not-public-address.',
    labels: [...T, 'verdict'],
  },
  probe_tls_cert_expiry_timestamp_seconds: {
    help: "The server certificate's notAfter, as a Unix timestamp in seconds.",
    labels: T,
  },
  probe_tls_cert_host_matches: {
    help: 'Whether the certificate names the host of the target (1) or not (0), RFC 6125.',
    labels: T,
  },
  probe_tls_cert_chain_info: {
    help: 'How the certificate chain ends (always 1): trusted, self-signed, untrusted-root, missing-intermediate, unknown.',
    labels: [...T, 'chain'],
  },
  probe_tls_browser_accepts: {
    help: 'Whether a current browser would accept the certificate and TLS versions (1) or not (0).',
    labels: T,
  },
  probe_tls_version_info: {
    help: 'A TLS version the server accepted (always 1).',
    labels: [...T, 'version'],
  },
  probe_stun_rtt_seconds: {
    help: 'Round-trip time of the STUN Binding transaction, in seconds (last request to its response).',
    labels: ['transport'],
  },
  probe_stun_requests_sent: {
    help: 'Binding requests sent, retransmissions included (RFC 8489 §6.2.1).',
    labels: ['transport'],
  },
} as const satisfies Record<string, ProbeMetricSpec>;

/** The name of a `/probe` metric. */
export type ProbeMetricName = keyof typeof PROBE_METRICS;

/** The gauges of one `/probe` answer, made on first use in the probe's own registry. */
export class ProbeGauges {
  constructor(readonly registry: Registry) {}

  /**
   * Sets `name{labels}` to `value`.
   * @param labels every label of the metric's spec, by name.
   */
  set(name: ProbeMetricName, labels: Record<string, string>, value: number): void {
    const existing = this.registry.getSingleMetric(name) as Gauge | undefined;
    const spec: ProbeMetricSpec = PROBE_METRICS[name];
    const gauge =
      existing ??
      new Gauge({ name, help: spec.help, labelNames: [...spec.labels], registers: [this.registry] });
    gauge.set(labels, value);
  }
}
